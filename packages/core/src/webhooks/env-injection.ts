import type { Container, ContainerList, EnvVar } from '../review/pod.js';
import { containersOf, note, prependEnv, visits, type Journal } from './journal.js';

/** An env var to inject: a literal value or a field reference. */
export type EnvValue = { name: string; value: string } | { name: string; fieldPath: string };

const LISTS: readonly ContainerList[] = ['containers', 'initContainers'];

/** The env entry as the cluster agent serializes it: an empty literal value is omitted. */
export function toEnvVar(env: EnvValue): EnvVar {
  if ('fieldPath' in env) return { name: env.name, valueFrom: { fieldRef: { fieldPath: env.fieldPath } } };
  return env.value === '' ? { name: env.name } : { name: env.name, value: env.value };
}

/** Index of the env entry named `name` in a container, or -1. */
export function envIndex(env: readonly EnvVar[] | null | undefined, name: string): number {
  if (!env) return -1;
  for (let i = 0; i < env.length; i++) if (env[i]!.name === name) return i;
  return -1;
}

function displayValue(env: EnvValue): string {
  return 'fieldPath' in env ? `fieldRef ${env.fieldPath}` : env.value;
}

/**
 * The shared injection rule (config-injection spec §5): prepend `env` to every
 * container and init container that has no entry of that name; the user's entry
 * always wins. A scoped journal visits only the containers of its scope. Returns whether any container received it.
 */
export function injectEnv(j: Journal, env: EnvValue, reason: string): boolean {
  const entry = toEnvVar(env);
  let injected = false;
  for (const list of LISTS) {
    const containers = containersOf(j.pod, list);
    for (let i = 0; i < containers.length; i++) {
      if (!visits(j, list, containers[i]!) || envIndex(containers[i]!.env, env.name) >= 0) continue;
      prependEnv(j, list, i, entry);
      note(j, {
        kind: 'env',
        action: 'added',
        name: env.name,
        container: containers[i]!.name,
        containerList: list,
        value: displayValue(env),
        reason,
      });
      injected = true;
    }
  }
  return injected;
}

/**
 * The same rule for a var whose value depends on the container (the agent's
 * InjectDynamicEnv): `valueOf` gets each container that lacks `name`.
 */
export function injectDynamicEnv(j: Journal, name: string, valueOf: (container: Container, list: ContainerList) => string, reason: string): boolean {
  let injected = false;
  for (const list of LISTS) {
    const containers = containersOf(j.pod, list);
    for (let i = 0; i < containers.length; i++) {
      if (!visits(j, list, containers[i]!) || envIndex(containers[i]!.env, name) >= 0) continue;
      const value = valueOf(containers[i]!, list);
      prependEnv(j, list, i, { name, value });
      note(j, { kind: 'env', action: 'added', name, container: containers[i]!.name, containerList: list, value, reason });
      injected = true;
    }
  }
  return injected;
}
