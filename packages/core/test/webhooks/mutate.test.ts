// Spec conformance: the whole admission path — spec/README.md "Preview = what the cluster would do"
// and "Fail open", spec/webhooks.md §1 (order), §6.1 (failure discards one webhook's changes), §7 (reinvocation).
import { describe, expect, it } from 'vitest';
import { mutate, type Pod } from '@dd-admission/core';
import { config, makePod, OPT_IN, envOf, envEntry, envNames, containerOf, expectPatchGivesPod, hostIpEnv, entityIdEnv, JAVA_TOOL_OPTIONS_VALUE } from '../helpers.js';

const A = 'admission.datadoghq.com/';

function javaPod(extra: Record<string, string> = {}): Pod {
  return makePod({
    namespace: 'shop',
    labels: { ...OPT_IN, 'tags.datadoghq.com/env': 'prod', ...extra },
    annotations: { [`${A}java-lib.version`]: 'v1.20.0' },
    containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }],
  });
}

describe('mutate: webhooks in order, each seeing the previous result (webhooks §1, README preview decision)', () => {
  it('config, then tags, then auto-instrumentation', () => {
    const m = mutate(javaPod(), { namespace: 'shop' }, config());
    expect(m.calls.filter((c) => !c.reinvocation).map((c) => c.webhook)).toEqual(['config', 'tags', 'auto-instrumentation']);
  });

  it('final env of the app container: tags vars prepended before config vars, lib vars appended', () => {
    const input = javaPod();
    const m = mutate(input, { namespace: 'shop' }, config());
    expect(envOf(m.pod, 'app')).toEqual([
      { name: 'DD_ENV', value: 'prod' },
      entityIdEnv,
      hostIpEnv,
      { name: 'A', value: 'a' },
      { name: 'JAVA_TOOL_OPTIONS', value: JAVA_TOOL_OPTIONS_VALUE },
    ]);
    expectPatchGivesPod(input, m);
  });

  it('a subset of webhooks can be run', () => {
    const m = mutate(javaPod(), { namespace: 'shop' }, config(), ['tags']);
    expect(envNames(m.pod, 'app')).toEqual(['DD_ENV', 'A']);
    expect(m.calls.map((c) => c.webhook)).toEqual(['tags']);
  });
});

describe('mutate: fail open per webhook (README "Fail open", webhooks §6.1)', () => {
  it('a failing webhook discards only its own changes; the others still apply', () => {
    const input = javaPod();
    const m = mutate(input, { namespace: 'shop' }, config({ 'admission_controller.inject_config.mode': 'HostIP' }));
    // (the config webhook is re-invoked after the later changes and fails again: same failure)
    expect(m.failures.length).toBeGreaterThan(0);
    for (const f of m.failures) expect([f.webhook, f.message]).toEqual(['config', 'invalid injection mode "HostIP"']);
    expect(envEntry(m.pod, 'app', 'DD_AGENT_HOST')).toBeUndefined();
    expect(envEntry(m.pod, 'app', 'DD_ENTITY_ID')).toBeUndefined();
    expect(envEntry(m.pod, 'app', 'DD_ENV')).toEqual({ name: 'DD_ENV', value: 'prod' });
    expect(containerOf(m.pod, 'datadog-lib-java-init').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v1.20.0');
    expectPatchGivesPod(input, m);
  });

  it('a lib-injection failure leaves the config and tags changes in place', () => {
    const input = makePod({
      labels: { ...OPT_IN, 'tags.datadoghq.com/env': 'prod' },
      annotations: { [`${A}java-lib.version`]: 'v1' },
      containers: [{ name: 'app', env: [{ name: 'JAVA_TOOL_OPTIONS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }],
    });
    const m = mutate(input, { namespace: 'default' }, config());
    expect(m.failures.map((f) => [f.webhook, f.message])).toEqual([['auto-instrumentation', '"JAVA_TOOL_OPTIONS" is defined via ValueFrom']]);
    expect(m.pod.spec?.initContainers).toBeUndefined();
    expect(envNames(m.pod, 'app')).toEqual(['DD_ENV', 'DD_ENTITY_ID', 'DD_AGENT_HOST', 'JAVA_TOOL_OPTIONS']);
  });
});

describe('webhooks §7 reinvocation and idempotence', () => {
  it('after lib injection the config webhook is re-invoked and injects into the new datadog-lib init container (hostip)', () => {
    const input = javaPod();
    const m = mutate(input, { namespace: 'shop' }, config());
    expect(m.calls.some((c) => c.webhook === 'config' && c.reinvocation)).toBe(true);
    const initEnv = envOf(m.pod, 'datadog-lib-java-init');
    expect(initEnv).toContainEqual(hostIpEnv);
    expect(initEnv).toContainEqual(entityIdEnv);
    const names = initEnv.map((e) => e.name);
    expect(names.indexOf('DD_ENTITY_ID')).toBeLessThan(names.indexOf('DD_AGENT_HOST'));
    expectPatchGivesPod(input, m);
  });

  it('the tags webhook is re-invoked too: the new init container gets the tags vars', () => {
    const m = mutate(javaPod(), { namespace: 'shop' }, config());
    expect(envEntry(m.pod, 'datadog-lib-java-init', 'DD_ENV')).toEqual({ name: 'DD_ENV', value: 'prod' });
  });

  it('service mode: the new init container gets DD_AGENT_HOST datadog.<ns>.svc.cluster.local on reinvocation', () => {
    const m = mutate(javaPod(), { namespace: 'shop', agentNamespace: 'datadog' }, config({ 'admission_controller.inject_config.mode': 'service' }));
    expect(envEntry(m.pod, 'datadog-lib-java-init', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', value: 'datadog.datadog.svc.cluster.local' });
  });

  it('socket mode: the socket env vars reach the new init container on reinvocation; the datadog volume already exists, so (config-injection §3 rule 1) no mount is added then', () => {
    // webhooks §7 also mentions the socket mount; config-injection §3 rule 1 (volume named datadog
    // exists → no volume, no mounts) decides: see the report.
    const input = javaPod();
    const m = mutate(input, { namespace: 'shop' }, config({ 'admission_controller.inject_config.mode': 'socket' }));
    const init = 'datadog-lib-java-init';
    expect(envEntry(m.pod, init, 'DD_TRACE_AGENT_URL')).toEqual({ name: 'DD_TRACE_AGENT_URL', value: 'unix:///var/run/datadog/apm.socket' });
    expect(envEntry(m.pod, init, 'DD_DOGSTATSD_URL')).toEqual({ name: 'DD_DOGSTATSD_URL', value: 'unix:///var/run/datadog/dsd.socket' });
    expect(containerOf(m.pod, 'app').volumeMounts).toEqual([
      { name: 'datadog', mountPath: '/var/run/datadog', readOnly: true },
      { name: 'datadog-auto-instrumentation', mountPath: '/datadog-lib' },
    ]);
    expect((m.pod.spec?.volumes ?? []).filter((v) => v.name === 'datadog')).toHaveLength(1);
    expectPatchGivesPod(input, m);
  });

  it('reinvocation_policy Never: no reinvocation, the new init container has no config vars', () => {
    const m = mutate(javaPod(), { namespace: 'shop' }, config({ 'admission_controller.reinvocation_policy': 'Never' }));
    expect(m.calls.some((c) => c.reinvocation)).toBe(false);
    expect(envEntry(m.pod, 'datadog-lib-java-init', 'DD_AGENT_HOST')).toBeUndefined();
  });

  it('every handler is idempotent: running the result through the admission path again changes nothing', () => {
    for (const mode of ['hostip', 'service', 'socket']) {
      const c = config({ 'admission_controller.inject_config.mode': mode, 'apm_config.instrumentation.enabled': true });
      const first = mutate(javaPod(), { namespace: 'shop', agentNamespace: 'datadog' }, c);
      const second = mutate(first.pod, { namespace: 'shop', agentNamespace: 'datadog' }, c);
      expect(second.patch, mode).toEqual([]);
      expect(second.pod).toEqual(first.pod);
      expect(second.skipped.some((s) => s.webhook === 'auto-instrumentation' && s.code === 'already-injected')).toBe(true);
    }
  });
});
