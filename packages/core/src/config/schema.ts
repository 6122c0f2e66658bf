import { z } from 'zod';
import type { AgentVersion } from '../versions/agent-version.js';

// Coercions follow the cluster agent's config library: values from env vars and
// `--set` arrive as strings and are cast to the key's type.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function toBool(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return v;
}

function toInt(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[+-]?\d+\s*$/.test(v)) return v;
  return Number.parseInt(v, 10);
}

// Items and values are read as strings, as the agent's GetStringSlice / GetStringMapString do
// (`enabled_namespaces: [2024]` names the namespace "2024").
function toList(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(scalarToString);
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s.startsWith('[')) return toList(parseJsonOr(s, v));
  return s === '' ? [] : s.split(/\s+/);
}

function toMap(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalarToString(x)]));
  }
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s === '') return {};
  const parsed = parseJsonOr(s, v);
  return parsed === v ? v : toMap(parsed);
}

function parseJsonOr(s: string, fallback: unknown): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return fallback;
  }
}

const bool = (d: boolean) =>
  z.preprocess(toBool, z.boolean({ error: (i) => `expected a boolean (true or false), got ${show(i.input)}` })).default(d);
const int = (d: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .preprocess(
      toInt,
      z
        .number({ error: (i) => `expected a whole number, got ${show(i.input)}` })
        .int({ error: (i) => `expected a whole number, got ${show(i.input)}` })
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .default(d);
const str = (d: string) =>
  z.preprocess(scalarToString, z.string({ error: (i) => `expected a string, got ${show(i.input)}` })).default(d);
const optStr = () =>
  z.preprocess(scalarToString, z.string({ error: (i) => `expected a string, got ${show(i.input)}` })).optional();
const list = () =>
  z
    .preprocess(
      toList,
      z.array(z.string({ error: (i) => `expected a list of strings, got an item ${show(i.input)}` }), {
        error: (i) => `expected a list of strings (YAML list, JSON array or space-separated), got ${show(i.input)}`,
      }),
    )
    .default([]);
const map = () =>
  z
    .preprocess(
      toMap,
      z.record(z.string(), z.string({ error: (i) => `expected a string value, got ${show(i.input)}` }), {
        error: (i) => `expected a map of language to version (YAML map or JSON object), got ${show(i.input)}`,
      }),
    )
    .default({});
const oneOf = <T extends readonly [string, ...string[]]>(values: T, d: T[number]) =>
  z
    .preprocess(
      // The agent compares these case-insensitively (`INFO` is `info`).
      (v) => (typeof v === 'string' ? v.toLowerCase() : scalarToString(v)),
      z.enum(values, { error: (i) => `expected one of ${values.join(', ')}, got ${show(i.input)}` }),
    )
    .default(d as never);

// YAML turns `mode: 123` or `namespace: 2024` into numbers; the agent reads them as strings.
function scalarToString(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// Every section defaults to {} so each of its keys takes its own default.
const section = <T extends z.ZodRawShape>(shape: T) => z.object(shape).prefault({} as never);

/** Every configuration key the admission controller reads (spec/config-keys.md), with its type and default. */
export const admissionConfigSchema = z.object({
  admission_controller: section({
    enabled: bool(false),
    mutate_unlabelled: bool(false),
    port: int(8000, 1, 65535),
    timeout_seconds: int(10, 1, 30),
    service_name: str('datadog-admission-controller'),
    certificate: section({
      validity_bound: int(8760, 1),
      expiration_threshold: int(720, 0),
      secret_name: str('webhook-certificate'),
    }),
    webhook_name: str('datadog-webhook'),
    inject_config: section({
      enabled: bool(true),
      endpoint: str('/injectconfig'),
      mode: str('hostip'),
      local_service_name: str('datadog'),
      socket_path: str('/var/run/datadog'),
      trace_agent_socket: str('unix:///var/run/datadog/apm.socket'),
      dogstatsd_socket: str('unix:///var/run/datadog/dsd.socket'),
    }),
    inject_tags: section({
      enabled: bool(true),
      endpoint: str('/injecttags'),
    }),
    pod_owners_cache_validity: int(10, 0),
    namespace_selector_fallback: bool(false),
    failure_policy: str('Ignore'),
    reinvocation_policy: str('IfNeeded'),
    add_aks_selectors: bool(false),
    auto_instrumentation: section({
      enabled: bool(true),
      endpoint: str('/injectlib'),
      container_registry: str('gcr.io/datadoghq'),
      patcher: section({
        enabled: bool(false),
        fallback_to_file_provider: bool(false),
        file_provider_path: str('/etc/datadog-agent/patch/auto-instru.json'),
      }),
      init_resources: section({
        cpu: optStr(),
        memory: optStr(),
      }),
      inject_all: section({
        namespaces: list(),
      }),
    }),
  }),
  apm_config: section({
    instrumentation: section({
      enabled: bool(false),
      enabled_namespaces: list(),
      disabled_namespaces: list(),
      lib_versions: map(),
    }),
  }),
  kube_resources_namespace: str(''),
  kubernetes_informers_resync_period: int(300, 0),
  cluster_agent: section({
    allow_legacy_tls: bool(false),
  }),
  log_level: oneOf(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'off'], 'info'),
});

/** The typed, defaulted values of every configuration key. */
export type AdmissionSettings = z.infer<typeof admissionConfigSchema>;

/** The configuration of one Cluster Agent: its settings and the release whose behaviour they drive. */
export type AdmissionConfig = AdmissionSettings & { readonly agentVersion: AgentVersion };

/** Env var names that do not follow the `DD_` + upper-cased key rule. */
export const DECLARED_ENV_NAMES: Readonly<Record<string, string>> = {
  'apm_config.instrumentation.enabled': 'DD_APM_INSTRUMENTATION_ENABLED',
  'apm_config.instrumentation.enabled_namespaces': 'DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES',
  'apm_config.instrumentation.disabled_namespaces': 'DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES',
  'apm_config.instrumentation.lib_versions': 'DD_APM_INSTRUMENTATION_LIB_VERSIONS',
};

/** The env var that sets `key`. */
export function envNameOf(key: string): string {
  return DECLARED_ENV_NAMES[key] ?? 'DD_' + key.toUpperCase().replace(/\./g, '_');
}

/** Type of a key as users see it in docs and messages. */
export type KeyType = 'boolean' | 'integer' | 'string' | 'list' | 'map';

export interface KeyInfo {
  key: string;
  env: string;
  type: KeyType;
  default: unknown;
}

type AnyZod = z.ZodType;

function unwrap(s: AnyZod): AnyZod {
  // default/prefault/optional/pipe (preprocess) wrappers down to the real type
  let cur: AnyZod = s;
  for (;;) {
    const def = (cur as unknown as { def: { type: string; innerType?: AnyZod; out?: AnyZod } }).def;
    if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional') && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.out) cur = def.out;
    else return cur;
  }
}

function keyType(s: AnyZod): KeyType {
  const t = (unwrap(s) as unknown as { def: { type: string } }).def.type;
  if (t === 'boolean') return 'boolean';
  if (t === 'number') return 'integer';
  if (t === 'array') return 'list';
  if (t === 'record') return 'map';
  return 'string';
}

function collectKeys(schema: AnyZod, prefix: string, out: KeyInfo[]): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    for (const [name, child] of Object.entries(inner.shape as Record<string, AnyZod>)) {
      collectKeys(child, prefix ? `${prefix}.${name}` : name, out);
    }
    return;
  }
  const parsed = schema.safeParse(undefined);
  out.push({ key: prefix, env: envNameOf(prefix), type: keyType(schema), default: parsed.success ? parsed.data : undefined });
}

/** All leaf keys of the configuration, in schema order. */
export const CONFIG_KEYS: readonly KeyInfo[] = (() => {
  const out: KeyInfo[] = [];
  collectKeys(admissionConfigSchema, '', out);
  return out;
})();
