import {
  documentPatch,
  InvalidDocumentError,
  InvalidPodError,
  isPodBearing,
  kubeObjectSchema,
  misplacedMetadata,
  mutate,
  POD_TEMPLATE_PATHS,
  podView,
  type AdmissionConfig,
  type KubeObject,
  type MutationContext,
  type MutationResult,
  type Operation,
  type PodView,
  type WebhookName,
} from '@dd-admission/core';
import { InputError, type Problem } from './errors.js';
import type { InstrumentationFacts } from './instrumentation-facts.js';
import type { Unit } from './documents.js';

/** What the preview needs besides the documents and the config. */
export interface PreviewOptions {
  /** Namespace of objects without metadata.namespace. */
  namespace: string;
  /** Namespace the webhook runs in (service-mode host name). */
  agentNamespace: string;
  webhooks: readonly WebhookName[];
  /** The clock and install facts library injection stamps on pods. */
  facts: InstrumentationFacts;
}

/** The preview of one object: what the webhooks did to it, or why it was not previewed. */
export type UnitPreview =
  | { unit: Unit; previewed: false }
  | {
      unit: Unit;
      previewed: true;
      view: PodView;
      result: MutationResult;
      /** The pod's patch re-rooted at the object (its pod template for a workload). */
      patch: Operation[];
      /** Labels and annotations on a workload's own metadata that the webhook never reads. */
      misplaced: string[];
    };

// The label Kubernetes (1.21+) puts on every namespace, which namespace selectors may use.
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Runs the admission path over every Pod and workload of the input, as the
 * cluster would for the pods they create. Pure. Throws InputError naming every
 * object whose shape is not a usable pod.
 */
export function preview(units: readonly Unit[], config: AdmissionConfig, options: PreviewOptions): UnitPreview[] {
  const lookups = inputOwners(units, options.namespace);
  const namespaces = namespaceLabels(units);
  const problems: Problem[] = [];
  const previews = units.map((unit): UnitPreview => {
    if (!isPodBearing(unit.object.kind)) return { unit, previewed: false };
    try {
      return previewUnit(unit, config, options, lookups, namespaces);
    } catch (e) {
      problems.push(toProblem(unit, e));
      return { unit, previewed: false };
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  return previews;
}

function previewUnit(
  unit: Unit,
  config: AdmissionConfig,
  options: PreviewOptions,
  lookups: readonly KubeObject[],
  namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>,
): UnitPreview {
  const view = podView(unit.object, options.namespace);
  const namespace = view.pod.metadata?.namespace ?? options.namespace;
  const context: MutationContext = {
    namespace,
    agentNamespace: options.agentNamespace,
    now: options.facts.now,
    install: options.facts.install,
    // The workload's own owner chain first: it is what the cluster would hold for these pods.
    owners: [...view.owners, ...lookups],
    namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace, ...namespaces.get(namespace) },
  };
  const result = mutate(view.pod, context, config, options.webhooks);
  const patch = documentPatch(result.patch, view).map((op) => ({ ...op, path: unit.pointer + op.path }));
  return { unit, previewed: true, view, result, patch, misplaced: misplacedMetadata(unit.object, view) };
}

/** Every object of the input, namespaced as it would be applied, for owner lookups. */
function inputOwners(units: readonly Unit[], defaultNamespace: string): KubeObject[] {
  return units.flatMap((u) => {
    const parsed = kubeObjectSchema.safeParse(u.object);
    if (!parsed.success) return [];
    const meta = parsed.data.metadata;
    return [{ ...parsed.data, metadata: { ...meta, namespace: meta.namespace || defaultNamespace } }];
  });
}

/** Labels of the Namespace objects in the input, by name. */
export function namespaceLabels(units: readonly Unit[]): Map<string, Readonly<Record<string, string>>> {
  const out = new Map<string, Readonly<Record<string, string>>>();
  for (const u of units) {
    if (u.object.kind !== 'Namespace') continue;
    const parsed = kubeObjectSchema.safeParse(u.object);
    const name = parsed.success ? parsed.data.metadata.name : undefined;
    if (name) out.set(name, parsed.success ? (parsed.data.metadata.labels ?? {}) : {});
  }
  return out;
}

/** The field of a pod error as a path in the document: a workload's pod lives in its template. */
function toProblem(unit: Unit, e: unknown): Problem {
  if (e instanceof InvalidDocumentError) return { location: unit.location, field: e.path || undefined, message: e.detail };
  if (!(e instanceof InvalidPodError)) throw e;
  const template = POD_TEMPLATE_PATHS[unit.object.kind as string]?.join('.') ?? '';
  const field = e.path ? (template ? `${template}.${e.path}` : e.path) : undefined;
  return { location: unit.location, field, message: e.detail };
}

