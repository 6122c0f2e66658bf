import type { AdmissionConfig } from '../config/schema.js';
import { injectEnv } from './env-injection.js';
import { shouldInjectGate, STANDARD_TAG_LABELS, type Gate } from './labels.js';
import { describeOwner, findOwner, ownerCacheKey, ownerResource, type OwnerResource } from './owners.js';
import type { KubeObject, Pod } from '../review/pod.js';
import { isSsiActive, podNamespace } from './ssi.js';
import { done, failed, skipped, startRun, warn, type MutationContext, type Run, type WebhookResult } from './webhook.js';

/**
 * The tags webhook (`/injecttags`): DD_ENV / DD_SERVICE / DD_VERSION from the pod's or its owner's labels.
 * `gate` replaces the webhook's own check (the lib-injection webhook runs it with its own).
 */
export function injectTags(
  pod: Pod,
  context: MutationContext,
  config: AdmissionConfig,
  gate: Gate = shouldInjectGate(pod, config, isSsiActive(config, podNamespace(pod), context)),
): WebhookResult {
  const run = startRun('tags', pod);
  if (gate.warning) warn(run, gate.warning);
  if (!gate.pass) return skipped(run, gate.code, gate.reason);
  return tagRun(run, context);
}

/** The tags webhook's injection without its gate, into `run`'s pod. */
export function tagRun(run: Run, context: MutationContext): WebhookResult {
  const pod = run.input;
  if (injectFromLabels(run, pod.metadata?.labels, 'on the pod')) return done(run);

  const namespace = context.namespace || pod.metadata?.namespace || '';
  if (!namespace) return failed(run, 'empty namespace', 'cannot get standard tags from parent object: empty namespace');
  const refs = pod.metadata?.ownerReferences ?? [];
  if (refs.length === 0) {
    return skipped(run, 'nothing-to-inject', 'no tags.datadoghq.com/* labels on the pod and no owner to read them from');
  }
  const owner = resolveOwner(pod, namespace, context.owners ?? [], context.ownerErrors ?? {});
  if ('error' in owner) return failed(run, 'cannot get owner', owner.error);
  const via = `on owner ${owner.object.kind} ${owner.object.metadata.name ?? ''}`;
  if (!injectFromLabels(run, owner.object.metadata.labels, via)) {
    return skipped(run, 'nothing-to-inject', `no tags.datadoghq.com/* labels on the pod nor on its owner ${owner.object.kind} ${owner.object.metadata.name ?? ''}`);
  }
  return done(run);
}

/** Injects the standard tags present in `labels`; false when none is present. */
function injectFromLabels(run: Run, labels: Readonly<Record<string, string>> | null | undefined, via: string): boolean {
  if (!labels) return false;
  const present = STANDARD_TAG_LABELS.filter(({ label }) => Object.hasOwn(labels, label));
  for (const { label, env } of present) injectEnv(run.journal, { name: env, value: labels[label]! }, `label ${label} ${via}`);
  return present.length > 0;
}

/** The first owner, hopping once from a ReplicaSet to its own first owner (normally the Deployment). */
export function resolveOwner(
  pod: Pod,
  namespace: string,
  owners: readonly KubeObject[],
  ownerErrors: Readonly<Record<string, string>> = {},
): { object: KubeObject } | { error: string } {
  const missing = (r: OwnerResource) => ({ error: `cannot get owner ${describeOwner(r)}: ${ownerErrors[ownerCacheKey(r)] ?? 'not found'}` });
  const first = ownerResource(pod.metadata!.ownerReferences![0]!, namespace);
  const object = findOwner(owners, first);
  if (!object) return missing(first);
  const next = object.metadata.ownerReferences?.[0];
  if (object.kind !== 'ReplicaSet' || !next) return { object };
  const second = ownerResource(next, namespace);
  const parent = findOwner(owners, second);
  if (!parent) return missing(second);
  return { object: parent };
}
