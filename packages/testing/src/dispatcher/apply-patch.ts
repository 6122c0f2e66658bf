import type { Pod } from '@dd-admission/core';
import { applyStrictPatch, jsonEqual } from '../strict-patch.js';
import { AdmissionInternalError, WebhookCallError } from './errors.js';
import type { VerifiedResponse } from './review-response.js';
import { targetApiVersion, type AdmissionTarget } from './rules.js';

// The tail of callAttrMutatingHook: decode the patch (an undecodable one is a call
// error, so failurePolicy applies), check the patch type, apply it with the API
// server's strictness and decode the result as the target's kind (a v1 Pod, say). A
// patch that does not apply, or leaves something of another kind, is an internal
// error: the request fails whatever the failurePolicy.

/** The effect of one webhook's patch. */
export type PatchOutcome = { applied: false } | { applied: true; ops: unknown[]; pod: Pod; changed: boolean };

/** Applies the webhook's answer to `pod` (never modified), an object of `target`; throws WebhookCallError or AdmissionInternalError. */
export function applyWebhookPatch(webhook: string, pod: Pod, response: VerifiedResponse, target: AdmissionTarget): PatchOutcome {
  if (response.patch.length === 0) return { applied: false };
  const ops = decodePatch(webhook, response.patch);
  if (ops.length === 0) return { applied: false };
  if (response.patchType !== 'JSONPatch') throw new WebhookCallError(webhook, `unsupported patch type ${JSON.stringify(response.patchType)}`);
  const patched = applyStrictly(webhook, pod, ops, target);
  return { applied: true, ops, pod: patched, changed: !jsonEqual(pod, patched) };
}

/** jsonpatch.DecodePatch: a JSON array whose members are objects (or null); null itself is an empty patch. */
function decodePatch(webhook: string, bytes: Buffer): unknown[] {
  const fail = (why: string) => new WebhookCallError(webhook, `received undecodable patch in webhook response: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (json === null) return [];
  if (!Array.isArray(json)) throw fail('the patch is not a JSON array');
  if (!json.every((op) => op === null || (typeof op === 'object' && !Array.isArray(op)))) throw fail('a patch operation is not a JSON object');
  return json;
}

function applyStrictly(webhook: string, pod: Pod, ops: unknown[], target: AdmissionTarget): Pod {
  let result: unknown;
  try {
    result = applyStrictPatch(pod, ops);
  } catch (e) {
    throw new AdmissionInternalError(webhook, `Internal error occurred: ${(e as Error).message}`);
  }
  const problem = decodeProblem(result, target);
  if (problem) throw new AdmissionInternalError(webhook, `Internal error occurred: ${problem}`);
  return result as Pod;
}

/** Why the patched JSON would not decode back into the target's kind (deeper shape errors are left to validation). */
function decodeProblem(value: unknown, target: AdmissionTarget): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the patched object is not a JSON object';
  const { apiVersion, kind } = value as Record<string, unknown>;
  const want = targetApiVersion(target);
  if (apiVersion !== want || kind !== target.kind) return `the patched object is ${String(apiVersion)}, Kind=${String(kind)}, not ${want}, Kind=${target.kind}`;
  return undefined;
}
