import type { Pod } from '@dd-admission/core';
import { applyStrictPatch, jsonEqual } from '../strict-patch.js';
import { AdmissionInternalError, WebhookCallError } from './errors.js';
import { objectApiVersion, POD_RESOURCE, type AdmittedResource } from './review-request.js';
import type { VerifiedResponse } from './review-response.js';

// The tail of callAttrMutatingHook: decode the patch (an undecodable one is a call
// error, so failurePolicy applies), check the patch type, apply it with the API
// server's strictness and decode the result as a Pod. A patch that does not apply,
// or leaves something that is no longer a v1 Pod, is an internal error: the request
// fails whatever the failurePolicy.

/** The effect of one webhook's patch. */
export type PatchOutcome = { applied: false } | { applied: true; ops: unknown[]; pod: Pod; changed: boolean };

/** Applies the webhook's answer to `pod` (never modified; another object of `resource`); throws WebhookCallError or AdmissionInternalError. */
export function applyWebhookPatch(webhook: string, pod: Pod, response: VerifiedResponse, resource: AdmittedResource = POD_RESOURCE): PatchOutcome {
  if (response.patch.length === 0) return { applied: false };
  const ops = decodePatch(webhook, response.patch);
  if (ops.length === 0) return { applied: false };
  if (response.patchType !== 'JSONPatch') throw new WebhookCallError(webhook, `unsupported patch type ${JSON.stringify(response.patchType)}`);
  const patched = applyStrictly(webhook, pod, ops, resource);
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

function applyStrictly(webhook: string, pod: Pod, ops: unknown[], resource: AdmittedResource): Pod {
  let result: unknown;
  try {
    result = applyStrictPatch(pod, ops);
  } catch (e) {
    throw new AdmissionInternalError(webhook, `Internal error occurred: ${(e as Error).message}`);
  }
  const problem = decodeProblem(result, resource);
  if (problem) throw new AdmissionInternalError(webhook, `Internal error occurred: ${problem}`);
  return result as Pod;
}

/** Why the patched JSON would not decode back into an object of `resource` (deeper shape errors are left to validatePod). */
function decodeProblem(value: unknown, resource: AdmittedResource): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the patched object is not a JSON object';
  const { apiVersion, kind } = value as Record<string, unknown>;
  const want = objectApiVersion(resource);
  if (apiVersion !== want || kind !== resource.kind) return `the patched object is ${String(apiVersion)}, Kind=${String(kind)}, not ${want}, Kind=${resource.kind}`;
  return undefined;
}
