import { z } from 'zod';
import type { Pod } from '../review/pod.js';
import { ENABLED_LABEL } from '../webhooks/labels.js';

// The connectivity probe: a server-side dry-run create of a small Pod. The API
// server calls every matching webhook and returns the pod as mutated, storing
// nothing. The CLI sends it and times it; the `connectivity` check reads the
// result. Only what the probe sent and what came back cross that line.

/** The probe pods' name prefix: easy to recognise in API server logs. */
export const PROBE_GENERATE_NAME = 'dd-admission-doctor-';
/** A container image every cluster can pull and nothing runs (a dry run never pulls it). */
export const PROBE_IMAGE = 'registry.k8s.io/pause:3.9';

/** The Pod the probe creates with `dryRun=All` in `namespace`: opted in, one pause container. */
export function probePod(namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: PROBE_GENERATE_NAME, namespace, labels: { [ENABLED_LABEL]: 'true', 'app.kubernetes.io/name': 'dd-admission-doctor' } },
    spec: { containers: [{ name: 'probe', image: PROBE_IMAGE }] },
  };
}

/** What the dry-run create gave: the pod as admitted, or the API server's error; with the time the call took. */
export const probeResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('created'), namespace: z.string(), elapsedMs: z.number().nonnegative(), pod: z.unknown() }),
  z.object({ outcome: z.literal('rejected'), namespace: z.string(), elapsedMs: z.number().nonnegative(), message: z.string() }),
]);
export type ProbeResult = z.infer<typeof probeResultSchema>;
