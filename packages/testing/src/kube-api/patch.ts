import { applyStrictPatch, StrictPatchError } from '../strict-patch.js';
import { badRequest, KubeApiStatusError } from './api-errors.js';
import type { KubeObject } from './store.js';

// PATCH bodies by Content-Type. JSON patch follows the API server's strict rules;
// merge patch is RFC 7386. Strategic merge patch is applied as a merge patch: the
// double knows no patch strategies (lists are replaced, never merged by key), which
// is what it means for the objects the controllers patch (no keyed lists touched).

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/** The object after applying `body` of `contentType` to `current`. */
export function applyPatchBody(current: KubeObject, contentType: string, body: unknown): KubeObject {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json-patch+json') return jsonPatch(current, body);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') return mergePatch(current, body) as KubeObject;
  throw new KubeApiStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
}

function jsonPatch(current: KubeObject, body: unknown): KubeObject {
  if (!Array.isArray(body)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return applyStrictPatch(current, body) as KubeObject;
  } catch (error) {
    if (error instanceof StrictPatchError) throw new KubeApiStatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`);
    throw badRequest((error as Error).message);
  }
}

/** RFC 7386: objects merge member by member, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
