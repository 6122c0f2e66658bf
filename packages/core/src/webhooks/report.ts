import type { ContainerList } from '../review/pod.js';

/** The three webhooks of the cluster agent, in the order they run. */
export const WEBHOOKS = ['config', 'tags', 'auto-instrumentation'] as const;
export type WebhookName = (typeof WEBHOOKS)[number];

/** What kind of thing a change added or altered. */
export type ChangeKind = 'env' | 'volume' | 'volumeMount' | 'initContainer' | 'annotation';

/** One change a webhook made to a pod, and why: the source of log lines, metrics and the CLI's explanation. */
export interface MutationEvent {
  webhook: WebhookName;
  kind: ChangeKind;
  /** `added` (new entry), `combined` (joined with the user's value), `replaced` (user value overwritten). */
  action: 'added' | 'combined' | 'replaced';
  /** Name of the env var, volume, mount, init container or annotation. */
  name: string;
  /** The container it went into, when it went into one. */
  container?: string;
  containerList?: ContainerList;
  /** The value or image set, for display. */
  value?: string;
  /** Why this change was made, in the user's terms (label, annotation, config key). */
  reason: string;
}

/** Why a webhook left a pod alone; `code` is stable for metrics and tests. */
export interface Skip {
  webhook: WebhookName;
  code: SkipCode;
  reason: string;
}

export type SkipCode =
  | 'not-selected'
  | 'disabled-by-label'
  | 'label-not-enabled'
  | 'invalid-label-value'
  | 'already-injected'
  | 'nothing-to-inject'
  | 'webhook-disabled';

/** A webhook that failed on a pod. The webhook fails open: the pod is admitted without that webhook's changes. */
export interface WebhookFailure {
  webhook: WebhookName;
  /** Stable reason for metrics (`nil pod`, `unknown mode`, `cannot get owner`, ...). */
  code: string;
  message: string;
}

/** A notice that changes nothing but a user should see (deprecations, suspicious values). */
export interface Warning {
  webhook?: WebhookName;
  message: string;
}
