// Spec conformance: spec/7.78/probe-7.78.md §2 (keys), §3.3 (the probe object and its result),
// §4.1 (classification and log lines), §4.3 (hints), §5 (statistics).
import { describe, expect, it } from 'vitest';
import {
  KEY_VERSIONS,
  keyReleases,
  CONFIG_KEYS,
  EMPTY_PROBE_STATS,
  outcomeOfAnswer,
  parseConfig,
  probeConfigMap,
  probeFailureLine,
  probeHint,
  probeStatus,
  providerOfServerVersion,
  readAgentVersion,
  recordProbeRun,
  successRate,
} from '@dd-admission/core';
import { configAt } from '../helpers.js';

const T1 = Date.parse('2026-03-05T13:06:11Z');
const T2 = T1 + 60_000;

describe('keys (§2)', () => {
  it('defaults: off, every 60 s after a 60 s grace period', () => {
    const probe = configAt('7.78').admission_controller.probe;
    expect(probe).toEqual({ enabled: false, interval: 60, grace_period: 60 });
  });

  it('a non-positive interval is refused at load time, naming the key and where it was set', () => {
    for (const value of ['0', '-5']) {
      const r = parseConfig({ origin: 'environment', values: { DD_ADMISSION_CONTROLLER_PROBE_INTERVAL: value } }, { agentVersion: '7.78' });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.errors).toEqual([
        {
          key: 'admission_controller.probe.interval',
          origin: 'environment (DD_ADMISSION_CONTROLLER_PROBE_INTERVAL)',
          message: 'must be a positive number of seconds (the Cluster Agent would crash on 0 or less)',
        },
      ]);
    }
  });

  it('every key with a release of its own is a real key and the release a version', () => {
    const keys = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const key of Object.keys(KEY_VERSIONS)) {
      expect(keys.has(key), key).toBe(true);
      expect(readAgentVersion(keyReleases(key).replace(/^before |\+$/g, '')), key).toBeDefined();
    }
  });
});

describe('one probe (§3.3)', () => {
  it('the dry-run ConfigMap: generateName, the resources namespace, the probe label', () => {
    expect(probeConfigMap('datadog')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'datadog-admission-probe-', namespace: 'datadog', labels: { 'admission.datadoghq.com/probe': 'true' } },
    });
  });

  it('success when the answer carries admission.datadoghq.com/probe-received (any value), else not annotated', () => {
    expect(outcomeOfAnswer({ metadata: { annotations: { 'admission.datadoghq.com/probe-received': 'true' } } })).toEqual({ kind: 'success' });
    expect(outcomeOfAnswer({ metadata: { annotations: { 'admission.datadoghq.com/probe-received': '' } } })).toEqual({ kind: 'success' });
    expect(outcomeOfAnswer({ metadata: { annotations: { other: 'x' } } })).toEqual({ kind: 'not-annotated' });
    expect(outcomeOfAnswer({ metadata: {} })).toEqual({ kind: 'not-annotated' });
    expect(outcomeOfAnswer(undefined)).toEqual({ kind: 'not-annotated' });
  });
});

describe('statistics (§4.1, §5)', () => {
  it('a success, then a failure: counts, times, last error', () => {
    const one = recordProbeRun(EMPTY_PROBE_STATS, { kind: 'success' }, 'datadog', T1);
    expect(one).toEqual({ totalExecutions: 1, successCount: 1, failCount: 0, lastExecutionTime: T1, lastExecutionSuccess: true, lastExecutionError: '', lastSuccessTime: T1, configError: '' });
    const two = recordProbeRun(one, { kind: 'not-annotated' }, 'datadog', T2);
    expect(two).toEqual({
      totalExecutions: 2,
      successCount: 1,
      failCount: 1,
      lastExecutionTime: T2,
      lastExecutionSuccess: false,
      lastExecutionError: 'dry-run probe configmap was not annotated by the webhook',
      lastSuccessTime: T1,
      configError: '',
    });
  });

  it('Forbidden sets ConfigError; the next successful run clears it', () => {
    const forbidden = recordProbeRun(EMPTY_PROBE_STATS, { kind: 'forbidden', message: 'configmaps is forbidden: User "x" cannot create resource "configmaps"' }, 'datadog', T1);
    expect(forbidden.configError).toBe(
      'The cluster agent service account does not have permission to create configmaps in namespace "datadog". Grant configmap creation RBAC to enable connectivity probing.',
    );
    expect(forbidden.lastExecutionError).toBe('configmaps is forbidden: User "x" cannot create resource "configmaps"');
    expect(recordProbeRun(forbidden, { kind: 'success' }, 'datadog', T2).configError).toBe('');
  });

  it('the status keys of a leader with statistics', () => {
    const stats = recordProbeRun(recordProbeRun(EMPTY_PROBE_STATS, { kind: 'success' }, 'datadog', T1), { kind: 'error', message: 'context deadline exceeded' }, 'datadog', T2);
    expect(probeStatus({ enabled: true, started: true, leader: true, stats, hint: 'a hint' })).toEqual({
      Enabled: true,
      HasStats: true,
      TotalExecutions: 2,
      SuccessCount: 1,
      FailCount: 1,
      SuccessRate: '50.0%',
      LastExecutionTime: '2026-03-05T13:07:11Z',
      LastExecutionSuccess: false,
      LastExecutionError: 'context deadline exceeded',
      LastSuccessTime: '2026-03-05T13:06:11Z',
      DiagnosticHint: 'a hint',
    });
  });

  it("success rate: one decimal and %, N/A before any run, ties rounded to even as Go's %.1f does", () => {
    const rate = (successCount: number, totalExecutions: number) => successRate({ successCount, totalExecutions });
    expect([rate(0, 0), rate(2, 3), rate(1, 4), rate(1, 3), rate(4, 4), rate(0, 7)]).toEqual(['N/A', '66.7%', '25.0%', '33.3%', '100.0%', '0.0%']);
    // 49/400 = 12.25 exactly in binary: Go prints 12.2 where toFixed alone would print 12.3.
    expect([rate(49, 400), rate(51, 400), rate(1, 400)]).toEqual(['12.2%', '12.8%', '0.2%']);
  });
});

describe('log lines (§4.1) and hints (§4.3)', () => {
  const hint = probeHint('eks');

  it('the spec\'s lines for each classification, none for a success', () => {
    expect(probeFailureLine({ kind: 'success' }, 'datadog', hint)).toBeUndefined();
    expect(probeFailureLine({ kind: 'forbidden', message: 'x' }, 'datadog', hint)).toBe(
      'Admission controller probe misconfigured: The cluster agent service account does not have permission to create configmaps in namespace "datadog". Grant configmap creation RBAC to enable connectivity probing.',
    );
    expect(probeFailureLine({ kind: 'not-annotated' }, 'datadog', hint)).toBe(
      'Admission controller probe failed: the webhook did not handle the probe configmap. This indicates a network connectivity issue between the Kubernetes API server and the cluster agent admission webhook. EKS detected: ensure your node security groups allow inbound TCP on port 8000 from the cluster security group.',
    );
    expect(probeFailureLine({ kind: 'error', message: 'connect ECONNREFUSED 10.0.0.1:443' }, 'datadog', hint)).toBe('Admission controller probe failed: connect ECONNREFUSED 10.0.0.1:443');
  });

  it('one hint per provider, the generic one otherwise', () => {
    expect([probeHint('eks'), probeHint('gke'), probeHint('aks'), probeHint(undefined)]).toEqual([
      'EKS detected: ensure your node security groups allow inbound TCP on port 8000 from the cluster security group.',
      'GKE detected: if using a private cluster, ensure your firewall rules allow ingress over TCP on port 8000 from the control plane CIDR.',
      'AKS detected: ensure providers.aks.enabled is set to true in your Helm/Operator configuration.',
      "Ensure proper inbound network connectivity to the cluster agent's node on port 8000.",
    ]);
  });

  it('the provider from the API server version: EKS and GKE builds say so, others do not', () => {
    expect(['v1.29.4-eks-036c24b', 'v1.30.5-gke.1014001', 'v1.29.7', 'v1.28.3+k3s1', undefined].map(providerOfServerVersion)).toEqual(['eks', 'gke', undefined, undefined, undefined]);
  });
});
