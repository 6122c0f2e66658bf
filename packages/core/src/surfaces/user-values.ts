import { z } from 'zod';
import type { ConfigIssue } from '../config/parse.js';
import { formatIssuePath } from '../review/pod.js';

// Reading the values users write in deployment files (Helm values, a
// DatadogAgent resource): zod pieces whose errors name the value and show
// what was given, and the "where did this value come from" wording.

type Obj = Record<string, unknown>;

/** Whether `v` is a YAML map (not a list, not null). */
export function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, quoted rendering of a user's value for messages. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Go template truthiness, as Helm's `if` sees a value: false, 0, "", nil and empty collections are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** The value at a dotted path of a plain object, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split('.')) {
    if (!isMap(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** `path` when the user set it, else `path (default X)`: the origin wording the CLI prints. */
export function originOf(user: unknown, path: string, fallback: unknown): string {
  const given = valueAt(user, path);
  if (given === null) return `${path} (null: unset)`;
  if (given !== undefined) return path;
  return `${path} (default ${formatDefault(fallback)})`;
}

/** How a default reads in an origin: `true`, `8000`, `datadog-webhook`, `""`, `[]`. */
export function formatDefault(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (v === undefined || v === null) return 'unset';
  return JSON.stringify(v);
}

// Scalars users write unquoted (`imageTag: 7.50`, `port: 8000`) are strings to Helm's `quote` and to the agent.
function scalarToString(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

function toInt(v: unknown): unknown {
  return typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number.parseInt(v, 10) : v;
}

/** An optional boolean. */
export const optBool = () => z.boolean({ error: (i) => `expected a boolean (true or false), got ${showValue(i.input)}` }).optional();

/** An optional string; numbers and booleans are taken as their text, as Helm's `quote` and YAML users expect. */
export const optString = () => z.preprocess(scalarToString, z.string({ error: (i) => `expected a string, got ${showValue(i.input)}` })).optional();

/** An optional strict string (a Kubernetes API field: the API server refuses a number there). */
export const optApiString = () => z.string({ error: (i) => `expected a string, got ${showValue(i.input)}` }).optional();

/** An optional TCP port number (a whole number 1-65535, or its digits as a string). */
export const optPort = () =>
  z
    .preprocess(
      toInt,
      z
        .number({ error: (i) => `expected a port number, got ${showValue(i.input)}` })
        .int({ error: (i) => `expected a whole port number, got ${showValue(i.input)}` })
        .min(1, { error: 'expected a port number between 1 and 65535' })
        .max(65535, { error: 'expected a port number between 1 and 65535' }),
    )
    .optional();

/** An optional non-negative whole number. */
export const optCount = () =>
  z
    .preprocess(
      toInt,
      z
        .number({ error: (i) => `expected a whole number, got ${showValue(i.input)}` })
        .int({ error: (i) => `expected a whole number, got ${showValue(i.input)}` })
        .min(0, { error: 'expected a whole number of at least 0' }),
    )
    .optional();

/** An optional list of strings. */
export const optStringList = () =>
  z
    .array(z.preprocess(scalarToString, z.string({ error: (i) => `expected a list of strings, got an item ${showValue(i.input)}` })), {
      error: (i) => `expected a list, got ${showValue(i.input)}`,
    })
    .optional();

/** An optional list of anything (passed on as JSON). */
export const optList = () => z.array(z.unknown(), { error: (i) => `expected a list, got ${showValue(i.input)}` }).optional();

/** An optional map of string to string (labels, env dicts, versions). */
export const optStringMap = () =>
  z
    .record(z.string(), z.preprocess(scalarToString, z.string({ error: (i) => `expected a string value, got ${showValue(i.input)}` })), {
      error: (i) => `expected a map, got ${showValue(i.input)}`,
    })
    .optional();

/** An optional map of anything. */
export const optMap = () => z.record(z.string(), z.unknown(), { error: (i) => `expected a map, got ${showValue(i.input)}` }).optional();

/** An optional section: a map whose listed keys are validated and whose other keys are ignored. */
export const section = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: (i) => `expected a map, got ${showValue(i.input)}` }).optional();

/** zod issues as config issues naming the value path (`clusterAgent.env[0].name`). */
export function issuesOf(error: z.ZodError, origin: string, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = formatIssuePath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'));
    return { key: prefix && path ? `${prefix}.${path}` : path || prefix || '(root)', origin, message: issue.message };
  });
}
