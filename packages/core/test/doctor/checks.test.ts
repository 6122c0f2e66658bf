// The checks one by one, on the healthy cluster with one thing changed: the
// cases the seeded clusters do not cover (permissions, installers, versions,
// the probe's other answers, partial data).
import { describe, expect, it } from 'vitest';
import {
  agentContext,
  classifyProbeError,
  DistributionNameError,
  doctorContext,
  parseDistributions,
  podScanner,
  runDoctor,
  SNAPSHOT_RESOURCES,
  snapshotFromDocuments,
  snapshotFromLists,
  type ClusterSnapshot,
  type ProbeResult,
  type ReportOptions,
  type SnapshotResource,
  type Unreadable,
} from '@dd-admission/core';
import { base64, CLUSTER_NOW, clusterDocuments, healthyCluster, mutatedProbe, readCertificateFacts, webPod } from '@dd-admission/testing';

// Tests reach into the plain objects they build.
type AnyObj = Record<string, any>;

const NOW = Date.parse(CLUSTER_NOW);

/** The healthy cluster's objects with one edit. */
function edited(edit: (c: AnyObj) => void = () => {}): AnyObj[] {
  const c = healthyCluster();
  edit(c);
  return clusterDocuments(c);
}

/** The edited cluster read from a dump. */
function cluster(edit?: (c: AnyObj) => void): ClusterSnapshot {
  return snapshotFromDocuments(edited(edit));
}

/** The edited cluster read live, with some resources refused. */
function live(unreadable: Unreadable[], edit?: (c: AnyObj) => void): ClusterSnapshot {
  const byKind = new Map(Object.entries(SNAPSHOT_RESOURCES).map(([r, v]) => [v.kind, r as SnapshotResource]));
  const lists: Partial<Record<SnapshotResource, unknown[]>> = {};
  for (const o of edited(edit)) {
    const resource = byKind.get(o.kind)!;
    if (!unreadable.some((u) => u.resource === resource)) (lists[resource] ??= []).push(o);
  }
  return snapshotFromLists(lists, { unreadable });
}

function doctor(snapshot: ClusterSnapshot, options: Partial<ReportOptions> = {}) {
  return runDoctor(snapshot, { now: NOW, readCertificate: readCertificateFacts, ...options });
}

function check(snapshot: ClusterSnapshot, id: string, options: Partial<ReportOptions> = {}) {
  return doctor(snapshot, options).checks.find((c) => c.id === id)!;
}

const agentEnv = (c: AnyObj): AnyObj[] => c.agentDeployment.spec.template.spec.containers[0].env;
function setEnv(c: AnyObj, name: string, value: string): void {
  const env = agentEnv(c);
  const i = env.findIndex((e) => e.name === name);
  if (i >= 0) env[i] = { name, value };
  else env.push({ name, value });
}

describe('permissions', () => {
  it('skips a check whose resource cannot be listed, naming the verb and resource it needs', () => {
    const snapshot = live([
      { resource: 'secrets', verb: 'list', message: 'secrets is forbidden: User "alice" cannot list resource "secrets"' },
      { resource: 'mutatingwebhookconfigurations', verb: 'list', message: 'forbidden' },
    ]);
    const report = doctor(snapshot);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['certificate']).toMatchObject({ status: 'skip', summary: 'not readable: needs list secrets' });
    expect(byId['webhook-configuration']).toMatchObject({ status: 'skip', summary: 'not readable: needs list mutatingwebhookconfigurations.admissionregistration.k8s.io' });
    expect(byId['failure-policy']!.status).toBe('skip');
    expect(report.cluster.unreadable).toEqual([
      { resource: 'secrets', needs: 'list secrets', message: 'secrets is forbidden: User "alice" cannot list resource "secrets"' },
      { resource: 'mutatingwebhookconfigurations', needs: 'list mutatingwebhookconfigurations.admissionregistration.k8s.io', message: 'forbidden' },
    ]);
  });

  it('finds the Cluster Agent by its container when the webhook configuration is not readable', () => {
    const found = check(live([{ resource: 'mutatingwebhookconfigurations', verb: 'list', message: 'forbidden' }]), 'cluster-agent');
    expect(found.status).toBe('ok');
    expect(found.details[0]).toContain('the Deployment with a cluster-agent container');
  });

  it('says a ConfigMap-backed value is unknown when ConfigMaps cannot be read', () => {
    const found = check(live([{ resource: 'configmaps', verb: 'list', message: 'forbidden' }]), 'cluster-agent');
    expect(found.details).toContain('DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: from ConfigMap datadog-cluster-agent-admission key mode: not readable: needs list configmaps');
  });
});

describe('cluster-agent', () => {
  it('fails on a configuration that does not parse, naming the variable; the other checks wait', () => {
    const report = doctor(cluster((c) => setEnv(c, 'DD_ADMISSION_CONTROLLER_PORT', 'eighty')));
    const agent = report.checks[0]!;
    expect(agent).toMatchObject({ id: 'cluster-agent', status: 'fail' });
    expect(agent.details[0]).toMatch(/^datadog\/datadog-cluster-agent env DD_ADMISSION_CONTROLLER_PORT: admission_controller\.port: expected a whole number/);
    expect(new Set(report.checks.slice(1).map((c) => `${c.status} ${c.summary}`))).toEqual(new Set(["skip the Cluster Agent's configuration does not parse (see cluster-agent)"]));
  });

  it('fails when the admission controller is disabled, with the Helm value that enables it', () => {
    const report = doctor(cluster((c) => setEnv(c, 'DD_ADMISSION_CONTROLLER_ENABLED', 'false')));
    expect(report.checks[0]).toMatchObject({
      status: 'fail',
      summary: 'the admission controller is disabled: admission_controller.enabled false (datadog/datadog-cluster-agent env DD_ADMISSION_CONTROLLER_ENABLED)',
      fix: 'helm upgrade datadog datadog/datadog -n datadog --reuse-values --set clusterAgent.admissionController.enabled=true',
    });
    expect(report.checks.slice(1).every((c) => c.status === 'skip' && c.summary === 'the admission controller is disabled (see cluster-agent)')).toBe(true);
  });

  it('fails when no Cluster Agent runs, and the other checks say why they wait', () => {
    const report = doctor(cluster((c) => (c.agentDeployment = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'placeholder', namespace: 'datadog' } })));
    expect(report.checks[0]).toMatchObject({ status: 'fail', summary: 'no Cluster Agent Deployment found' });
    expect(report.checks[1]).toMatchObject({ status: 'skip', summary: 'no Cluster Agent found (see cluster-agent)' });
    expect(report.cluster.clusterAgent).toBeNull();
  });

  it('fails with no ready replica', () => {
    const found = check(cluster((c) => (c.agentDeployment.status = { replicas: 1, readyReplicas: 0 })), 'cluster-agent');
    expect(found).toMatchObject({ status: 'fail', summary: '0/1 Cluster Agent replicas ready: nothing serves the webhook' });
  });

  it('emulates the nearest supported release for an image outside the range, and the newest for an untagged image', () => {
    const old = doctor(cluster((c) => (c.agentDeployment.spec.template.spec.containers[0].image = 'gcr.io/datadoghq/cluster-agent:7.45.0')));
    expect(old.cluster.clusterAgent).toMatchObject({ version: '7.49', versionOrigin: 'image gcr.io/datadoghq/cluster-agent:7.45.0' });
    expect(old.checks[0]!.details.join('\n')).toContain('Cluster Agent 7.45 is outside the emulated range; emulating the oldest supported release, 7.49');
    const latest = doctor(cluster((c) => (c.agentDeployment.spec.template.spec.containers[0].image = 'gcr.io/datadoghq/cluster-agent:latest')));
    expect(latest.cluster.clusterAgent).toMatchObject({ version: '7.78', versionOrigin: 'default' });
  });

  it('takes the caller\'s version and overrides over what the cluster says', () => {
    const report = doctor(cluster(), { agentVersion: '7.78.1', agentVersionOrigin: '--agent-version', overrides: [{ origin: '--set', values: { 'admission_controller.mutate_unlabelled': 'true' } }] });
    expect(report.cluster.clusterAgent).toMatchObject({ version: '7.78.1', versionOrigin: '--agent-version' });
    expect(report.checks.find((c) => c.id === 'opt-in')!.details).toContain('admission_controller.mutate_unlabelled true (--set)');
  });

  it('reads envFrom ConfigMaps, and says which config variables come from Secrets it does not read', () => {
    const found = check(
      cluster((c) => {
        c.agentDeployment.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'extra' } }];
        c.workloads.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'datadog' }, data: { DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'true' } });
        const env = agentEnv(c).filter((e) => e.name !== 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED');
        env.push({ name: 'DD_ADMISSION_CONTROLLER_WEBHOOK_NAME', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } });
        c.agentDeployment.spec.template.spec.containers[0].env = env.filter((e, i) => !(e.name === 'DD_ADMISSION_CONTROLLER_WEBHOOK_NAME' && i < env.length - 1));
      }),
      'cluster-agent',
    );
    expect(found.details).toContain('admission_controller.mutate_unlabelled true (ConfigMap datadog/extra key DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED (datadog/datadog-cluster-agent envFrom))');
    expect(found.details).toContain('DD_ADMISSION_CONTROLLER_WEBHOOK_NAME: from a Secret, which the doctor does not read: its value is not known');
  });
});

describe('fixes for each installer', () => {
  const failPolicy = (c: AnyObj) => {
    setEnv(c, 'DD_ADMISSION_CONTROLLER_FAILURE_POLICY', 'Fail');
    for (const w of c.webhookConfiguration.webhooks) w.failurePolicy = 'Fail';
  };

  it('patches the DatadogAgent of an Operator install', () => {
    const found = check(
      cluster((c) => {
        failPolicy(c);
        c.agentDeployment.metadata.labels = { 'app.kubernetes.io/managed-by': 'datadog-operator', 'agent.datadoghq.com/name': 'datadog' };
      }),
      'failure-policy',
    );
    expect(found.fix).toBe(`kubectl patch datadogagent datadog -n datadog --type merge -p '{"spec":{"features":{"admissionController":{"failurePolicy":"Ignore"}}}}'`);
  });

  it('sets the env var of a plain Deployment', () => {
    const found = check(
      cluster((c) => {
        failPolicy(c);
        c.agentDeployment.metadata.labels = {};
      }),
      'failure-policy',
    );
    expect(found.fix).toBe('kubectl set env deployment/datadog-cluster-agent -n datadog -c cluster-agent DD_ADMISSION_CONTROLLER_FAILURE_POLICY=Ignore');
  });
});

describe('distribution', () => {
  it('detects from the server version and API groups when live, and lets a declaration win', () => {
    const snapshot = snapshotFromLists({}, { serverVersion: { major: '1', minor: '28', gitVersion: 'v1.28.9-gke.1000000' }, apiGroups: ['route.openshift.io', 'management.cattle.io'] });
    const detected = doctor(snapshot).cluster.distribution;
    expect(detected.names).toEqual(['gke', 'openshift', 'rancher']);
    expect(detected.signals).toContainEqual({ distribution: 'gke', strength: 'strong', evidence: 'API server version v1.28.9-gke.1000000' });
    const declared = doctor(snapshot, { distributions: parseDistributions(['rancher-eks']) }).cluster.distribution;
    expect(declared).toMatchObject({ names: ['eks', 'rancher'], source: 'declared' });
  });

  it('reads --distribution values, comma-separated or repeated, implying GKE', () => {
    expect(parseDistributions(['gke-autopilot,aks', 'rancher-gke-private'])).toEqual(['gke', 'gke-autopilot', 'gke-private', 'aks', 'rancher']);
    expect(() => parseDistributions(['k3s'])).toThrow(DistributionNameError);
    expect(() => parseDistributions(['k3s'])).toThrow('unknown distribution "k3s" (expected one of gke, gke-autopilot, gke-private, eks, aks, openshift, rancher, rancher-eks, rancher-gke-private)');
  });

  it('sees Autopilot in pod annotations and private GKE nodes in their addresses', () => {
    const snapshot = cluster((c) => {
      for (const n of c.nodes) {
        n.metadata.labels = { 'cloud.google.com/gke-nodepool': 'default-pool' };
        n.status.addresses = [{ type: 'InternalIP', address: '10.0.0.1' }];
        n.spec = {};
        n.status.nodeInfo = {};
      }
      c.agentPods[0].metadata.annotations = { 'autopilot.gke.io/resource-adjustment': '{}' };
    });
    expect(doctor(snapshot).cluster.distribution.names).toEqual(['gke', 'gke-autopilot', 'gke-private']);
  });
});

describe('webhook-service', () => {
  it('resolves a named targetPort through the Cluster Agent container', () => {
    expect(check(cluster((c) => (c.webhookService.spec.ports[0].targetPort = 'datadog-webhook')), 'webhook-service').status).toBe('ok');
    const wrong = check(cluster((c) => (c.webhookService.spec.ports[0].targetPort = 'metrics')), 'webhook-service');
    expect(wrong.summary).toContain("forwards port 443 to the port named metrics, which the Cluster Agent container does not declare");
  });

  it('reads EndpointSlices when there is no Endpoints object, and fails without a ready address', () => {
    const slice = (ready: boolean) => (c: AnyObj) => {
      c.webhookEndpoints = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'datadog-cluster-agent-admission-controller-x8k2', namespace: 'datadog', labels: { 'kubernetes.io/service-name': 'datadog-cluster-agent-admission-controller' } },
        endpoints: [{ addresses: ['10.0.1.23'], conditions: { ready }, targetRef: { kind: 'Pod', name: 'dca-1' } }],
        ports: [{ port: 8000 }],
      };
    };
    expect(check(cluster(slice(true)), 'webhook-service').summary).toContain('1 ready endpoint (10.0.1.23 (dca-1))');
    const down = check(cluster(slice(false)), 'webhook-service');
    expect(down).toMatchObject({ status: 'fail', details: ['not ready: 10.0.1.23 (dca-1)'] });
  });

  it('fails without the Service, with the command that creates it', () => {
    const found = check(cluster((c) => (c.webhookService.metadata.name = 'other')), 'webhook-service');
    expect(found).toMatchObject({
      status: 'fail',
      fix: 'kubectl expose deployment/datadog-cluster-agent -n datadog --name datadog-cluster-agent-admission-controller --port 443 --target-port 8000',
    });
  });
});

describe('certificate', () => {
  it('warns inside the renewal threshold', () => {
    const found = check(cluster(), 'certificate', { now: Date.parse('2026-12-20T00:00:00Z') });
    expect(found.status).toBe('warn');
    expect(found.summary).toContain('expires in 288h0m0s, inside the 720h renewal threshold');
  });

  it('fails on a missing Secret and on a cert.pem that is not a certificate', () => {
    expect(check(cluster((c) => (c.webhookSecret.metadata.name = 'other')), 'certificate').summary).toBe('Secret datadog/webhook-certificate does not exist: the Cluster Agent has no certificate to serve');
    const garbled = check(cluster((c) => (c.webhookSecret.data['cert.pem'] = base64('not a certificate'))), 'certificate');
    expect(garbled.status).toBe('fail');
    expect(garbled.summary).toMatch(/^Secret datadog\/webhook-certificate: cert\.pem is not a readable certificate: /);
  });
});

describe('webhook-configuration', () => {
  it('fails without the configuration or without an entry', () => {
    expect(check(cluster((c) => (c.webhookConfiguration.metadata.name = 'something-else')), 'webhook-configuration').summary).toBe(
      'MutatingWebhookConfiguration datadog-webhook does not exist: the API server calls no Datadog webhook',
    );
    const missing = check(cluster((c) => c.webhookConfiguration.webhooks.pop()), 'webhook-configuration');
    expect(missing.summary).toBe('no entry for datadog.webhook.auto.instrumentation: those webhooks are never called');
  });

  it('expects no entry for a disabled webhook', () => {
    const snapshot = cluster((c) => {
      c.webhookConfiguration.webhooks.pop();
      setEnv(c, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_ENABLED', 'false');
    });
    expect(check(snapshot, 'webhook-configuration').status).toBe('ok');
  });
});

describe('failure-policy', () => {
  it('warns when the timeouts add up to the API server request timeout', () => {
    const found = check(cluster((c) => c.webhookConfiguration.webhooks.forEach((w: AnyObj) => (w.timeoutSeconds = 30))), 'failure-policy');
    expect(found.status).toBe('warn');
    expect(found.summary).toContain("the webhooks' timeouts add up to 90s");
    expect(found.fix).toBe(
      'add {name: DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS, value: "19"} to clusterAgent.env in the values of release datadog, then: helm upgrade datadog datadog/datadog -n datadog --reuse-values -f <values.yaml>',
    );
  });
});

describe('aks-selectors', () => {
  const aks = (c: AnyObj) => {
    for (const n of c.nodes) n.metadata.labels = { 'kubernetes.azure.com/cluster': 'MC_x' };
  };

  it('is ok when the configuration is exempt from the admissions enforcer', () => {
    const found = check(cluster((c) => (aks(c), (c.webhookConfiguration.metadata.annotations = { 'admissions.enforcer/disabled': 'true' }))), 'aks-selectors');
    expect(found.status).toBe('ok');
  });

  it('warns when the selectors are configured but not written yet, and is ok once they are', () => {
    const enabled = (c: AnyObj) => (aks(c), setEnv(c, 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', 'true'));
    expect(check(cluster(enabled), 'aks-selectors').status).toBe('warn');
    const written = (c: AnyObj) => {
      enabled(c);
      for (const w of c.webhookConfiguration.webhooks) w.namespaceSelector = { matchExpressions: [{ key: 'control-plane', operator: 'DoesNotExist' }] };
    };
    expect(check(cluster(written), 'aks-selectors').status).toBe('ok');
  });

  it('asks the Operator for the AKS provider', () => {
    const found = check(cluster((c) => (aks(c), (c.agentDeployment.metadata.labels = { 'agent.datadoghq.com/name': 'dd' }))), 'aks-selectors');
    expect(found.fix).toBe('kubectl annotate datadogagent dd -n datadog agent.datadoghq.com/cluster-provider=aks');
  });
});

describe('network-policy', () => {
  const only = (rule: AnyObj) => (c: AnyObj) => {
    c.networkPolicies[0].spec.ingress = [rule];
  };

  it('warns when the webhook port is admitted only from some CIDRs', () => {
    const found = check(cluster(only({ from: [{ ipBlock: { cidr: '172.16.0.0/28' } }], ports: [{ port: 8000 }] })), 'network-policy');
    expect(found).toMatchObject({ status: 'warn' });
    expect(found.summary).toContain('only from 172.16.0.0/28');
  });

  it('reads named ports, port ranges and 0.0.0.0/0', () => {
    expect(check(cluster(only({ ports: [{ port: 'datadog-webhook' }] })), 'network-policy').status).toBe('ok');
    expect(check(cluster(only({ ports: [{ port: 7000, endPort: 9000 }] })), 'network-policy').status).toBe('ok');
    expect(check(cluster(only({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8000 }] })), 'network-policy').status).toBe('ok');
    expect(check(cluster(only({ ports: [{ port: 8000, protocol: 'UDP' }] })), 'network-policy').status).toBe('fail');
  });

  it('ignores policies for a Cluster Agent on the host network', () => {
    const found = check(cluster((c) => (only({ ports: [{ port: 1 }] })(c), (c.agentDeployment.spec.template.spec.hostNetwork = true))), 'network-policy');
    expect(found.status).toBe('ok');
    expect(found.summary).toContain('host network');
  });
});

describe('workload-labels and opt-in', () => {
  const labelled = (value: string) => (c: AnyObj) => (c.workloads[0].spec.template.metadata.labels['admission.datadoghq.com/enabled'] = value);

  it('warns on an enabled label that is neither "true" nor "false"', () => {
    const found = check(cluster(labelled('yes')), 'workload-labels');
    expect(found.status).toBe('warn');
    expect(found.summary).toBe('deployment/web -n shop: label admission.datadoghq.com/enabled="yes" is neither "true" nor "false": the webhooks ignore it');
  });

  it('checks only the namespaces in scope', () => {
    const snapshot = cluster(labelled('yes'));
    expect(check(snapshot, 'workload-labels', { namespaces: ['default'] }).status).toBe('ok');
    expect(check(snapshot, 'opt-in', { namespaces: ['default'] })).toMatchObject({ status: 'fail' });
  });

  it('counts a namespace-wide opt-in by mutate_unlabelled', () => {
    const found = check(cluster((c) => setEnv(c, 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED', 'true')), 'opt-in');
    expect(found.summary).toBe('every pod not labelled admission.datadoghq.com/enabled: "false" is mutated (admission_controller.mutate_unlabelled true (datadog/datadog-cluster-agent env DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED))');
  });
});

describe('stale-pods', () => {
  /** `count` pods of the web Deployment created before the webhook, without what it injects. */
  const stalePods = (count: number, edit: (pod: AnyObj) => void = () => {}) => (c: AnyObj) => {
    for (let i = 0; i < count; i++) {
      const pod = webPod(`web-7c9d8f6b5-old${i}`, `2025-12-2${i}T09:00:00Z`, []);
      edit(pod);
      c.workloads.push(pod);
    }
  };

  it("tallies a workload's stale pods as they are scanned: the count, the first names, the newest creation time", () => {
    const snapshot = cluster(stalePods(5));
    const { pods } = doctorContext(snapshot, { now: NOW, readCertificate: readCertificateFacts });
    expect(pods.stale).toEqual([
      { namespace: 'shop', owner: { kind: 'Deployment', name: 'web' }, count: 5, names: ['web-7c9d8f6b5-old0', 'web-7c9d8f6b5-old1', 'web-7c9d8f6b5-old2'], injects: expect.stringContaining('DD_AGENT_HOST'), newest: '2025-12-24T09:00:00Z' },
    ]);
    const finding = check(snapshot, 'stale-pods');
    expect(finding.summary).toBe('5 running pods in 1 workload lack what the webhook injects today: recreate them');
    expect(finding.details[0]).toMatch(/^Deployment\/web in shop: 5 pods \(web-7c9d8f6b5-old0, web-7c9d8f6b5-old1, web-7c9d8f6b5-old2 \(\+2 more\)\) would get env /);
    expect(finding.fix).toBe('kubectl rollout restart deployment/web -n shop');
  });

  it('keeps every name when the fix deletes the pods one by one (a Job nothing restarts)', () => {
    const snapshot = cluster((c) => {
      c.workloads.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop' } });
      stalePods(5, (pod) => (pod.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: 'uid-migrate', controller: true }]))(c);
    });
    expect(check(snapshot, 'stale-pods').fix).toBe(
      'kubectl delete pod web-7c9d8f6b5-old0 web-7c9d8f6b5-old1 web-7c9d8f6b5-old2 web-7c9d8f6b5-old3 web-7c9d8f6b5-old4 -n shop   # its Job migrate recreates them',
    );
  });

  it('judges no pod when the admission controller is disabled (the check is skipped): running pods are only counted', () => {
    const snapshot = cluster((c) => {
      setEnv(c, 'DD_ADMISSION_CONTROLLER_ENABLED', 'false');
      stalePods(5)(c);
    });
    const { pods } = doctorContext(snapshot, { now: NOW, readCertificate: readCertificateFacts });
    expect(pods.stale).toEqual([]);
    expect(pods.checked).toBe(snapshot.objects.pods.filter((p) => p.status?.phase === 'Running').length);
    expect(check(snapshot, 'stale-pods')).toMatchObject({ status: 'skip', summary: 'the admission controller is disabled (see cluster-agent)' });
  });

  it("a scan's result is a copy: pods added after it do not change it", () => {
    const snapshot = cluster((c) => {
      stalePods(5)(c);
      c.workloads.push({ ...webPod('bare-1', '2025-12-20T09:00:00Z', []), metadata: { name: 'bare-1', namespace: 'shop', labels: { 'admission.datadoghq.com/enabled': 'true' } } });
    });
    const stale = snapshot.objects.pods.filter((p) => p.metadata.name.startsWith('web-7c9d8f6b5-old'));
    const scanner = podScanner(snapshot, agentContext(snapshot, { now: NOW, readCertificate: readCertificateFacts }));
    scanner.add(stale[0]!);
    const first = scanner.result();
    const copy = structuredClone(first);
    for (const pod of [...stale.slice(1), snapshot.objects.pods.find((p) => p.metadata.name === 'bare-1')!]) scanner.add(pod);
    expect(first).toEqual(copy);
    expect(scanner.result()).toMatchObject({ count: 6, stale: [{ count: 5, names: stale.slice(0, 3).map((p) => p.metadata.name) }, { count: 1 }], labelledBarePods: [{ name: 'bare-1' }] });
  });
});

describe('connectivity', () => {
  const probe = (p: Partial<ProbeResult> & Pick<ProbeResult, 'outcome'>): ProbeResult => ({ namespace: 'shop', elapsedMs: 40, ...p }) as ProbeResult;
  const unmutated = (elapsedMs: number) => probe({ outcome: 'created', elapsedMs, pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'probe' }] } } });

  it('classifies the API server\'s errors', () => {
    const said = (reason: string) => `Internal error occurred: failed calling webhook "datadog.webhook.config": failed to call webhook: Post "https://datadog-cluster-agent-admission-controller.datadog.svc:443/injectconfig?timeout=10s": ${reason}`;
    expect(classifyProbeError(said('context deadline exceeded'))).toBe('timeout');
    expect(classifyProbeError(said('dial tcp 10.0.1.23:8000: connect: connection refused'))).toBe('refused');
    expect(classifyProbeError(said('tls: failed to verify certificate: x509: certificate signed by unknown authority'))).toBe('certificate');
    expect(classifyProbeError(said('no endpoints available for service "datadog-cluster-agent-admission-controller"'))).toBe('no-endpoints');
    expect(classifyProbeError(said('service "datadog-cluster-agent-admission-controller" not found'))).toBe('service-missing');
    expect(classifyProbeError('pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "shop"')).toBe('forbidden');
    expect(classifyProbeError('admission webhook "validate.kyverno.svc" denied the request')).toBe('other');
  });

  it('names the check that explains a rejection', () => {
    const snapshot = cluster((c) => (c.webhookConfiguration = { ...c.webhookConfiguration, webhooks: c.webhookConfiguration.webhooks.map((w: AnyObj) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: base64('x') } })) }));
    const found = check(snapshot, 'connectivity', { probe: probe({ outcome: 'rejected', message: 'x509: certificate signed by unknown authority' }) });
    expect(found).toMatchObject({ status: 'fail', summary: "the API server does not trust the webhook's certificate" });
    expect(found.details[1]).toMatch(/^see certificate: the webhooks trust CA bundle digest /);
  });

  it('skips when the probe itself was not allowed', () => {
    const found = check(cluster(), 'connectivity', { probe: probe({ outcome: 'rejected', message: 'pods is forbidden: User "alice" cannot create resource "pods"' }) });
    expect(found).toMatchObject({ status: 'skip', summary: 'the probe was not allowed: needs create pods in shop' });
  });

  it('tells a fast unmutated answer from a timeout, and correlates it', () => {
    const fast = check(cluster((c) => (c.webhookEndpoints.subsets = [])), 'connectivity', { probe: unmutated(35) });
    expect(fast).toMatchObject({ status: 'fail', summary: 'the probe pod came back unmutated: webhook-service explains why' });
    const unexplained = check(cluster(), 'connectivity', { probe: unmutated(35) });
    expect(unexplained.summary).toBe('the probe pod came back unmutated in 35 ms, and no other check explains it');
  });

  it('gives the fix of the distribution when the control plane cannot reach the webhook', () => {
    const gke = (c: AnyObj) => {
      for (const n of c.nodes) n.metadata.labels = { 'cloud.google.com/gke-nodepool': 'default-pool' };
    };
    const found = check(cluster(gke), 'connectivity', { probe: unmutated(9_900) });
    expect(found.status).toBe('fail');
    expect(found.fix).toContain('--allow tcp:8000 --target-tags');
    const rancherEks = check(cluster(), 'connectivity', { probe: probe({ outcome: 'rejected', message: 'context deadline exceeded' }), distributions: ['rancher', 'eks'] });
    expect(rancherEks.fix).toContain('helm upgrade datadog datadog/datadog -n datadog --reuse-values --set clusterAgent.useHostNetwork=true');
    expect(rancherEks.fix).toContain('aws ec2 authorize-security-group-ingress');
  });

  it('skips when the configuration injects nothing into the probe pod', () => {
    const found = check(cluster((c) => (setEnv(c, 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENABLED', 'false'), setEnv(c, 'DD_ADMISSION_CONTROLLER_INJECT_TAGS_ENABLED', 'false'))), 'connectivity', {
      probe: mutatedProbe(),
    });
    expect(found.status).toBe('skip');
  });
});
