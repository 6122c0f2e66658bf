import { describeKubeError, isAlreadyExists, isConflict, RESOURCES, type KubeClient } from '@dd-admission/kube';
import type { Clock } from '../clock.js';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import { pause } from './backoff.js';

// Leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection does it: the holder renews every retry period; another replica
// takes over only after it has seen the lease unchanged for leaseDurationSeconds
// (measured on its own clock, so clock skew between nodes does not matter); a
// leader that cannot renew within the renew deadline steps down. A stopping
// leader releases the lease so a successor takes over at once.

/** Timings; leaseDuration > renewDeadline > retryPeriod. */
export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Production timings: a crashed leader is replaced within about 35 s; a stopped one at once. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 5_000 };

/** The Lease name; distinct from the cluster agent's own `datadog-leader-election`, so the two never compete. */
export const DEFAULT_LEASE_NAME = 'dd-admission-webhook-leader-election';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  leaseName: string;
  /** This replica's name in the Lease (its pod name). */
  identity: string;
  timings: LeaseTimings;
  clock: Clock;
  logger: Logger;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** Calls `listener` on every change of leadership; returns the unsubscribe function. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Stops campaigning and releases the lease when held. */
  stop(): Promise<void>;
}

type Attempt = 'held' | 'other' | 'unknown';

interface LeaseJson {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** Starts campaigning; runs until stopped. */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { client, namespace, leaseName: name, identity, timings, clock, logger } = options;
  const stopper = new AbortController();
  const listeners = new Set<(leader: boolean) => void>();
  let leader = false;
  let lastRenew = 0;
  let observed = { record: '', at: 0 };
  const where = `${namespace}/${name}`;
  const seconds = Math.max(1, Math.round(timings.leaseDurationMs / 1000));

  const setLeader = (value: boolean) => {
    if (leader === value) return;
    leader = value;
    if (value) logger.info(SITES.leaderElection, `This replica (${identity}) is now the leader (lease ${where})`);
    else logger.info(SITES.leaderElection, `This replica (${identity}) is no longer the leader (lease ${where})`);
    for (const listener of [...listeners]) listener(value);
  };

  const observe = (lease: LeaseJson) => {
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== observed.record) observed = { record, at: clock.now() };
  };

  /** One attempt to take or keep the lease: held by us afterwards, by another replica, or unknown (an error). */
  const tryAcquireOrRenew = async (): Promise<Attempt> => {
    const now = clock.now();
    let lease: LeaseJson | undefined;
    try {
      lease = await client.find<LeaseJson>(RESOURCES.leases, name, { namespace });
    } catch (error) {
      logger.warn(SITES.leaderElection, `Cannot read the lease ${where}: ${describeKubeError(error)}`);
      return 'unknown';
    }
    if (!lease) return create(now);
    observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const heldFor = (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (holder !== '' && holder !== identity && observed.at + heldFor > now) return 'other';
    const mine = holder === identity;
    const next = {
      ...lease,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: seconds,
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      const written = await client.replace<LeaseJson>(RESOURCES.leases, next, { namespace });
      observe(written);
      if (!mine) logger.debug(SITES.leaderElection, `Acquired the lease ${where} from "${holder || 'nobody'}"`);
      return 'held';
    } catch (error) {
      // A conflict means another replica wrote first: the next round reads who won.
      if (!isConflict(error)) logger.warn(SITES.leaderElection, `Cannot renew the lease ${where}: ${describeKubeError(error)}`);
      return 'unknown';
    }
  };

  const create = async (now: number): Promise<Attempt> => {
    const body = {
      metadata: { name, namespace },
      spec: { holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
    };
    try {
      observe(await client.create<LeaseJson>(RESOURCES.leases, body, { namespace }));
      logger.debug(SITES.leaderElection, `Created the lease ${where}`);
      return 'held';
    } catch (error) {
      if (!isAlreadyExists(error)) logger.warn(SITES.leaderElection, `Cannot create the lease ${where}: ${describeKubeError(error)}`);
      return 'unknown';
    }
  };

  const campaign = async () => {
    logger.info(SITES.leaderElection, `Starting leader election on lease ${where} as ${identity}`);
    while (!stopper.signal.aborted) {
      const attempt = await tryAcquireOrRenew();
      if (stopper.signal.aborted) break;
      if (attempt === 'held') {
        lastRenew = clock.now();
        setLeader(true);
      } else if (attempt === 'other') {
        // Another replica holds a live lease (we were replaced while unable to renew): follow at once.
        setLeader(false);
      } else if (leader && clock.now() - lastRenew >= timings.renewDeadlineMs) {
        logger.warn(SITES.leaderElection, `Could not renew the lease ${where} for ${timings.renewDeadlineMs}ms, stepping down`);
        setLeader(false);
      }
      await pause(timings.retryPeriodMs, stopper.signal);
    }
  };

  const release = async () => {
    try {
      const lease = await client.get<LeaseJson>(RESOURCES.leases, name, { namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      await client.replace(RESOURCES.leases, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { namespace });
      logger.info(SITES.leaderElection, `Released the lease ${where}`);
    } catch (error) {
      logger.warn(SITES.leaderElection, `Could not release the lease ${where}: ${describeKubeError(error)}`);
    }
  };

  const running = campaign();
  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopper.abort();
      await running;
      const wasLeader = leader;
      setLeader(false);
      if (wasLeader) await release();
    },
  };
}

/** metav1.MicroTime as the API wants it: RFC 3339 with exactly six fraction digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
