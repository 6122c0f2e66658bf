import {
  EMPTY_PROBE_STATS,
  formatGoDuration,
  outcomeOfAnswer,
  PROBE_LOG_INTERVAL_MS,
  probeConfigMap,
  probeFailureLine,
  probeHint,
  probeStatus,
  recordProbeRun,
  type ProbeOutcome,
  type ProbeProvider,
  type ProbeStats,
  type ProbeStatus,
} from '@dd-admission/core';
import type { Clock } from '../clock.js';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import type { ProbeResult, WebhookMetrics } from '../metrics.js';
import { pause } from './backoff.js';

// The connectivity probe's loop (probe-7.78 §3): after the grace period, on
// every tick, the leader sends a dry-run ConfigMap through the API server and
// checks that the webhook marked it. Every replica runs the loop; followers skip
// the ticks. Waiting goes through an injected `sleep` and `clock`, so tests step
// through ticks without depending on the machine's speed. The decisions (object,
// classification, lines, statistics) are the core's.

/** Waits `ms`, or less when `signal` aborts; never throws. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** A failed create as the probe classifies it. */
export interface CreateFailure {
  /** HTTP 403. */
  forbidden: boolean;
  /** One line: the API's message or the network error. */
  message: string;
}

export interface ProbeLoopOptions {
  /** The resources namespace: where the ConfigMap is (not) created. */
  namespace: string;
  intervalMs: number;
  gracePeriodMs: number;
  isLeader: () => boolean;
  /** POSTs the object with `dryRun=All`; resolves with what the API server returned. */
  create: (object: object) => Promise<unknown>;
  /** Classifies what `create` threw. */
  classify: (error: unknown) => CreateFailure;
  /** The cloud provider for the hint, asked once the grace period is over; undefined: the generic hint. */
  provider: () => Promise<ProbeProvider | undefined>;
  clock: Clock;
  /** Default: real timers. */
  sleep?: Sleep;
  logger: Logger;
  metrics?: Pick<WebhookMetrics, 'probeRun'>;
}

/** A running probe loop. */
export interface ProbeLoop {
  /** The "Connectivity Probe" status block of this replica (Form B). */
  status(): ProbeStatus;
  /** Resolves once the current run, if any, is over; logs the stop line. */
  stop(): Promise<void>;
}

/** Starts the loop: it logs, waits the grace period, then probes on every tick while leader. */
export function startProbeLoop(options: ProbeLoopOptions): ProbeLoop {
  const { namespace, logger, clock } = options;
  const sleep = options.sleep ?? pause;
  const stopper = new AbortController();
  const { signal } = stopper;
  const limiter = logLimit(clock.now(), PROBE_LOG_INTERVAL_MS);
  let started = false;
  let hint: string | undefined;
  let stats: ProbeStats = EMPTY_PROBE_STATS;

  const runOnce = async () => {
    const outcome = await probeOnce(options);
    stats = recordProbeRun(stats, outcome, namespace, clock.now());
    options.metrics?.probeRun(resultOf(outcome));
    const line = probeFailureLine(outcome, namespace, hint ?? probeHint(undefined));
    if (line && limiter(clock.now())) logger.error(SITES.probe, line);
  };

  const run = async () => {
    logger.info(SITES.probe, 'Starting admission controller probe');
    await sleep(options.gracePeriodMs, signal);
    if (signal.aborted) return;
    hint = probeHint(await options.provider().catch(() => undefined));
    started = true;
    logger.info(SITES.probe, `Admission controller probe is now active (namespace=${namespace}, interval=${formatGoDuration(BigInt(options.intervalMs) * 1_000_000n)})`);
    // A ticker: ticks at fixed times from here, the ones missed during a long run dropped.
    let next = clock.now() + options.intervalMs;
    while (!signal.aborted) {
      await sleep(Math.max(0, next - clock.now()), signal);
      if (signal.aborted) break;
      while (next <= clock.now()) next += options.intervalMs;
      if (options.isLeader()) await runOnce();
    }
    logger.info(SITES.probe, 'Stopping admission controller probe');
  };

  const running = run();
  return {
    status: () => (started ? probeStatus({ enabled: true, started: true, leader: options.isLeader(), stats, ...(hint ? { hint } : {}) }) : probeStatus({ enabled: true, started: false })),
    async stop() {
      stopper.abort();
      await running;
    },
  };
}

/** One dry-run create, classified. */
async function probeOnce(options: ProbeLoopOptions): Promise<ProbeOutcome> {
  try {
    return outcomeOfAnswer(await options.create(probeConfigMap(options.namespace)));
  } catch (error) {
    const failure = options.classify(error);
    return failure.forbidden ? { kind: 'forbidden', message: failure.message } : { kind: 'error', message: failure.message };
  }
}

function resultOf(outcome: ProbeOutcome): ProbeResult {
  if (outcome.kind === 'success') return 'success';
  return outcome.kind === 'forbidden' ? 'config_error' : 'failure';
}

/** The agent's log limiter: one line, then one more per period, periods counted from its creation. */
function logLimit(createdAt: number, periodMs: number): (now: number) => boolean {
  let lastPeriod: number | undefined;
  return (now) => {
    const period = Math.floor((now - createdAt) / periodMs);
    if (period === lastPeriod) return false;
    lastPeriod = period;
    return true;
  };
}
