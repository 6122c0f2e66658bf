import type { AdmissionConfig } from '../config/schema.js';
import type { Container, Volume, VolumeMount } from '../review/pod.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { envIndex } from './env-injection.js';
import type { ResourceRequirements } from './init-resources.js';
import { jsonEqual } from './json-equal.js';
import {
  appendVolume,
  containersOf,
  note,
  prependEnv,
  prependInitContainer,
  prependVolumeMount,
  replaceInitContainer,
  replaceVolume,
  replaceVolumeMount,
  setEnvValue,
} from './journal.js';
import type { LibraryLanguage } from './libraries.js';
import { markSafeToEvict } from './volume-injection.js';
import type { Run } from './webhook.js';

// The v2 injector in init_container mode (lib-injection-7.78.md §4): an init
// container copies the apm-inject package into a shared emptyDir and writes
// /etc/ld.so.preload into a second one; one init container per library copies
// it beside; application containers mount both and preload the launcher.

export const INJECTOR_CONTAINER_NAME = 'datadog-init-apm-inject';
export const INSTRUMENTATION_VOLUME_NAME = 'datadog-auto-instrumentation';
export const ETC_VOLUME_NAME = 'datadog-auto-instrumentation-etc';
const INJECT_DIR = 'opt/datadog-packages/datadog-apm-inject';
const LIBRARY_DIR = 'opt/datadog/apm/library';
/** The launcher every application process preloads. */
export const LAUNCHER_PATH = `/${INJECT_DIR}/stable/inject/launcher.preload.so`;
const SHELL = ['/bin/sh', '-c', '--'];

/** One library for the injector path: language, image, the one container it targets (all when absent), and why. */
export interface InjectorLibrary {
  lang: LibraryLanguage;
  image: string;
  container?: string;
  reason: string;
}

/** Everything the injection needs, decided beforehand. */
export interface InjectorPlan {
  injector: { image: string; reason: string };
  libraries: readonly InjectorLibrary[];
  resources: ResourceRequirements;
  securityContext?: Readonly<Record<string, unknown>>;
  debug: boolean;
  /** Unix seconds, for DD_INJECT_START_TIME. */
  now: number;
}

/** Library injection never touches this container (7.66). */
export function isInstrumentable(c: Container, config: AdmissionConfig): boolean {
  return c.name !== 'istio-proxy' || !hasChange(config.agentVersion, 'istio-proxy-excluded');
}

/** Injects the injector, its env and every library; an error message when the pod cannot take them. */
export function injectWithInjector(run: Run, plan: InjectorPlan, config: AdmissionConfig): string | undefined {
  const v = config.agentVersion;
  const readOnly = hasChange(v, 'read-only-app-mounts') ? { readOnly: true } : {};
  const why = plan.injector.reason;
  addVolume(run, { name: INSTRUMENTATION_VOLUME_NAME, emptyDir: {} }, config, 'shared by the injector and library init containers and the application containers');
  addVolume(run, { name: ETC_VOLUME_NAME, emptyDir: {} }, config, 'holds the ld.so.preload file the injector writes');
  addAppMount(run, { name: ETC_VOLUME_NAME, mountPath: '/etc/ld.so.preload', subPath: 'ld.so.preload', readOnly: true }, config, undefined, why);
  addAppMount(run, { name: INSTRUMENTATION_VOLUME_NAME, mountPath: `/${INJECT_DIR}`, subPath: INJECT_DIR, ...readOnly }, config, undefined, why);
  addInitContainer(run, injectorContainer(plan), why);

  const error = injectLauncherEnv(run, plan, config);
  if (error) return error;
  for (const lib of plan.libraries) {
    addInitContainer(run, libraryContainer(lib, plan), lib.reason);
    const only = lib.container !== undefined && hasChange(v, 'targeted-library-mount') ? lib.container : undefined;
    addAppMount(run, { name: INSTRUMENTATION_VOLUME_NAME, mountPath: `/${LIBRARY_DIR}`, subPath: LIBRARY_DIR, ...readOnly }, config, only, lib.reason);
  }
  return undefined;
}

function injectorContainer(plan: InjectorPlan): Container {
  const timestamp = `/datadog-inject/c-init-time.${INJECTOR_CONTAINER_NAME}`;
  return withSecurity(
    {
      name: INJECTOR_CONTAINER_NAME,
      image: plan.injector.image,
      command: SHELL,
      args: [`cp -r /${INJECT_DIR}/* /datadog-inject && echo ${LAUNCHER_PATH} > /datadog-etc/ld.so.preload && echo $(date +%s) >> ${timestamp}`],
      resources: plan.resources,
      volumeMounts: [
        { name: INSTRUMENTATION_VOLUME_NAME, mountPath: '/datadog-inject', subPath: INJECT_DIR },
        { name: ETC_VOLUME_NAME, mountPath: '/datadog-etc' },
      ],
    },
    plan,
  );
}

function libraryContainer(lib: InjectorLibrary, plan: InjectorPlan): Container {
  const name = `datadog-lib-${lib.lang}-init`;
  return withSecurity(
    {
      name,
      image: lib.image,
      command: SHELL,
      args: [`sh copy-lib.sh /datadog-lib && echo $(date +%s) >> /${INJECT_DIR}/c-init-time.${name}`],
      resources: plan.resources,
      volumeMounts: [
        { name: INSTRUMENTATION_VOLUME_NAME, mountPath: '/datadog-lib', subPath: `${LIBRARY_DIR}/${lib.lang}` },
        { name: INSTRUMENTATION_VOLUME_NAME, mountPath: `/${INJECT_DIR}`, subPath: INJECT_DIR },
      ],
    },
    plan,
  );
}

function withSecurity(c: Container, plan: InjectorPlan): Container {
  return plan.securityContext ? { ...c, securityContext: plan.securityContext } : c;
}

/** LD_PRELOAD (joined with ":" since 7.61, replaced before), sender type, start time, debug vars. */
function injectLauncherEnv(run: Run, plan: InjectorPlan, config: AdmissionConfig): string | undefined {
  const j = run.journal;
  const join = hasChange(config.agentVersion, 'ld-preload-join');
  const containers = containersOf(j.pod, 'containers');
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i]!;
    if (!isInstrumentable(c, config)) continue;
    const at = envIndex(c.env, 'LD_PRELOAD');
    if (at < 0) {
      prependEnv(j, 'containers', i, { name: 'LD_PRELOAD', value: LAUNCHER_PATH });
      note(j, { kind: 'env', action: 'added', name: 'LD_PRELOAD', container: c.name, containerList: 'containers', value: LAUNCHER_PATH, reason: plan.injector.reason });
      continue;
    }
    const current = c.env![at]!;
    // The agent would write a value beside valueFrom, which the API server refuses.
    if (current.valueFrom) return `"LD_PRELOAD" is defined via ValueFrom in container ${c.name}: the launcher cannot be added to it`;
    const value = join ? `${current.value ?? ''}:${LAUNCHER_PATH}` : LAUNCHER_PATH;
    if (value === current.value) continue;
    setEnvValue(j, 'containers', i, at, value);
    note(j, { kind: 'env', action: join ? 'combined' : 'replaced', name: 'LD_PRELOAD', container: c.name, containerList: 'containers', value, reason: plan.injector.reason });
  }
  const env = [
    { name: 'DD_INJECT_SENDER_TYPE', value: 'k8s' },
    { name: 'DD_INJECT_START_TIME', value: String(plan.now) },
    ...(plan.debug ? ['DD_APM_INSTRUMENTATION_DEBUG', 'DD_TRACE_STARTUP_LOGS', 'DD_TRACE_DEBUG'].map((name) => ({ name, value: 'true' })) : []),
  ];
  for (const e of env) injectAppEnv(run, e, config, plan.injector.reason);
  return undefined;
}

/** Prepends `env` to every instrumentable application container that lacks it. */
function injectAppEnv(run: Run, env: { name: string; value: string }, config: AdmissionConfig, reason: string): void {
  const j = run.journal;
  const containers = containersOf(j.pod, 'containers');
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i]!;
    if (!isInstrumentable(c, config) || envIndex(c.env, env.name) >= 0) continue;
    prependEnv(j, 'containers', i, env);
    note(j, { kind: 'env', action: 'added', name: env.name, container: c.name, containerList: 'containers', value: env.value, reason });
  }
}

/** Appends the volume, or replaces one of the same name; lists it as safe to evict (7.58). */
function addVolume(run: Run, volume: Volume, config: AdmissionConfig, reason: string): void {
  const j = run.journal;
  const volumes = j.pod.spec?.volumes ?? [];
  const at = volumes.findIndex((v) => v.name === volume.name);
  if (at < 0) {
    appendVolume(j, volume);
    note(j, { kind: 'volume', action: 'added', name: volume.name, value: 'emptyDir', reason });
  } else if (!jsonEqual(volumes[at], volume)) {
    replaceVolume(j, at, volume);
    note(j, { kind: 'volume', action: 'replaced', name: volume.name, value: 'emptyDir', reason });
  }
  if (hasChange(config.agentVersion, 'safe-to-evict')) markSafeToEvict(j, volume.name);
}

/** Prepends the mount to the application containers (or the one named), replacing one of the same name and path. */
function addAppMount(run: Run, mount: VolumeMount, config: AdmissionConfig, only: string | undefined, reason: string): void {
  const j = run.journal;
  const containers = containersOf(j.pod, 'containers');
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i]!;
    if (!isInstrumentable(c, config) || (only !== undefined && c.name !== only)) continue;
    const mounts = c.volumeMounts ?? [];
    const at = mounts.findIndex((m) => m.name === mount.name && m.mountPath === mount.mountPath);
    if (at >= 0 && jsonEqual(mounts[at], mount)) continue;
    if (at >= 0) replaceVolumeMount(j, 'containers', i, at, mount);
    else prependVolumeMount(j, 'containers', i, mount);
    note(j, { kind: 'volumeMount', action: at >= 0 ? 'replaced' : 'added', name: mount.name, container: c.name, containerList: 'containers', value: mount.mountPath, reason });
  }
}

/** Prepends the init container, or replaces one of the same name in place. */
function addInitContainer(run: Run, container: Container, reason: string): void {
  const j = run.journal;
  const at = containersOf(j.pod, 'initContainers').findIndex((c) => c.name === container.name);
  if (at >= 0) replaceInitContainer(j, at, container);
  else prependInitContainer(j, container);
  note(j, { kind: 'initContainer', action: at >= 0 ? 'replaced' : 'added', name: container.name, value: container.image ?? '', reason });
}
