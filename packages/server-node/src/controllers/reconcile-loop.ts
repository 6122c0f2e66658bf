import { describeKubeError } from '@dd-admission/kube';
import type { LogSite, Logger } from '../logger.js';
import { backoffDelay, type Backoff } from './backoff.js';

// The work queue of one controller, reduced to its single key: enqueueing while
// a reconcile runs schedules exactly one more; a failure is retried after an
// exponential back-off (client-go's rate-limited requeue), and a success clears
// the back-off. An explicit enqueue runs at once, as client-go's Add does.

export interface ReconcileLoopOptions {
  /** `default/webhook-certificate` or `datadog-webhook`: the queue key, for logs. */
  key: string;
  /** `Secret` or `Webhook`, for the log lines. */
  kind: string;
  /** Resolves `'skipped'` when there was nothing this replica may do (not the leader): no success is logged then. */
  reconcile: () => Promise<void | 'skipped'>;
  logger: Logger;
  sites: { enqueue: LogSite; process: LogSite };
  backoff: Backoff;
  /** Told about every outcome (metrics, tests). */
  onResult?: (ok: boolean) => void;
}

export interface ReconcileLoop {
  /** Asks for a reconcile; `reason` is only logged. */
  enqueue(reason: string): void;
  /** Stops retrying and waits for a running reconcile to end. */
  stop(): Promise<void>;
}

/** Creates the loop; nothing runs until the first enqueue. */
export function createReconcileLoop(options: ReconcileLoopOptions): ReconcileLoop {
  const { logger } = options;
  let dirty = false;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const drain = async () => {
    while (dirty && !stopped) {
      dirty = false;
      try {
        const outcome = await options.reconcile();
        failures = 0;
        if (outcome === 'skipped') continue;
        logger.debug(options.sites.process, `${options.kind} ${options.key} reconciled successfully`);
        options.onResult?.(true);
      } catch (error) {
        failures++;
        const wait = backoffDelay(options.backoff, failures);
        logger.error(options.sites.process, `Couldn't reconcile ${options.kind} ${options.key}: ${describeKubeError(error)}; retrying in ${wait}ms`);
        options.onResult?.(false);
        if (!stopped && !dirty) {
          clearTimeout(retry);
          retry = setTimeout(() => kick(), wait);
        }
      }
    }
  };

  const kick = () => {
    if (stopped) return;
    dirty = true;
    if (running) return;
    running = drain().finally(() => {
      running = undefined;
      // An enqueue that arrived while the loop was finishing still gets its run.
      if (dirty && !stopped) kick();
    });
  };

  return {
    enqueue(reason) {
      if (stopped) return;
      logger.debug(options.sites.enqueue, `Adding object with key ${options.key} to the queue (${reason})`);
      clearTimeout(retry);
      kick();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await running;
    },
  };
}
