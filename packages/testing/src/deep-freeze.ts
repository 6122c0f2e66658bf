/**
 * Freezes `value` and everything reachable from it, so any write by the code under
 * test throws (ESM modules run in strict mode) instead of silently changing the input.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
