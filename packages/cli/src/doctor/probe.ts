import { probePod, type ProbeResult } from '@dd-admission/core';
import { KubeApiError, RESOURCES, type KubeClient } from '@dd-admission/kube';

// The connectivity probe: a server-side dry-run create of the core's probe Pod
// (`generateName: dd-admission-doctor-`, the enabled label, a pause image) in
// the target namespace. The API server runs every matching webhook and answers
// with the pod as mutated, storing nothing; with failurePolicy Fail it answers
// with its error text instead. The call is timed on the injected clock, since
// with failurePolicy Ignore a webhook that cannot be reached shows only as time.

/** The probe's outcome: what the API server answered, or why no probe could be made. */
export type ProbeRun = { probe: ProbeResult } | { skipped: string };

/** How long the probe may take: the API server calls each webhook in turn, each for up to 30 s. */
const PROBE_TIMEOUT_MS = 100_000;

/** Sends the probe in `namespace`; `clock` reads milliseconds (monotonic). */
export async function runProbe(kube: KubeClient, namespace: string, clock: () => number): Promise<ProbeRun> {
  const started = clock();
  const elapsed = () => Math.max(0, clock() - started);
  try {
    const pod = await kube.create(RESOURCES.pods, probePod(namespace), { namespace, dryRun: true, timeoutMs: PROBE_TIMEOUT_MS });
    return { probe: { outcome: 'created', namespace, elapsedMs: elapsed(), pod } };
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 403) return { skipped: `not allowed: needs create pods in ${namespace} (${error.message})` };
    if (error instanceof KubeApiError) return { probe: { outcome: 'rejected', namespace, elapsedMs: elapsed(), message: error.message } };
    return { skipped: `the API server did not answer the dry-run create: ${(error as Error).message}` };
  }
}
