// Spec conformance: spec/7.78/probe-7.78.md §3.2 (the loop: grace period, ticks, leader only, log lines),
// §3.3 (one probe), §4.1 (classification, one error line per 10 minutes), §4.3 (hint), §5 (statistics).
// Time is a manual clock and the loop's waits are released by the test, one at a time, in order.
import { describe, expect, it } from 'vitest';
import type { ProbeProvider } from '@dd-admission/core';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { startProbeLoop, type ProbeLoopOptions, type Sleep } from '../src/controllers/probe-loop.js';
import { metricValue } from './helpers.js';

const T0 = Date.parse('2026-03-05T13:00:00Z');
const MINUTE = 60_000;

/** A clock that only moves when the test releases the loop's pending wait. */
function manualTime() {
  let now = T0;
  const pending: { ms: number; resolve: () => void }[] = [];
  let onWait: (() => void) | undefined;
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      pending.push({ ms, resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
      onWait?.();
    });
  /** The duration of the wait the loop is in, once it is in one. */
  const waiting = async (): Promise<number> => {
    while (pending.length === 0) await new Promise<void>((r) => (onWait = r));
    return pending[0]!.ms;
  };
  /** Lets the pending wait end: the clock moves by its duration. */
  const release = async (): Promise<void> => {
    await waiting();
    const w = pending.shift()!;
    now += w.ms;
    w.resolve();
  };
  return { clock: { now: () => now }, sleep, waiting, release, advance: (ms: number) => (now += ms) };
}

interface Harness {
  time: ReturnType<typeof manualTime>;
  lines: string[];
  created: object[];
  metrics: ReturnType<typeof createMetrics>;
  leader: { value: boolean };
  loop: ReturnType<typeof startProbeLoop>;
}

type Answer = { annotated: true } | { annotated: false } | { error: { status?: number; message: string } };

function harness(answers: () => Answer, overrides: Partial<Omit<ProbeLoopOptions, 'provider'>> & { cloud?: ProbeProvider } = {}): Harness {
  const time = manualTime();
  const lines: string[] = [];
  const created: object[] = [];
  const metrics = createMetrics();
  const leader = { value: true };
  const { cloud, ...rest } = overrides;
  const loop = startProbeLoop({
    namespace: 'datadog',
    intervalMs: MINUTE,
    gracePeriodMs: MINUTE,
    isLeader: () => leader.value,
    async create(object) {
      created.push(object);
      const answer = answers();
      if ('error' in answer) throw Object.assign(new Error(answer.error.message), { status: answer.error.status });
      return answer.annotated ? { ...object, metadata: { annotations: { 'admission.datadoghq.com/probe-received': 'true' } } } : object;
    },
    classify: (error) => ({ forbidden: (error as { status?: number }).status === 403, message: (error as Error).message }),
    provider: async () => cloud,
    clock: time.clock,
    sleep: time.sleep,
    logger: createLogger({ level: 'debug', format: 'text', sink: (l) => lines.push(l), clock: time.clock }),
    metrics,
    ...rest,
  });
  return { time, lines, created, metrics, leader, loop };
}

const messages = (lines: string[]) => lines.map((l) => l.slice(l.lastIndexOf(') | ') + 4));

/** Releases the grace period and `ticks` ticks, waiting each time until the loop waits again. */
async function run(h: Harness, ticks: number): Promise<void> {
  await h.time.release();
  for (let i = 0; i < ticks; i++) await h.time.release();
  await h.time.waiting();
}

describe('the loop (§3.2)', () => {
  it('logs the start, waits the grace period, logs the activation with the Go interval, then probes one interval later', async () => {
    const h = harness(() => ({ annotated: true }));
    expect(await h.time.waiting()).toBe(MINUTE);
    expect(messages(h.lines)).toEqual(['Starting admission controller probe']);
    expect(h.loop.status()).toEqual({ Enabled: true, Detail: 'Waiting for the admission controller to start...' });
    await h.time.release();
    expect(await h.time.waiting()).toBe(MINUTE);
    expect(messages(h.lines)).toEqual(['Starting admission controller probe', 'Admission controller probe is now active (namespace=datadog, interval=1m0s)']);
    expect(h.created).toEqual([]);
    await h.time.release();
    await h.time.waiting();
    expect(h.created).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'datadog-admission-probe-', namespace: 'datadog', labels: { 'admission.datadoghq.com/probe': 'true' } } }]);
    await h.loop.stop();
    expect(messages(h.lines).at(-1)).toBe('Stopping admission controller probe');
  });

  it('the grace period and interval come from the options (seconds in the config)', async () => {
    const h = harness(() => ({ annotated: true }), { gracePeriodMs: 5_000, intervalMs: 90_000 });
    expect(await h.time.waiting()).toBe(5_000);
    await h.time.release();
    expect(await h.time.waiting()).toBe(90_000);
    expect(messages(h.lines)).toContain('Admission controller probe is now active (namespace=datadog, interval=1m30s)');
    await h.loop.stop();
  });

  it('only the leader probes; a follower says so in its status', async () => {
    const h = harness(() => ({ annotated: true }));
    h.leader.value = false;
    await run(h, 3);
    expect(h.created).toEqual([]);
    expect(h.loop.status()).toEqual({ Enabled: true, Detail: 'The probe is only active on the leader instance.' });
    h.leader.value = true;
    await h.time.release();
    await h.time.waiting();
    expect(h.created).toHaveLength(1);
    await h.loop.stop();
  });

  it('a run longer than the interval: one missed tick fires at once, the others are dropped, as with a Go ticker', async () => {
    const time = manualTime();
    let slowOnce = true;
    const h = harness(() => {
      if (slowOnce) {
        slowOnce = false;
        time.advance(2.5 * MINUTE);
      }
      return { annotated: true };
    }, { clock: time.clock, sleep: time.sleep });
    await time.release();
    await time.release();
    // The run ended 2.5 minutes after its tick: the tick buffered meanwhile runs at once,
    // then the schedule resumes on the next whole interval, half a minute away.
    expect(await time.waiting()).toBe(0);
    await time.release();
    expect(await time.waiting()).toBe(0.5 * MINUTE);
    expect(h.created).toHaveLength(2);
    await h.loop.stop();
  });
});

describe('results (§3.3, §4.1, §5)', () => {
  it('successes count, and the leader status shows the statistics', async () => {
    const h = harness(() => ({ annotated: true }));
    await run(h, 2);
    expect(h.loop.status()).toEqual({
      Enabled: true,
      HasStats: true,
      TotalExecutions: 2,
      SuccessCount: 2,
      FailCount: 0,
      SuccessRate: '100.0%',
      LastExecutionTime: '2026-03-05T13:03:00Z',
      LastExecutionSuccess: true,
      LastExecutionError: '',
      LastSuccessTime: '2026-03-05T13:03:00Z',
      DiagnosticHint: "Ensure proper inbound network connectivity to the cluster agent's node on port 8000.",
    });
    expect(metricValue(await h.metrics.render().then((r) => r.body), 'admission_webhooks_probe_executions', { result: 'success' })).toBe(2);
    expect(h.lines.filter((l) => l.includes('| ERROR |'))).toEqual([]);
    await h.loop.stop();
  });

  it('a ConfigMap not annotated is a failure logged with the provider hint', async () => {
    const h = harness(() => ({ annotated: false }), { cloud: 'gke' });
    await run(h, 1);
    expect(messages(h.lines.filter((l) => l.includes('| ERROR |')))).toEqual([
      'Admission controller probe failed: the webhook did not handle the probe configmap. This indicates a network connectivity issue between the Kubernetes API server and the cluster agent admission webhook. GKE detected: if using a private cluster, ensure your firewall rules allow ingress over TCP on port 8000 from the control plane CIDR.',
    ]);
    expect(h.loop.status()).toMatchObject({ TotalExecutions: 1, FailCount: 1, LastExecutionError: 'dry-run probe configmap was not annotated by the webhook', LastSuccessTime: 'N/A' });
    expect(metricValue(await h.metrics.render().then((r) => r.body), 'admission_webhooks_probe_executions', { result: 'failure' })).toBe(1);
    await h.loop.stop();
  });

  it('Forbidden is a configuration error until a run succeeds', async () => {
    let forbidden = true;
    const h = harness(() => (forbidden ? { error: { status: 403, message: 'configmaps is forbidden (HTTP 403)' } } : { annotated: true }));
    await run(h, 1);
    expect(h.loop.status()).toEqual({
      Enabled: true,
      Error: 'The cluster agent service account does not have permission to create configmaps in namespace "datadog". Grant configmap creation RBAC to enable connectivity probing.',
    });
    expect(messages(h.lines.filter((l) => l.includes('| ERROR |')))).toEqual([
      'Admission controller probe misconfigured: The cluster agent service account does not have permission to create configmaps in namespace "datadog". Grant configmap creation RBAC to enable connectivity probing.',
    ]);
    forbidden = false;
    await h.time.release();
    await h.time.waiting();
    expect(h.loop.status()).toMatchObject({ HasStats: true, TotalExecutions: 2, SuccessCount: 1 });
    await h.loop.stop();
  });

  it('other errors are logged as they are', async () => {
    const h = harness(() => ({ error: { message: 'connect ECONNREFUSED 10.96.0.1:443' } }));
    await run(h, 1);
    expect(messages(h.lines.filter((l) => l.includes('| ERROR |')))).toEqual(['Admission controller probe failed: connect ECONNREFUSED 10.96.0.1:443']);
    await h.loop.stop();
  });

  it('one error line per 10 minutes, counted from the probe start, however many runs fail', async () => {
    const h = harness(() => ({ annotated: false }));
    // Runs at minutes 2..26: periods [0,10) [10,20) [20,30) each log once.
    await run(h, 25);
    expect(h.created).toHaveLength(25);
    const errors = h.lines.filter((l) => l.includes('| ERROR |'));
    expect(errors.map((l) => l.slice(0, 19))).toEqual(['2026-03-05 13:02:00', '2026-03-05 13:10:00', '2026-03-05 13:20:00']);
    await h.loop.stop();
  });
});
