import type { EnvValue } from './env-injection.js';

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

/**
 * Decodes a library configuration annotation into env vars, with the cluster
 * agent's typing: a wrong JSON type, or a fraction / exponent for an integer
 * field, is an error; unknown fields are ignored; `null` counts as absent.
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
  const raw = topLevelNumberLiterals(text);
  // Go's decoder matches member names case-insensitively; the last match wins.
  const byField = new Map<string, { value: unknown; raw: string | undefined }>();
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    byField.set(key.toLowerCase(), { value, raw: raw.get(key) });
  }
  const out: EnvValue[] = [];
  for (const field of FIELDS) {
    const entry = byField.get(field.json);
    if (!entry || entry.value === null) continue;
    out.push({ name: field.env, value: formatField(field, entry.value, entry.raw) });
  }
  return out;
}

function formatField(field: Field, value: unknown, raw: string | undefined): string {
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
      return formatFixed2(value);
    case 'int':
      if (typeof value !== 'number' || (raw !== undefined && !/^-?\d+$/.test(raw)) || !Number.isSafeInteger(value)) {
        throw bad('a whole number written without fraction or exponent');
      }
      return String(value);
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

/** Raw source text of the top-level members whose value is a number (the decoder's int check needs it). */
function topLevelNumberLiterals(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  let depth = 0;
  let key: string | undefined;
  let expectKey = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) key = JSON.parse(text.slice(i, end)) as string;
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    } else if (c === ':' && depth === 1) {
      expectKey = false;
      const m = /^\s*(-?[0-9][0-9.eE+-]*)/.exec(text.slice(i + 1));
      if (m && key !== undefined) out.set(key, m[1]!);
    }
    i++;
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}
