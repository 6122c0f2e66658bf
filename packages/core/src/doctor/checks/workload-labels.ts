import { CONFIG_MODE_LABEL, ENABLED_LABEL, STANDARD_TAG_LABELS } from '../../webhooks/labels.js';
import { misplacedMetadata, podView } from '../../webhooks/workloads.js';
import type { Check, CheckInput } from '../check.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { inScope, kubectlRef } from '../objects.js';
import { podTemplate, WORKLOAD_RESOURCES, templatePatchCommand, userWorkloads, type Workload } from '../workloads.js';

// `workload-labels`: the webhooks read the labels and annotations of the pod
// they receive, not of the workload that created it. Datadog keys on a
// workload's own metadata instead of its pod template do nothing; an enabled
// label other than "true" or "false" is ignored.

export const workloadLabelsCheck: Check = {
  id: 'workload-labels',
  category: 'workloads',
  anchor: 'labels-and-annotations',
  reads: WORKLOAD_RESOURCES,
  run: assess,
};

const MOVABLE_LABELS = [ENABLED_LABEL, CONFIG_MODE_LABEL, ...STANDARD_TAG_LABELS.map((t) => t.label)];

function assess({ snapshot, context }: CheckInput) {
  const problems: Problem[] = [];
  const workloads = userWorkloads(snapshot).filter((w) => inScope(context, w.metadata.namespace));
  for (const w of workloads) {
    const misplaced = misplacedFor(w);
    if (misplaced.length > 0) {
      problems.push({ status: 'warn', summary: `${kubectlRef(w.kind ?? '', w.metadata.name, w.metadata.namespace)}: Datadog metadata on the ${w.kind}, not its pod template`, details: misplaced, fix: moveToTemplate(w) });
    }
    const value = podTemplate(w)?.metadata?.labels?.[ENABLED_LABEL];
    if (value !== undefined && value !== 'true' && value !== 'false') problems.push(badValue(kubectlRef(w.kind ?? '', w.metadata.name, w.metadata.namespace), value, enableCommand(w)));
  }
  for (const pod of context.pods.labelledBarePods) {
    if (pod.enabled !== 'true' && pod.enabled !== 'false') problems.push(badValue(kubectlRef('pod', pod.name, pod.namespace), pod.enabled));
  }
  return fromProblems(problems, verdict('ok', `${workloads.length} workload${workloads.length === 1 ? '' : 's'} checked: Datadog labels and annotations are on their pod templates`));
}

function misplacedFor(w: Workload): string[] {
  try {
    return misplacedMetadata(w as Record<string, unknown>, podView(w as Record<string, unknown>, w.metadata.namespace ?? 'default'));
  } catch {
    return []; // No pod template: nothing the webhook could read anyway.
  }
}

function badValue(what: string, value: string, fix?: string): Problem {
  return {
    status: 'warn',
    summary: `${what}: label ${ENABLED_LABEL}="${value}" is neither "true" nor "false": the webhooks ignore it`,
    ...(fix ? { fix } : {}),
  };
}

/** The Datadog labels and annotations on the workload's own metadata that its pod template lacks. */
function keysToMove(w: Workload): { labels: Record<string, string>; annotations: Record<string, string> } {
  const template = podTemplate(w)?.metadata;
  const pick = (own: Record<string, string> | null | undefined, onPod: Record<string, string> | null | undefined, wanted: (k: string) => boolean) =>
    Object.fromEntries(Object.entries(own ?? {}).filter(([k]) => wanted(k) && !Object.hasOwn(onPod ?? {}, k)));
  return {
    labels: pick(w.metadata.labels, template?.labels, (k) => MOVABLE_LABELS.includes(k)),
    annotations: pick(w.metadata.annotations, template?.annotations, (k) => k.startsWith('admission.datadoghq.com/')),
  };
}

function moveToTemplate(w: Workload): string {
  const { labels, annotations } = keysToMove(w);
  const metadata = { ...(Object.keys(labels).length > 0 ? { labels } : {}), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
  return templatePatchCommand(w, metadata);
}

function enableCommand(w: Workload): string {
  return templatePatchCommand(w, { labels: { [ENABLED_LABEL]: 'true' } });
}
