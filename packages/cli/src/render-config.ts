import { CONFIG_KEYS, formatAgentVersion, HELM_CHART_VERSION, type AdmissionSettings, type DistributionFinding } from '@dd-admission/core';
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import type { LoadedConfig } from './load-config.js';
import { newDocument } from './yaml-style.js';

type Loaded = Extract<LoadedConfig, { ok: true }>;

const LEAVES = new Set(CONFIG_KEYS.map((k) => k.key));

/**
 * The effective configuration as a datadog.yaml (usable as --config), each
 * value followed by its origin, then the cluster-agent env the chart or the
 * Operator renders (with what the emulated release does not read) as trailing comments.
 */
export function renderConfigYaml(loaded: Loaded): string {
  const doc = newDocument(settingsOf(loaded));
  annotate(doc.contents as YAMLMap, '', loaded.origins);
  doc.commentBefore = [
    ` Effective admission configuration of the Cluster Agent (${release(loaded)} keys) from ${loaded.description}${rules(loaded)}.`,
    ` Cluster Agent ${release(loaded)}: ${loaded.agentVersion.origin}.${loaded.agentVersion.note ? ` ${loaded.agentVersion.note}.` : ''}`,
    ' Each value is followed by where it comes from. This file works as dd-mutate --config.',
  ].join('\n');
  const env = envComment(loaded);
  if (env) doc.comment = env;
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

function release(loaded: Loaded): string {
  return formatAgentVersion(loaded.agentVersion.version);
}

/** The configuration keys alone: the release is said in the header, not as a key. */
function settingsOf(loaded: Loaded): AdmissionSettings {
  const { agentVersion: _, ...settings } = loaded.config;
  return settings;
}

function rules(loaded: Loaded): string {
  if (loaded.deployment.surface === 'helm') return `, by the rules of the datadog Helm chart ${HELM_CHART_VERSION}`;
  if (loaded.deployment.surface === 'datadog-agent') return ', by the rules of the Datadog Operator';
  return '';
}

// Scalars get their origin on the same line; lists and maps above their key (a comment after `[]` would move to the next line).
function annotate(map: YAMLMap, prefix: string, origins: Readonly<Record<string, string>>): void {
  for (const pair of map.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const path = prefix ? `${prefix}.${key}` : key;
    const value = pair.value as Node | null;
    if (isMap(value) && !LEAVES.has(path)) {
      annotate(value, path, origins);
      continue;
    }
    const origin = ` ${origins[path] ?? 'default'}`;
    if (isScalar(value)) value.comment = origin;
    else if (isScalar(pair.key)) pair.key.commentBefore = origin;
  }
}

function envComment(loaded: Loaded): string {
  if (!loaded.env) return '';
  const unread = new Map((loaded.unread ?? []).map((u) => [u.name, u.reason]));
  const lines = [` The cluster-agent container's env as ${loaded.deployment.surface === 'helm' ? 'the chart renders it' : 'the Operator sets it'} (the entry that wins for each name):`];
  for (const e of loaded.env) {
    const why = unread.get(e.name);
    lines.push(`   ${e.name}=${e.value}  <- ${e.origin}${why ? `  [${why}]` : ''}`);
  }
  return lines.join('\n');
}

/** The JSON form: the configuration (with its agentVersion), each key's origin, the env, what the release does not read, warnings and distribution findings. */
export function renderConfigJson(loaded: Loaded, findings: readonly DistributionFinding[]): string {
  const out = {
    source: loaded.description,
    config: loaded.config,
    origins: loaded.origins,
    ...(loaded.env ? { env: loaded.env, unread: loaded.unread ?? [] } : {}),
    warnings: loaded.warnings,
    findings,
  };
  return JSON.stringify(out, null, 2) + '\n';
}
