import type { AdmissionConfig } from '../config/schema.js';
import type { DoctorContext } from './context.js';
import type { Finding, Verdict } from './finding.js';
import type { ClusterSnapshot, SnapshotResource } from './snapshot.js';

// The shape every check module exports. The registry runs them in order and
// turns each verdict into a Finding.

/** The groups checks are shown in, in order (like linkerd's healthcheck categories). */
export const CHECK_CATEGORIES = ['cluster-agent', 'webhook', 'distribution', 'network', 'workloads', 'end-to-end'] as const;
export type CheckCategory = (typeof CHECK_CATEGORIES)[number];

/** What identifies a check in the output. */
export interface CheckInfo {
  /** Stable: users and scripts key on it. */
  id: string;
  category: CheckCategory;
  /** The heading anchor of its section in docs/troubleshooting.md. */
  anchor: string;
  /** Resources it cannot do without: when one is unreadable the check is `skip`, naming the permission. */
  reads: readonly SnapshotResource[];
}

/** What a check reads: the configuration parsed, the admission controller enabled. */
export interface CheckInput {
  snapshot: ClusterSnapshot;
  context: DoctorContext;
  config: AdmissionConfig;
  /** The findings of the checks before it, for correlation. */
  earlier: readonly Finding[];
}

/** A check that runs once the Cluster Agent's configuration is known and enables the admission controller. */
export interface Check extends CheckInfo {
  run: (input: CheckInput) => Verdict;
}
