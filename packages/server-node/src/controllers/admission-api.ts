import { chooseAdmissionVersion, type AdmissionRegistrationVersion, type ApiProbe } from '@dd-admission/core';
import { isNotFound, RESOURCES, type ApiResource, type KubeClient } from '@dd-admission/kube';
import { pause } from './backoff.js';

// MutatingWebhookConfigurations in admissionregistration v1 or v1beta1 (which
// Kubernetes 1.22 dropped): the same objects at two REST paths.

export interface WebhookConfigurationJson {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string; creationTimestamp?: string; [key: string]: unknown };
  webhooks?: unknown[];
  [key: string]: unknown;
}

/** The MutatingWebhookConfiguration resource in one admissionregistration version. */
export function webhookConfigurationResource(version: AdmissionRegistrationVersion): ApiResource {
  return { ...RESOURCES.mutatingWebhookConfigurations, version };
}

/** How listing in one version went, as the agent's discovery classifies it. */
async function probe(list: () => Promise<unknown>, signal: AbortSignal, attempts: number, pauseMs: number): Promise<ApiProbe> {
  let result: ApiProbe = 'error';
  for (let i = 0; i < attempts && !signal.aborted; i++) {
    try {
      await list();
      return 'found';
    } catch (error) {
      result = isNotFound(error) ? 'not-found' : 'error';
    }
    if (i + 1 < attempts) await pause(pauseMs, signal);
  }
  return result;
}

/**
 * v1 or v1beta1 (webhooks spec §5): up to 3 list attempts 1 s apart in each version, then
 * the agent's rule. The lists select the configuration by name, so RBAC can be limited to it.
 */
export async function discoverAdmissionVersion(client: KubeClient, name: string, signal: AbortSignal, pauseMs = 1_000): Promise<AdmissionRegistrationVersion> {
  const list = (version: AdmissionRegistrationVersion) => () => client.list(webhookConfigurationResource(version), { fieldSelector: `metadata.name=${name}` });
  const v1 = await probe(list('v1'), signal, 3, pauseMs);
  if (v1 === 'found') return 'v1';
  const v1beta1 = await probe(list('v1beta1'), signal, 3, pauseMs);
  return chooseAdmissionVersion(v1, v1beta1);
}
