import type { AdmissionConfig } from '../config/schema.js';
import type { TraceConfig } from '../config/instrumentation-targets.js';
import type { ContainerList, EnvVar, Pod } from '../review/pod.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { injectWithInjector, isInstrumentable, type InjectorPlan } from './apm-injector.js';
import { injectAgentConfig } from './config-injection.js';
import { envIndex } from './env-injection.js';
import { initResources } from './init-resources.js';
import { containersOf, note, prependEnv, setAnnotation, type ContainerScope } from './journal.js';
import { ENABLED_LABEL, podLabel } from './labels.js';
import { applyLibConfig } from './lib-config.js';
import { INJECTION_MODE_ANNOTATION, INJECTOR_DEBUG_ANNOTATION, injectorImage } from './libraries.js';
import { selectLibraries, type LibrarySelection } from './library-selection.js';
import type { MutationEvent } from './report.js';
import { ssiBasicConfig, ssiServiceEnv } from './ssi.js';
import { tagRun } from './tags-injection.js';
import { done, failed, skipped, startRun, warn, type MutationContext, type Run, type WebhookResult } from './webhook.js';

// The library-injection webhook of the injector era (7.57 and later): the
// /injectlib pipeline of lib-injection-7.78.md §8. For the pods it selects it
// first runs the tags and config mutators (7.64), then the APM mutator's steps:
// install env, injection, service name, library config, SSI defaults, and the
// applied target.

const APPLIED_TARGET_ANNOTATION = 'internal.apm.datadoghq.com/applied-target';
const INJECTION_MODES = ['auto', 'init_container', 'csi', 'image_volume'] as const;
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * DD_INSTRUMENTATION_INSTALL_TIME and _ID as the Cluster Agent derives them: its own env
 * vars of those names, else its start time (Unix seconds) and no id. Adapters pass the result
 * in MutationContext.install.
 */
export function installFacts(env: Readonly<Record<string, string | undefined>>, startSeconds: number): { time: string; id: string } {
  return { time: env.DD_INSTRUMENTATION_INSTALL_TIME || String(startSeconds), id: env.DD_INSTRUMENTATION_INSTALL_ID ?? '' };
}

/** `/injectlib` for Cluster Agent 7.57 and later. */
export function instrumentWithInjector(pod: Pod, context: MutationContext, config: AdmissionConfig): WebhookResult {
  const first = startRun('auto-instrumentation', pod);
  if (podLabel(pod, ENABLED_LABEL) === 'false') return skipped(first, 'disabled-by-label', `label ${ENABLED_LABEL}="false"`);
  // Tags and config leave labels, annotations and container names alone, so the choice holds after them.
  const selection = selectLibraries(first, pod, context, config);
  const selected = selection.inject || selection.code === 'already-injected';
  // The mutators' copies are shared with the injection: a failure of either drops them all.
  const owned = new Set<object>();
  const before = selected ? runSelectedMutators(pod, context, config, owned) : done(first);
  if (before.failure) return { ...before, warnings: [...first.warnings, ...before.warnings] };
  const run = startRun('auto-instrumentation', before.pod, owned);
  run.warnings.push(...first.warnings, ...before.warnings);
  if (!selection.inject) {
    if (before.patch.length > 0) return join(before, done(run));
    return skipped({ ...run, input: pod }, selection.code, selection.reason);
  }
  const error = instrument(run, selection, context, config);
  if (error) return failed({ ...run, input: pod }, error.code, error.message);
  const injected = join(before, done(run));
  // As a reinvocation would: the init containers just added get the tags and config vars too.
  // Only they are visited: every other container went through the first pass, and the injection
  // only added env vars, mounts and volumes there or replaced some under the same names, which is
  // what the mutators key on: they would find nothing left to do (the outcome is the same, the
  // pod's walk shorter). Its own copies: on its failure, the injected pod is the result's.
  const again = runSelectedMutators(injected.pod, context, config, new Set(), initContainersAddedBy(run));
  return again.failure ? again : join(injected, again);
}

/** The init containers the run added or replaced, by name. */
function initContainersAddedBy(run: Run): ContainerScope {
  const names = new Set(run.journal.events.filter((e) => e.kind === 'initContainer').map((e) => e.name));
  return (list, c) => list === 'initContainers' && names.has(c.name);
}

/**
 * Tags, then config, each when its own webhook is enabled and without its own gate, for
 * the pods /injectlib selects (7.64); nothing before that. Both edit the copies in `owned`
 * and visit the containers of `scope` (all when absent).
 */
function runSelectedMutators(pod: Pod, context: MutationContext, config: AdmissionConfig, owned: Set<object>, scope?: ContainerScope): WebhookResult {
  const empty = done(startRun('auto-instrumentation', pod));
  if (!hasChange(config.agentVersion, 'injectlib-config-and-tags')) return empty;
  const ac = config.admission_controller;
  const tags = ac.inject_tags.enabled ? tagRun(startRun('tags', pod, owned, scope), context) : empty;
  if (tags.failure) return restamp(tags, pod);
  const cfg = ac.inject_config.enabled ? configMutation(startRun('config', tags.pod, owned, scope), context, config) : done(startRun('auto-instrumentation', tags.pod));
  if (cfg.failure) return restamp(cfg, pod);
  return join(tags, cfg);
}

/** The config webhook's injection without its own gate (config-injection-7.78.md §9). */
function configMutation(run: Run, context: MutationContext, config: AdmissionConfig): WebhookResult {
  const failure = injectAgentConfig(run, context, config);
  return failure ? failed(run, failure.code, failure.message) : done(run);
}

/** The APM mutator's steps, in the agent's order; an error drops the whole webhook's changes. */
function instrument(run: Run, s: Extract<LibrarySelection, { inject: true }>, context: MutationContext, config: AdmissionConfig): { code: string; message: string } | undefined {
  const v = config.agentVersion;
  const singleStep = s.installType === 'k8s_single_step';
  const now = context.now ?? 0;
  const install = context.install ?? { time: String(now), id: '' };
  if (s.target) {
    for (const c of s.target.target.ddTraceConfigs ?? []) injectFiltered(run, traceConfigEnv(run, c, config), config, `ddTraceConfigs of target "${s.target.target.name ?? ''}"`);
  }
  if (hasChange(v, 'install-env')) {
    const why = `library injection (${s.installType})`;
    injectFiltered(run, { name: 'DD_INSTRUMENTATION_INSTALL_TIME', value: install.time }, config, why);
    injectFiltered(run, { name: 'DD_INSTRUMENTATION_INSTALL_ID', value: install.id }, config, why);
    injectFiltered(run, { name: 'DD_INSTRUMENTATION_INSTALL_TYPE', value: s.installType }, config, why);
  }
  const error = injectLibraries(run, s, context, config, now);
  if (error) return error;
  if (singleStep) {
    const service = ssiServiceEnv(run.journal.pod, config);
    if (service) injectServiceBlock(run, service.service, service.source, config);
  }
  const annotations = run.journal.pod.metadata?.annotations ?? {};
  let configError: { code: string; message: string } | undefined;
  for (const lib of s.libraries) configError = applyLibConfig(run, annotations, lib.lang) ?? configError;
  configError = applyLibConfig(run, annotations, 'all') ?? configError;
  if (configError) return configError;
  if (singleStep) for (const e of ssiBasicConfig()) injectFiltered(run, e as EnvVar, config, 'Single Step Instrumentation default');
  if (s.target) {
    const why = `Single Step Instrumentation target "${s.target.target.name ?? ''}" matched`;
    injectFiltered(run, { name: 'DD_INSTRUMENTATION_APPLIED_TARGET', value: s.target.json }, config, why);
    annotate(run, APPLIED_TARGET_ANNOTATION, s.target.json, why);
  }
  return undefined;
}

/** The injection step (§4) in init_container mode; other modes are not simulated. */
function injectLibraries(run: Run, s: Extract<LibrarySelection, { inject: true }>, context: MutationContext, config: AdmissionConfig, now: number): { code: string; message: string } | undefined {
  const pod = run.journal.pod;
  const mode = injectionMode(run, pod, config);
  if (mode !== 'init_container') {
    warn(run, `injection mode ${mode} is not simulated: the preview leaves the libraries out of this pod (the Cluster Agent would mount them with ${mode === 'csi' ? 'Datadog CSI volumes' : 'image volumes'})`);
    return undefined;
  }
  const resources = initResources(pod, config);
  if (!resources.ok && 'error' in resources) return { code: 'invalid resources', message: resources.error };
  if (!resources.ok) {
    const key = hasChange(config.agentVersion, 'injection-mode') ? 'internal.apm.datadoghq.com/injection-error' : 'apm.datadoghq.com/injection-error';
    annotate(run, key, resources.skip, 'library injection skipped: the pod reserves too little CPU or memory for the init containers');
    warn(run, `library injection skipped: ${resources.skip}`);
    return undefined;
  }
  const plan: InjectorPlan = {
    injector: injectorImage(pod, config),
    libraries: s.libraries,
    resources: resources.resources,
    ...securityContextOf(context, config),
    debug: TRUE_WORDS.has(pod.metadata?.annotations?.[INJECTOR_DEBUG_ANNOTATION] ?? ''),
    now,
  };
  const error = injectWithInjector(run, plan, config);
  return error ? { code: 'invalid env', message: error } : undefined;
}

/** The pod's injection mode (7.76): its annotation, else apm_config.instrumentation.injection_mode; `auto` is init_container. */
function injectionMode(run: Run, pod: Pod, config: AdmissionConfig): string {
  if (!hasChange(config.agentVersion, 'injection-mode')) return 'init_container';
  const annotations = pod.metadata?.annotations ?? {};
  const fromPod = Object.hasOwn(annotations, INJECTION_MODE_ANNOTATION);
  const mode = fromPod ? annotations[INJECTION_MODE_ANNOTATION]! : config.apm_config.instrumentation.injection_mode;
  if (!(INJECTION_MODES as readonly string[]).includes(mode)) {
    warn(run, `${fromPod ? `annotation ${INJECTION_MODE_ANNOTATION}` : 'apm_config.instrumentation.injection_mode'}: unknown injection mode "${mode}", using auto`);
    return 'init_container';
  }
  return mode === 'auto' ? 'init_container' : mode;
}

/** init_security_context (7.57), else the restricted default in namespaces enforcing the restricted level (7.69). */
function securityContextOf(context: MutationContext, config: AdmissionConfig): { securityContext?: Record<string, unknown> } {
  const configured = config.admission_controller.auto_instrumentation.init_security_context;
  if (configured && hasChange(config.agentVersion, 'init-security-context')) return { securityContext: structuredClone(configured) };
  const restricted = context.namespaceLabels?.['pod-security.kubernetes.io/enforce'] === 'restricted';
  if (!restricted || !hasChange(config.agentVersion, 'restricted-security-context')) return {};
  return { securityContext: { capabilities: { drop: ['ALL'] }, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } } };
}

/** A target's config as an env var; valueFrom only since 7.66 (older releases read the value alone). */
function traceConfigEnv(run: Run, c: TraceConfig, config: AdmissionConfig): EnvVar {
  if (c.valueFrom && hasChange(config.agentVersion, 'trace-config-value-from')) return { name: c.name, ...(c.value ? { value: c.value } : {}), valueFrom: c.valueFrom };
  if (c.valueFrom) warn(run, `ddTraceConfigs ${c.name}: valueFrom is read from Cluster Agent 7.66 on; ignored`);
  return c.value ? { name: c.name, value: c.value } : { name: c.name };
}

/** Prepends `env` to every instrumentable init container, then container, that lacks it. */
function injectFiltered(run: Run, env: EnvVar, config: AdmissionConfig, reason: string): void {
  const entry = env.value === '' ? { name: env.name } : env;
  eachInstrumentable(run, config, (list, i, name) => {
    if (envIndex(containersOf(run.journal.pod, list)[i]!.env, env.name) >= 0) return;
    prependEnv(run.journal, list, i, entry);
    noteEnv(run, env, list, name, reason);
  });
}

/** DD_SERVICE with its source just after it, into the containers without a DD_SERVICE. */
function injectServiceBlock(run: Run, service: EnvVar, source: EnvVar, config: AdmissionConfig): void {
  const reason = source.value?.startsWith('owner=') ? "the pod's owner name (Single Step Instrumentation)" : 'the DD_SERVICE of another container (Single Step Instrumentation)';
  eachInstrumentable(run, config, (list, i, name) => {
    const env = containersOf(run.journal.pod, list)[i]!.env;
    if (envIndex(env, 'DD_SERVICE') >= 0) return;
    if (envIndex(env, source.name) < 0) {
      prependEnv(run.journal, list, i, source);
      noteEnv(run, source, list, name, reason);
    }
    prependEnv(run.journal, list, i, service);
    noteEnv(run, service, list, name, reason);
  });
}

function eachInstrumentable(run: Run, config: AdmissionConfig, f: (list: ContainerList, index: number, name: string) => void): void {
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = containersOf(run.journal.pod, list);
    for (let i = 0; i < containers.length; i++) if (isInstrumentable(containers[i]!, config)) f(list, i, containers[i]!.name);
  }
}

function noteEnv(run: Run, env: EnvVar, list: ContainerList, container: string, reason: string): void {
  const value = env.valueFrom ? `valueFrom ${JSON.stringify(env.valueFrom)}` : (env.value ?? '');
  note(run.journal, { kind: 'env', action: 'added', name: env.name, container, containerList: list, value, reason });
}

function annotate(run: Run, key: string, value: string, reason: string): void {
  const current = run.journal.pod.metadata?.annotations?.[key];
  if (current === value) return;
  setAnnotation(run.journal, key, value);
  note(run.journal, { kind: 'annotation', action: current === undefined ? 'added' : 'replaced', name: key, value, reason });
}

/** Two consecutive results of /injectlib as one (the second ran on the first's pod). */
function join(first: WebhookResult, second: WebhookResult): WebhookResult {
  if (first.patch.length === 0 && first.warnings.length === 0) return own(second);
  return own({
    webhook: 'auto-instrumentation',
    pod: second.pod,
    patch: first.patch.concat(second.patch),
    events: first.events.concat(second.events),
    warnings: first.warnings.concat(second.warnings),
  });
}

/** The result as /injectlib's: events and warnings of the mutators it ran are its own. */
function own(r: WebhookResult): WebhookResult {
  if (r.events.every((e) => e.webhook === 'auto-instrumentation') && r.warnings.every((w) => w.webhook === 'auto-instrumentation')) return r;
  return { ...r, webhook: 'auto-instrumentation', events: r.events.map(ownEvent), warnings: r.warnings.map((w) => ({ ...w, webhook: 'auto-instrumentation' as const })) };
}

/** A mutator's failure as the failure of /injectlib: nothing of it is kept. */
function restamp(r: WebhookResult, input: Pod): WebhookResult {
  return { webhook: 'auto-instrumentation', pod: input, patch: [], events: [], warnings: r.warnings, failure: { ...r.failure!, webhook: 'auto-instrumentation' } };
}

/** Changes made inside /injectlib belong to it, whichever mutator made them. */
function ownEvent(e: MutationEvent): MutationEvent {
  return e.webhook === 'auto-instrumentation' ? e : { ...e, webhook: 'auto-instrumentation', reason: `${e.reason} (${e.webhook} mutator run by /injectlib)` };
}

