// Structural predicates for the fast paths in front of the zod schemas: a plain
// check of the common valid case costs a fraction of a schema parse on every review.

/** A JSON object (not null, not an array). */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNullish = (v: unknown): v is null | undefined => v === undefined || v === null;
export const optString = (v: unknown): boolean => isNullish(v) || typeof v === 'string';
export const optBool = (v: unknown): boolean => isNullish(v) || typeof v === 'boolean';

/** Absent, or an object whose every value is a string. */
export function optStringMap(v: unknown): boolean {
  if (isNullish(v)) return true;
  if (!isObj(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

/** Absent, or an array whose every item passes `item`. */
export function optArrayOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (isNullish(v)) return true;
  if (!Array.isArray(v)) return false;
  for (const x of v) if (!item(x)) return false;
  return true;
}
