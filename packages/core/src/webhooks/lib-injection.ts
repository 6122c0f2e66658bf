import type { AdmissionConfig } from '../config/schema.js';
import { envIndex, injectEnv } from './env-injection.js';
import { appendEnv, appendVolume, appendVolumeMount, containersOf, note, prependInitContainer, setEnvValue } from './journal.js';
import { shouldInjectGate } from './labels.js';
import { applyLibConfig } from './lib-config.js';
import type { Container, Pod } from '../review/pod.js';
import { parseQuantity } from '../config/quantity.js';
import { isSsiActive, podNamespace, ssiDefaultEnv } from './ssi.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { instrumentWithInjector } from './apm-instrumentation.js';
import { done, failed, skipped, startRun, warn, type MutationContext, type Run, type WebhookResult } from './webhook.js';

/** Supported languages, in the fixed order the webhook visits them. */
export const LANGUAGES = ['java', 'js', 'python', 'dotnet', 'ruby'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LIB_VOLUME_NAME = 'datadog-auto-instrumentation';
export const LIB_MOUNT_PATH = '/datadog-lib';
const ANNOTATION_PREFIX = 'admission.datadoghq.com/';

/** Name of the init container that copies `lang`'s library. */
export function initContainerName(lang: Language): string {
  return `datadog-lib-${lang}-init`;
}

const INIT_CONTAINER_NAMES: ReadonlySet<string> = new Set(LANGUAGES.map(initContainerName));

/** How one env var of a language's library is combined with a user's literal value. */
type Combine = 'append' | 'prefix' | 'replace';
interface LibEnv {
  name: string;
  value: string;
  combine: Combine;
}

const JAVA_OPTIONS =
  ' -javaagent:/datadog-lib/dd-java-agent.jar -XX:OnError=/datadog-lib/continuousprofiler/tmp/dd_crash_uploader.sh -XX:ErrorFile=/datadog-lib/continuousprofiler/tmp/hs_err_pid_%p.log';

/** The env vars each library needs in application containers (lib-injection spec §1.1). */
export const LIBRARY_ENV: Readonly<Record<Language, readonly LibEnv[]>> = {
  java: [{ name: 'JAVA_TOOL_OPTIONS', value: JAVA_OPTIONS, combine: 'append' }],
  js: [{ name: 'NODE_OPTIONS', value: ' --require=/datadog-lib/node_modules/dd-trace/init', combine: 'append' }],
  python: [{ name: 'PYTHONPATH', value: '/datadog-lib/', combine: 'prefix' }],
  dotnet: [
    { name: 'CORECLR_ENABLE_PROFILING', value: '1', combine: 'replace' },
    { name: 'CORECLR_PROFILER', value: '{846F5F1C-F9AE-4B07-969E-05C26BC060D8}', combine: 'replace' },
    { name: 'CORECLR_PROFILER_PATH', value: '/datadog-lib/Datadog.Trace.ClrProfiler.Native.so', combine: 'replace' },
    { name: 'DD_DOTNET_TRACER_HOME', value: '/datadog-lib', combine: 'replace' },
    { name: 'DD_TRACE_LOG_DIRECTORY', value: '/datadog-lib/logs', combine: 'replace' },
    { name: 'LD_PRELOAD', value: '/datadog-lib/continuousprofiler/Datadog.Linux.ApiWrapper.x64.so', combine: 'prefix' },
  ],
  ruby: [{ name: 'RUBYOPT', value: ' -r/datadog-lib/auto_inject', combine: 'append' }],
};

/** One library to inject: which language, which image, into which container (all when absent), and why. */
export interface LibraryEntry {
  lang: Language;
  image: string;
  container?: string;
  reason: string;
}

/** The auto-instrumentation webhook (`/injectlib`): APM libraries by annotation or Single Step Instrumentation. */
export function injectAutoInstrumentation(pod: Pod, context: MutationContext, config: AdmissionConfig): WebhookResult {
  if (hasChange(config.agentVersion, 'apm-injector')) return instrumentWithInjector(pod, context, config);
  const run = startRun('auto-instrumentation', pod);
  const namespace = podNamespace(pod);
  const ssi = isSsiActive(config, namespace, context);
  const gate = shouldInjectGate(pod, config, ssi);
  if (gate.warning) warn(run, gate.warning);
  if (!gate.pass) return skipped(run, gate.code, gate.reason);

  const existing = containersOf(pod, 'initContainers').find((c) => INIT_CONTAINER_NAMES.has(c.name));
  if (existing) return skipped(run, 'already-injected', `init container ${existing.name} is already present`);

  const libraries = librariesToInject(run, pod, config, ssi, namespace);
  if (libraries.length === 0) {
    return skipped(run, 'nothing-to-inject', 'no admission.datadoghq.com/<language>-lib.version or -lib.custom-image annotation');
  }
  const error = injectLibraries(run, pod, context, config, libraries, ssi);
  if (error) return failed(run, error.code, error.message);
  return done(run);
}

/** Libraries named by annotations, SSI, all-lib.version and the 7.48 inject_all.namespaces key, in 7.49 order. */
export function librariesToInject(run: Run, pod: Pod, config: AdmissionConfig, ssi: boolean, namespace: string): LibraryEntry[] {
  const ai = config.admission_controller.auto_instrumentation;
  const registry = ai.container_registry;
  const image = (lang: Language, version: string) => `${registry}/dd-lib-${lang}-init:${version}`;
  // custom-image is a full reference; version goes into the registry's image.
  const imageFor = (lang: Language, suffix: string, value: string) => (suffix === 'custom-image' ? value : image(lang, value));
  const podWide = new Map<Language, LibraryEntry>();
  if (ssi) {
    const pinned = config.apm_config.instrumentation.lib_versions;
    // From early 2024, pins restrict SSI to the pinned languages.
    const onlyPinned = hasChange(config.agentVersion, 'ssi-allow-list') && Object.keys(pinned).length > 0;
    for (const lang of LANGUAGES) {
      if (onlyPinned && !Object.hasOwn(pinned, lang)) continue;
      const version = Object.hasOwn(pinned, lang) ? pinned[lang]! : 'latest';
      const why = Object.hasOwn(pinned, lang) ? `apm_config.instrumentation.lib_versions.${lang}` : 'Single Step Instrumentation (latest)';
      podWide.set(lang, { lang, image: image(lang, version), reason: why });
    }
  }
  const annotations = pod.metadata?.annotations ?? {};
  const found = libraryAnnotations(annotations);
  // Any key that is not a pod-wide one may name a container; skip the per-container scan when there is none.
  const perContainerKeys = [...found.keys()].some((k) => !POD_WIDE_KEYS.has(k));
  const perContainer: LibraryEntry[] = [];
  for (const lang of LANGUAGES) {
    for (const { suffix, key } of POD_WIDE_KEYS_OF.get(lang)!) {
      const hit = found.get(key);
      if (hit) podWide.set(lang, { lang, image: imageFor(lang, suffix, hit.value), reason: `annotation ${hit.key}` });
    }
    if (!perContainerKeys) continue;
    for (const c of containersOf(pod, 'containers')) {
      for (const suffix of IMAGE_SUFFIXES) {
        const hit = found.get(`${c.name}.${lang}-lib.${suffix}`.toLowerCase());
        if (hit) perContainer.push({ lang, image: imageFor(lang, suffix, hit.value), container: c.name, reason: `annotation ${hit.key}` });
      }
    }
  }
  // Per-container entries first, then the pod-wide ones in language order (a loop: flatMap is slow in V8).
  const collected = perContainer;
  for (const lang of LANGUAGES) {
    const entry = podWide.get(lang);
    if (entry) collected.push(entry);
  }
  if (collected.length > 0) return collected;

  const allKey = `${ANNOTATION_PREFIX}all-lib.version`;
  const all = Object.hasOwn(annotations, allKey) ? annotations[allKey] : undefined;
  if (all !== undefined) {
    if (all !== 'latest') warn(run, `annotation ${allKey}="${all}": only "latest" is supported, using latest`);
    return LANGUAGES.map((lang) => ({ lang, image: image(lang, 'latest'), reason: `annotation ${allKey}` }));
  }
  if (ai.inject_all.namespaces.includes(namespace)) {
    warn(run, `namespace ${namespace} is listed in the deprecated admission_controller.auto_instrumentation.inject_all.namespaces (7.48 behaviour kept): use apm_config.instrumentation.enabled_namespaces`);
    return LANGUAGES.map((lang) => ({ lang, image: image(lang, 'latest'), reason: `namespace ${namespace} in admission_controller.auto_instrumentation.inject_all.namespaces (deprecated)` }));
  }
  return [];
}

const LIB_ANNOTATION = /-lib\.(version|custom-image)$/;

/**
 * The version / custom-image annotations, keyed by what follows the prefix. The
 * agent builds each key lower-cased and looks it up exactly, so only keys that
 * are already lower case can ever match.
 */
function libraryAnnotations(annotations: Readonly<Record<string, string>>): Map<string, { key: string; value: string }> {
  const found = new Map<string, { key: string; value: string }>();
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(ANNOTATION_PREFIX) || !LIB_ANNOTATION.test(key) || key !== key.toLowerCase()) continue;
    found.set(key.slice(ANNOTATION_PREFIX.length), { key, value: annotations[key]! });
  }
  return found;
}

/** Per language, custom-image is read before version, so version wins when both are set. */
const IMAGE_SUFFIXES = ['custom-image', 'version'] as const;
/** Each language's pod-wide keys (`<lang>-lib.<suffix>`) in that order, built once rather than per review. */
const POD_WIDE_KEYS_OF = new Map(LANGUAGES.map((l) => [l, IMAGE_SUFFIXES.map((suffix) => ({ suffix, key: `${l}-lib.${suffix}` }))] as const));
const POD_WIDE_KEYS = new Set(LANGUAGES.flatMap((l) => POD_WIDE_KEYS_OF.get(l)!.map(({ key }) => key)));

/** Why a webhook run fails: a stable code for metrics and a message for the user. */
export interface InjectionError {
  code: string;
  message: string;
}

/** Injection procedure (lib-injection spec §4): any error drops every change of this webhook. */
function injectLibraries(run: Run, pod: Pod, context: MutationContext, config: AdmissionConfig, libraries: LibraryEntry[], ssi: boolean): InjectionError | undefined {
  let error: InjectionError | undefined;
  const images = new Map<Language, LibraryEntry>();
  for (const entry of libraries) {
    error = injectLibraryEnv(run, entry) ?? error;
    images.set(entry.lang, entry);
  }
  const resources = initResources(config);
  if ('error' in resources) error = resources.error;
  const annotations = pod.metadata?.annotations ?? {};
  for (const lang of LANGUAGES) {
    const entry = images.get(lang);
    if (!entry) continue;
    addInitContainer(run, entry, 'resources' in resources ? resources.resources : undefined);
    error = applyLibConfig(run, annotations, lang) ?? error;
  }
  error = applyLibConfig(run, annotations, 'all') ?? error;
  addLibVolume(run);
  if (ssi) {
    for (const env of ssiDefaultEnv(run.journal.pod, config)) injectEnv(run.journal, env, 'Single Step Instrumentation default');
  }
  if (hasChange(config.agentVersion, 'install-env')) injectInstallEnv(run, ssi ? 'k8s_single_step' : 'k8s_lib_injection', context);
  return error;
}

/** DD_INSTRUMENTATION_INSTALL_TYPE, _TIME and _ID, as the early-2024 webhook adds them to every container. */
function injectInstallEnv(run: Run, type: string, context: MutationContext): void {
  const install = context.install ?? { time: String(context.now ?? 0), id: '' };
  const why = `library injection (${type})`;
  injectEnv(run.journal, { name: 'DD_INSTRUMENTATION_INSTALL_TYPE', value: type }, why);
  injectEnv(run.journal, { name: 'DD_INSTRUMENTATION_INSTALL_TIME', value: install.time }, why);
  injectEnv(run.journal, { name: 'DD_INSTRUMENTATION_INSTALL_ID', value: install.id }, why);
}

/** The library's env vars and the shared mount, in every targeted application container. */
function injectLibraryEnv(run: Run, entry: LibraryEntry): InjectionError | undefined {
  const j = run.journal;
  let error: InjectionError | undefined;
  const containers = containersOf(j.pod, 'containers');
  for (let i = 0; i < containers.length; i++) {
    if (entry.container !== undefined && containers[i]!.name !== entry.container) continue;
    for (const env of LIBRARY_ENV[entry.lang]) error = injectLibEnvVar(run, i, env, entry) ?? error;
    const c = containersOf(j.pod, 'containers')[i]!;
    if ((c.volumeMounts ?? []).some((m) => m.name === LIB_VOLUME_NAME)) continue;
    appendVolumeMount(j, 'containers', i, { name: LIB_VOLUME_NAME, mountPath: LIB_MOUNT_PATH });
    note(j, { kind: 'volumeMount', action: 'added', name: LIB_VOLUME_NAME, container: c.name, containerList: 'containers', value: LIB_MOUNT_PATH, reason: entry.reason });
  }
  return error;
}

function injectLibEnvVar(run: Run, index: number, env: LibEnv, entry: LibraryEntry): InjectionError | undefined {
  const j = run.journal;
  const container = containersOf(j.pod, 'containers')[index]!;
  const at = envIndex(container.env, env.name);
  if (at < 0) {
    appendEnv(j, 'containers', index, { name: env.name, value: env.value });
    note(j, { kind: 'env', action: 'added', name: env.name, container: container.name, containerList: 'containers', value: env.value, reason: entry.reason });
    return undefined;
  }
  const current = container.env![at]!;
  if (current.valueFrom) return { code: 'invalid env', message: `"${env.name}" is defined via ValueFrom` };
  const old = current.value ?? '';
  const value = combine(env, old);
  if (value === old) return undefined;
  setEnvValue(j, 'containers', index, at, value);
  const action = old === '' ? 'added' : env.combine === 'replace' ? 'replaced' : 'combined';
  note(j, { kind: 'env', action, name: env.name, container: container.name, containerList: 'containers', value, reason: entry.reason });
  return undefined;
}

function combine(env: LibEnv, old: string): string {
  if (old === '') return env.value;
  if (env.combine === 'append') return old + env.value;
  if (env.combine === 'prefix') return `${env.value}:${old}`;
  return env.value;
}

/** Init-container resources from config: the same quantity as request and limit (from early 2024, 50m / 20Mi when unset). */
function initResources(config: AdmissionConfig): { resources?: Record<string, Record<string, string>> } | { error: InjectionError } {
  const { cpu, memory } = config.admission_controller.auto_instrumentation.init_resources;
  const defaults = hasChange(config.agentVersion, 'init-default-resources');
  const quantities: Record<string, string> = {};
  for (const [name, raw] of [['cpu', cpu ?? (defaults ? '50m' : undefined)], ['memory', memory ?? (defaults ? '20Mi' : undefined)]] as const) {
    if (raw === undefined) continue;
    const q = parseQuantity(raw);
    if (q === undefined) return { error: { code: 'invalid resources', message: `invalid ${name} quantity "${raw}" in admission_controller.auto_instrumentation.init_resources.${name}` } };
    quantities[name] = q;
  }
  if (Object.keys(quantities).length === 0) return {};
  return { resources: { requests: { ...quantities }, limits: { ...quantities } } };
}

function addInitContainer(run: Run, entry: LibraryEntry, resources: Record<string, Record<string, string>> | undefined): void {
  const container: Container = {
    name: initContainerName(entry.lang),
    image: entry.image,
    command: ['sh', 'copy-lib.sh', LIB_MOUNT_PATH],
    volumeMounts: [{ name: LIB_VOLUME_NAME, mountPath: LIB_MOUNT_PATH }],
    ...(resources ? { resources } : {}),
  };
  prependInitContainer(run.journal, container);
  note(run.journal, { kind: 'initContainer', action: 'added', name: container.name, value: entry.image, reason: entry.reason });
}

/** The shared emptyDir the init containers copy into (not added twice: a duplicate name would get the pod rejected). */
function addLibVolume(run: Run): void {
  const j = run.journal;
  if ((j.pod.spec?.volumes ?? []).some((v) => v.name === LIB_VOLUME_NAME)) {
    warn(run, `volume ${LIB_VOLUME_NAME} already exists: kept as is`);
    return;
  }
  appendVolume(j, { name: LIB_VOLUME_NAME, emptyDir: {} });
  note(j, { kind: 'volume', action: 'added', name: LIB_VOLUME_NAME, value: 'emptyDir', reason: 'shared by the library init containers and the application containers' });
}
