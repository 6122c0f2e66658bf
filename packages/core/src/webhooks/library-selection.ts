import type { AdmissionConfig } from '../config/schema.js';
import type { InstrumentationTarget } from '../config/instrumentation-targets.js';
import type { Pod } from '../review/pod.js';
import { formatAgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { InjectorLibrary } from './apm-injector.js';
import { containersOf } from './journal.js';
import { ENABLED_LABEL, podLabel } from './labels.js';
import { defaultLanguagesOf, defaultTag, languagesOf, LIBRARY_LANGUAGES, libraryImage, resolveTag, type LibraryLanguage } from './libraries.js';
import type { SkipCode } from './report.js';
import { disabledNamespaces, isSsiEnabled } from './ssi.js';
import { effectiveTargets, matchingTarget, targetJson } from './ssi-targets.js';
import { warn, type MutationContext, type Run } from './webhook.js';

// Which libraries the injector-era webhook (7.57 and later) puts into a pod
// (lib-injection-7.78.md §9.3): local annotations win when the pod opts in;
// otherwise the first matching Single Step Instrumentation target decides.

const A = 'admission.datadoghq.com/';
const ALL_LIB_VERSION = `${A}all-lib.version`;

/** What to inject and why, or why nothing. */
export type LibrarySelection =
  | {
      inject: true;
      /** `k8s_lib_injection` for annotation-driven injection, `k8s_single_step` when a target matched. */
      installType: 'k8s_lib_injection' | 'k8s_single_step';
      libraries: InjectorLibrary[];
      /** The matched SSI target and its JSON (the applied-target annotation). */
      target?: { target: InstrumentationTarget; json: string };
    }
  | { inject: false; code: SkipCode; reason: string };

/** The pod's namespace, as the agent reads it (the request's when the pod has none). */
export function namespaceOfPod(pod: Pod, context: MutationContext): string {
  return pod.metadata?.namespace || context.namespace || '';
}

/** Decides the libraries for one pod; warnings go to the run. */
export function selectLibraries(run: Run, pod: Pod, context: MutationContext, config: AdmissionConfig): LibrarySelection {
  const v = config.agentVersion;
  const namespace = namespaceOfPod(pod, context);
  const disabled = disabledNamespaces(config, context);
  if (hasChange(v, 'lib-namespace-filter') && disabled.has(namespace)) {
    return { inject: false, code: 'nothing-to-inject', reason: `namespace ${namespace} is kube-system, the agent's namespace or in apm_config.instrumentation.disabled_namespaces` };
  }
  const existing = containersOf(pod, 'initContainers').find((c) => languagesOf(v).some((l) => c.name === `datadog-lib-${l}-init`));
  if (existing) return { inject: false, code: 'already-injected', reason: `init container ${existing.name} is already present` };

  if (usesLocalInjection(pod, config)) {
    const libraries = annotationLibraries(pod, config);
    if (libraries.length > 0) return { inject: true, installType: 'k8s_lib_injection', libraries };
    const annotations = pod.metadata?.annotations ?? {};
    if (Object.hasOwn(annotations, ALL_LIB_VERSION) || isSsiEnabled(config)) {
      const why = Object.hasOwn(annotations, ALL_LIB_VERSION) ? `annotation ${ALL_LIB_VERSION}` : `label ${ENABLED_LABEL}="true" with Single Step Instrumentation on`;
      return { inject: true, installType: 'k8s_lib_injection', libraries: defaultLibraries(config, `${why} (every default library)`) };
    }
    return { inject: false, code: 'nothing-to-inject', reason: 'no admission.datadoghq.com/<language>-lib.version, -lib.custom-image or all-lib.version annotation' };
  }
  if (!isSsiEnabled(config)) {
    return { inject: false, code: 'label-not-enabled', reason: `no ${ENABLED_LABEL}="true" label (or library annotations with admission_controller.mutate_unlabelled) and Single Step Instrumentation is off` };
  }
  if (disabled.has(namespace)) return { inject: false, code: 'nothing-to-inject', reason: `Single Step Instrumentation never acts in namespace ${namespace}` };
  const match = matchingTarget(effectiveTargets(config), pod, namespace, context.namespaceLabels ?? {});
  if (!match) return { inject: false, code: 'nothing-to-inject', reason: 'no Single Step Instrumentation target matches the pod' };
  const implicit = !hasChange(v, 'ssi-targets') || config.apm_config.instrumentation.targets.length === 0;
  const libraries = targetLibraries(run, match.target, implicit, config);
  if (libraries.length === 0) return { inject: false, code: 'nothing-to-inject', reason: `target "${match.target.name ?? match.index}" names no supported language` };
  const target = hasChange(v, 'ssi-targets') ? { target: match.target, json: targetJson(match.target) } : undefined;
  return { inject: true, installType: 'k8s_single_step', libraries, ...(target ? { target } : {}) };
}

/** Label "true" decides; without the label, library annotations with mutate_unlabelled. */
function usesLocalInjection(pod: Pod, config: AdmissionConfig): boolean {
  const label = podLabel(pod, ENABLED_LABEL);
  if (label !== undefined) return label === 'true';
  if (!config.admission_controller.mutate_unlabelled) return false;
  return Object.hasOwn(pod.metadata?.annotations ?? {}, ALL_LIB_VERSION) || annotationLibraries(pod, config).length > 0;
}

/** Per language: pod-wide custom-image, version, then each container's; the last image of a language wins later. */
export function annotationLibraries(pod: Pod, config: AdmissionConfig): InjectorLibrary[] {
  const v = config.agentVersion;
  const annotations = pod.metadata?.annotations ?? {};
  const registry = config.admission_controller.auto_instrumentation.container_registry;
  const out: InjectorLibrary[] = [];
  const read = (lang: LibraryLanguage, key: string, suffix: ImageSuffix, container?: string) => {
    if (!Object.hasOwn(annotations, key)) return;
    const value = annotations[key]!;
    const image = suffix === 'custom-image' ? value : libraryImage(registry, lang, resolveTag(v, lang, value));
    out.push({ lang, image, ...(container !== undefined ? { container } : {}), reason: `annotation ${key}` });
  };
  // Building every container's keys costs more than the rest; most pods have no per-container key.
  const perContainer = namesContainer(annotations);
  for (const lang of languagesOf(v)) {
    for (const { suffix, key } of POD_WIDE_KEYS.get(lang)!) read(lang, key, suffix);
    if (!perContainer) continue;
    for (const c of containersOf(pod, 'containers')) for (const suffix of IMAGE_SUFFIXES) read(lang, `${A}${c.name}.${lang}-lib.${suffix}`, suffix, c.name);
  }
  return out;
}

const IMAGE_SUFFIXES = ['custom-image', 'version'] as const;
type ImageSuffix = (typeof IMAGE_SUFFIXES)[number];
/** Each language's pod-wide keys, in the order they are read, built once. */
const POD_WIDE_KEYS = new Map(LIBRARY_LANGUAGES.map((lang) => [lang, IMAGE_SUFFIXES.map((suffix) => ({ suffix, key: `${A}${lang}-lib.${suffix}` }))] as const));
const POD_WIDE_KEY_SET: ReadonlySet<string> = new Set([...POD_WIDE_KEYS.values()].flatMap((keys) => keys.map(({ key }) => key)));

/** Whether an annotation may name a container (`<container>.<lang>-lib.<suffix>`): a library key that is not a pod-wide one (language names hold no dot). */
function namesContainer(annotations: Readonly<Record<string, string>>): boolean {
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(A) || POD_WIDE_KEY_SET.has(key)) continue;
    if (key.endsWith('-lib.version') || key.endsWith('-lib.custom-image')) return true;
  }
  return false;
}

/** Every default library at its default tag. */
function defaultLibraries(config: AdmissionConfig, reason: string): InjectorLibrary[] {
  const registry = config.admission_controller.auto_instrumentation.container_registry;
  return defaultLanguagesOf(config.agentVersion).map((lang) => ({ lang, image: libraryImage(registry, lang, defaultTag(config.agentVersion, lang)), reason }));
}

/** A target's pinned libraries (language order; unknown languages warned about), or every default library. */
function targetLibraries(run: Run, target: InstrumentationTarget, implicit: boolean, config: AdmissionConfig): InjectorLibrary[] {
  const v = config.agentVersion;
  const name = target.name ?? '';
  const by = implicit ? 'Single Step Instrumentation' : `Single Step Instrumentation target "${name}"`;
  const pins = target.ddTraceVersions ?? {};
  if (Object.keys(pins).length === 0) return defaultLibraries(config, `${by} (every default library)`);
  const known = languagesOf(v);
  for (const lang of Object.keys(pins)) {
    if (!(known as readonly string[]).includes(lang)) warn(run, `${by}: ${implicit ? 'lib_versions' : 'ddTraceVersions'} names ${JSON.stringify(lang)}, which Cluster Agent ${formatAgentVersion(v)} cannot inject: ignored`);
  }
  const registry = config.admission_controller.auto_instrumentation.container_registry;
  return known
    .filter((lang) => Object.hasOwn(pins, lang))
    .map((lang) => ({ lang, image: libraryImage(registry, lang, resolveTag(v, lang, pins[lang]!)), reason: implicit ? `apm_config.instrumentation.lib_versions.${lang}` : `${by} (ddTraceVersions.${lang})` }));
}
