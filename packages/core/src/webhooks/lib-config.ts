import { injectEnv, type EnvValue } from './env-injection.js';
import type { Run } from './webhook.js';

/** Thrown when a `...-lib.config.v1` annotation cannot be decoded. */
export class LibConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LibConfigError';
  }
}

type FieldType = 'string' | 'bool' | 'float' | 'int' | 'strings' | 'pairs';

interface Field {
  json: string;
  env: string;
  type: FieldType;
  /** For `pairs`: the two member names and the separator between pairs. */
  pair?: [string, string];
  join?: string;
}

// lib-injection spec §5.1, in the order the cluster agent produces them.
const FIELDS: readonly Field[] = [
  { json: 'service_name', env: 'DD_SERVICE', type: 'string' },
  { json: 'env', env: 'DD_ENV', type: 'string' },
  { json: 'tracing_enabled', env: 'DD_TRACE_ENABLED', type: 'bool' },
  { json: 'log_injection_enabled', env: 'DD_LOGS_INJECTION', type: 'bool' },
  { json: 'health_metrics_enabled', env: 'DD_TRACE_HEALTH_METRICS_ENABLED', type: 'bool' },
  { json: 'runtime_metrics_enabled', env: 'DD_RUNTIME_METRICS_ENABLED', type: 'bool' },
  { json: 'tracing_sampling_rate', env: 'DD_TRACE_SAMPLE_RATE', type: 'float' },
  { json: 'tracing_rate_limit', env: 'DD_TRACE_RATE_LIMIT', type: 'int' },
  { json: 'tracing_tags', env: 'DD_TAGS', type: 'strings', join: ',' },
  { json: 'tracing_service_mapping', env: 'DD_TRACE_SERVICE_MAPPING', type: 'pairs', pair: ['from_key', 'to_name'], join: ', ' },
  { json: 'tracing_agent_timeout', env: 'DD_TRACE_AGENT_TIMEOUT', type: 'int' },
  { json: 'tracing_header_tags', env: 'DD_TRACE_HEADER_TAGS', type: 'pairs', pair: ['header', 'tag_name'], join: ', ' },
  { json: 'tracing_partial_flush_min_spans', env: 'DD_TRACE_PARTIAL_FLUSH_MIN_SPANS', type: 'int' },
  { json: 'tracing_debug', env: 'DD_TRACE_DEBUG', type: 'bool' },
  { json: 'tracing_log_level', env: 'DD_TRACE_LOG_LEVEL', type: 'string' },
  { json: 'tracing_methods', env: 'DD_TRACE_METHODS', type: 'strings', join: ';' },
  { json: 'tracing_propagation_style_inject', env: 'DD_PROPAGATION_STYLE_INJECT', type: 'strings', join: ',' },
  { json: 'tracing_propagation_style_extract', env: 'DD_PROPAGATION_STYLE_EXTRACT', type: 'strings', join: ',' },
];

const FIELD_BY_NAME = new Map(FIELDS.map((f) => [f.json, f]));
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Decodes a library configuration annotation into env vars as Go's encoding/json
 * fills the agent's struct: members in document order, names matched
 * case-insensitively, the last one wins, `null` resets a field; a wrong JSON type,
 * a fraction or exponent for an integer, or a number out of range is an error
 * (the first one is reported, after the whole object was read); unknown members
 * are ignored.
 */
export function libConfigToEnv(text: string): EnvValue[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LibConfigError(`invalid JSON: ${(e as Error).message}`);
  }
  if (doc === null) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new LibConfigError('expected a JSON object');
  const values = new Map<string, string>();
  let firstError: LibConfigError | undefined;
  for (const { key, raw } of topLevelMembers(text)) {
    const field = FIELD_BY_NAME.get(key.toLowerCase());
    if (!field) continue;
    const value: unknown = JSON.parse(raw);
    if (value === null) {
      values.delete(field.json);
      continue;
    }
    try {
      values.set(field.json, formatField(field, value, raw));
    } catch (e) {
      if (!(e instanceof LibConfigError)) throw e;
      firstError ??= e;
    }
  }
  if (firstError) throw firstError;
  // A plain loop: Array.prototype.flatMap is several times slower in V8 and this runs per review.
  const out: EnvValue[] = [];
  for (const f of FIELDS) {
    const value = values.get(f.json);
    if (value !== undefined) out.push({ name: f.env, value });
  }
  return out;
}

function formatField(field: Field, value: unknown, raw: string): string {
  const bad = (what: string) => new LibConfigError(`field "${field.json}": expected ${what}, got ${JSON.stringify(value)}`);
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw bad('a string');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw bad('true or false');
      return String(value);
    case 'float':
      if (typeof value !== 'number') throw bad('a number');
      if (!Number.isFinite(value)) throw bad('a number within the range of a 64-bit float');
      return formatFixed2(value);
    case 'int': {
      if (typeof value !== 'number' || !/^-?\d+$/.test(raw)) throw bad('a whole number written without fraction or exponent');
      const n = BigInt(raw);
      if (n > INT64_MAX || n < INT64_MIN) throw bad('a whole number within the range of a 64-bit integer');
      return n.toString();
    }
    case 'strings':
      if (!Array.isArray(value)) throw bad('a list of strings');
      return value
        .map((item) => {
          if (item !== null && typeof item !== 'string') throw bad('a list of strings');
          return item ?? '';
        })
        .join(field.join);
    case 'pairs': {
      const [a, b] = field.pair!;
      if (!Array.isArray(value)) throw bad(`a list of {"${a}", "${b}"} objects`);
      return value.map((item) => pairText(item, a, b, bad)).join(field.join);
    }
  }
}

function pairText(item: unknown, a: string, b: string, bad: (what: string) => Error): string {
  if (item === null) return ':';
  if (typeof item !== 'object' || Array.isArray(item)) throw bad(`a list of {"${a}", "${b}"} objects`);
  const lower = new Map(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const part = (k: string) => {
    const v = lower.get(k);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw bad(`"${k}" to be a string`);
    return v;
  };
  return `${part(a)}:${part(b)}`;
}

/** Formats like Go's `%.2f`: exact decimal rounding, ties to even. */
export function formatFixed2(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  // From 1e21 on, toFixed switches to exponent form; such doubles are whole numbers.
  if (Math.abs(x) >= 1e21) return `${BigInt(x).toString()}.00`;
  if (Math.round(Math.abs(x) * 1000) % 10 !== 5) return x.toFixed(2); // not near a tie: toFixed is exact
  const exact = Math.abs(x).toFixed(20);
  const [, frac = ''] = exact.split('.');
  const isTie = frac[2] === '5' && /^0*$/.test(frac.slice(3));
  if (!isTie) return x.toFixed(2);
  const truncated = Math.trunc(Math.abs(x) * 100);
  const down = truncated % 2 === 0;
  const cents = down ? truncated : truncated + 1;
  const sign = x < 0 ? '-' : '';
  return `${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** The top-level members of a valid JSON object, in document order, duplicates kept, each value as its source text. */
function topLevelMembers(text: string): { key: string; raw: string }[] {
  const out: { key: string; raw: string }[] = [];
  let i = text.indexOf('{') + 1;
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] !== '"') return out; // `}`: the end of the object
    const keyEnd = stringEnd(text, i);
    // Most keys have no escape: then the text between the quotes is the key itself.
    const inner = text.slice(i + 1, keyEnd - 1);
    const key = inner.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : inner;
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the `:`
    const end = valueEnd(text, start);
    out.push({ key, raw: text.slice(start, end).trimEnd() });
    i = skipSpace(text, end) + 1; // past the `,` or `}`
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  return i;
}

/** Where the value starting at `start` ends: the `,` or `}` that closes it at depth 0. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
    } else if (c === ',' && depth === 0) return i;
    i++;
  }
  return i;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Injects the env of `<lang>-lib.config.v1` (or `all-lib.config.v1`) into every container; a decode error as a failure. */
export function applyLibConfig(run: Run, annotations: Readonly<Record<string, string>>, lang: string): { code: string; message: string } | undefined {
  const key = `admission.datadoghq.com/${lang}-lib.config.v1`;
  if (!Object.hasOwn(annotations, key)) return undefined;
  try {
    for (const env of libConfigToEnv(annotations[key]!)) injectEnv(run.journal, env, `annotation ${key}`);
    return undefined;
  } catch (e) {
    if (!(e instanceof LibConfigError)) throw e;
    return { code: 'invalid lib config', message: `annotation ${key}: ${e.message}` };
  }
}
