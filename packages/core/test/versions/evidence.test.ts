// Which release a door emulates: an explicit version > the image the files deploy > the newest.
import { describe, expect, it } from 'vitest';
import { AgentVersionError, configFromDatadogAgent, configFromHelmValues, formatAgentVersion, imageTag, resolveAgentVersion, type SurfaceConfigResult } from '@dd-admission/core';

const shown = (r: ReturnType<typeof resolveAgentVersion>) => ({ version: formatAgentVersion(r.version), origin: r.origin, note: r.note });

describe('resolveAgentVersion', () => {
  it('an explicit version wins over the image', () => {
    expect(shown(resolveAgentVersion({ explicit: { version: '7.60', origin: '--agent-version' }, image: { tag: '7.72.1', origin: 'clusterAgent.image.tag' } }))).toEqual({
      version: '7.60',
      origin: '--agent-version',
      note: undefined,
    });
  });

  it('an unsupported explicit version is an error, not a clamp', () => {
    expect(() => resolveAgentVersion({ explicit: { version: '7.81', origin: '--agent-version' } })).toThrow(AgentVersionError);
    expect(() => resolveAgentVersion({ explicit: { version: 'seven', origin: '--agent-version' } })).toThrow(/not an agent version/);
  });

  it('the image tag, with its origin', () => {
    expect(shown(resolveAgentVersion({ image: { tag: '7.72.1', origin: 'clusterAgent.image.tag' } }))).toEqual({ version: '7.72.1', origin: 'clusterAgent.image.tag (7.72.1)', note: undefined });
    expect(formatAgentVersion(resolveAgentVersion({ image: { tag: '7.66.0-fips', origin: 'x' } }).version)).toBe('7.66');
  });

  it('an image outside the range is clamped, with a note', () => {
    expect(shown(resolveAgentVersion({ image: { tag: '7.81.1', origin: 'Operator default image' } }))).toEqual({
      version: '7.78',
      origin: 'Operator default image (7.81.1)',
      note: 'Cluster Agent 7.81.1 is outside the emulated range; emulating the newest supported release, 7.78',
    });
    expect(formatAgentVersion(resolveAgentVersion({ image: { tag: '1.0.0', origin: 'x' } }).version)).toBe('7.49');
  });

  it('a tag that is no version (latest, a digest) means the newest, with a note', () => {
    expect(shown(resolveAgentVersion({ image: { tag: 'latest', origin: 'clusterAgent.image.tag' } }))).toEqual({
      version: '7.78',
      origin: 'clusterAgent.image.tag (latest)',
      note: 'image tag "latest" is not a version: emulating the newest supported release, 7.78',
    });
  });

  it('no evidence: the newest', () => {
    expect(shown(resolveAgentVersion({}))).toEqual({ version: '7.78', origin: 'no evidence: newest supported', note: undefined });
  });
});

describe('imageTag', () => {
  it('reads the tag after the last path segment; a digest is not a tag', () => {
    expect(imageTag('registry:5000/datadog/cluster-agent:7.72.1')).toBe('7.72.1');
    expect(imageTag('registry:5000/datadog/cluster-agent')).toBeUndefined();
    expect(imageTag('gcr.io/datadoghq/cluster-agent@sha256:abc')).toBeUndefined();
    expect(imageTag('gcr.io/datadoghq/cluster-agent:7.60.0@sha256:abc')).toBe('7.60.0');
  });
});

function ok(r: SurfaceConfigResult) {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}
const version = (r: SurfaceConfigResult) => ({ version: formatAgentVersion(ok(r).agentVersion.version), origin: ok(r).agentVersion.origin });

describe('Helm values: clusterAgent.image', () => {
  it('the chart default tag (7.81.1) is clamped to 7.78', () => {
    expect(version(configFromHelmValues({}))).toEqual({ version: '7.78', origin: 'chart 3.240.0 default clusterAgent.image.tag (7.81.1)' });
    expect(ok(configFromHelmValues({})).agentVersion.note).toContain('outside the emulated range');
  });

  it('a tag set by the user, a digest, an explicit version', () => {
    expect(version(configFromHelmValues({ clusterAgent: { image: { tag: '7.72.1' } } }))).toEqual({ version: '7.72.1', origin: 'clusterAgent.image.tag (7.72.1)' });
    expect(version(configFromHelmValues({ clusterAgent: { image: { tag: '7.72.1', digest: 'sha256:abc' } } }))).toEqual({ version: '7.78', origin: 'clusterAgent.image.digest (sha256:abc)' });
    expect(version(configFromHelmValues({ clusterAgent: { image: { tag: '7.72.1' } } }, { agentVersion: { version: '7.49', origin: '--agent-version' } }))).toEqual({ version: '7.49', origin: '--agent-version' });
  });

  it('an unsupported explicit version is a config error naming its origin', () => {
    const r = configFromHelmValues({}, { agentVersion: { version: '8.0', origin: '--agent-version' } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toMatchObject({ key: 'agent version', origin: '--agent-version' });
  });

  it('the release decides what the env gives: 7.78 reads the host socket paths and csi.enabled, 7.49 lists them as unread', () => {
    const values = { datadog: { apm: { hostSocketPath: '/host/apm' } } };
    const at78 = ok(configFromHelmValues(values));
    expect(at78.config.trace_agent_host_socket_path).toBe('/host/apm');
    expect(at78.origins.trace_agent_host_socket_path).toBe('datadog.apm.hostSocketPath');
    expect(at78.unread.map((u) => u.name)).not.toContain('DD_TRACE_AGENT_HOST_SOCKET_PATH');
    const at49 = ok(configFromHelmValues(values, { agentVersion: { version: '7.49', origin: 'test' } }));
    expect(at49.unread.find((u) => u.name === 'DD_TRACE_AGENT_HOST_SOCKET_PATH')?.reason).toBe('only read since Cluster Agent 7.72: 7.49 ignores it');
  });

  it('7.78: the global registry reaches the library registry through the 7.53 fallback', () => {
    const r = ok(configFromHelmValues({ clusterAgent: { admissionController: { containerRegistry: 'registry.example.com' } } }));
    expect(r.config.admission_controller.container_registry).toBe('registry.example.com');
    expect(r.config.admission_controller.auto_instrumentation.container_registry).toBe('registry.example.com');
  });

  it('a csi config mode: no "does not know it" note from 7.65, only the csi.enabled reminder', () => {
    const values = { clusterAgent: { admissionController: { configMode: 'csi' } } };
    const messages = (agentVersion: string) =>
      ok(configFromHelmValues(values, { agentVersion: { version: agentVersion, origin: 'test' } })).warnings.filter((w) => w.key === 'clusterAgent.admissionController.configMode').map((w) => w.message);
    expect(messages('7.78')).toEqual(['csi and needs datadog.csi.enabled (without it the Cluster Agent uses socket)']);
    expect(messages('7.60')[0]).toContain('the 7.60 Cluster Agent previewed here does not know it');
  });
});

describe('DatadogAgent: spec.override.clusterAgent.image', () => {
  const dda = (image?: object) => ({ apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog' }, spec: image ? { override: { clusterAgent: { image } } } : {} });

  it('the Operator default image', () => {
    expect(version(configFromDatadogAgent(dda()))).toEqual({ version: '7.78', origin: 'Operator default image (7.81.1)' });
  });

  it('image.tag, or a name carrying its tag (which wins)', () => {
    expect(version(configFromDatadogAgent(dda({ tag: '7.70.2' })))).toEqual({ version: '7.70.2', origin: 'spec.override.clusterAgent.image.tag (7.70.2)' });
    expect(version(configFromDatadogAgent(dda({ name: 'my.registry/cluster-agent:7.60.0', tag: '7.70.2' })))).toEqual({
      version: '7.60',
      origin: 'spec.override.clusterAgent.image.name (7.60.0)',
    });
    expect(version(configFromDatadogAgent(dda({ name: 'cluster-agent', tag: '7.70.2' })))).toEqual({ version: '7.70.2', origin: 'spec.override.clusterAgent.image.tag (7.70.2)' });
  });
});
