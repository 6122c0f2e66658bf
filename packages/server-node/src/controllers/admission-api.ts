import { ADMISSION_REGISTRATION_GROUP, chooseAdmissionVersion, type AdmissionRegistrationVersion, type ApiProbe, type WebhookConfigurationKind } from '@dd-admission/core';
import { pause } from './backoff.js';
import { isNotFound } from './kube-errors.js';
import { plain, type KubeClients } from './kube-client.js';

// Mutating (and, since 7.61, Validating) WebhookConfigurations in admissionregistration
// v1 (typed client) or v1beta1 (generic client: the typed clients dropped it with
// Kubernetes 1.22), behind one interface of plain JSON objects.

export interface WebhookConfigurationJson {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string; creationTimestamp?: string; [key: string]: unknown };
  webhooks?: unknown[];
  [key: string]: unknown;
}

export interface WebhookConfigurationApi {
  readonly version: AdmissionRegistrationVersion;
  readonly kind: WebhookConfigurationKind;
  /** The collection path, for watches. */
  readonly path: string;
  /** `admissionregistration.k8s.io/v1/mutatingwebhookconfigurations`. */
  readonly description: string;
  list(fieldSelector: string): Promise<{ items: WebhookConfigurationJson[]; resourceVersion: string }>;
  /** Undefined when it does not exist. */
  read(name: string): Promise<WebhookConfigurationJson | undefined>;
  create(object: WebhookConfigurationJson): Promise<WebhookConfigurationJson>;
  replace(object: WebhookConfigurationJson): Promise<WebhookConfigurationJson>;
  /** Deletes it; a configuration already gone is not an error. */
  delete(name: string): Promise<void>;
}

const KIND = 'MutatingWebhookConfiguration';

/** The API of one version for one kind (default: the mutating one). */
export function webhookConfigurationApi(
  clients: KubeClients,
  version: AdmissionRegistrationVersion,
  kind: WebhookConfigurationKind = KIND,
): WebhookConfigurationApi {
  const apiVersion = `${ADMISSION_REGISTRATION_GROUP}/${version}`;
  const plural = `${kind.toLowerCase()}s`;
  const path = `/apis/${apiVersion}/${plural}`;
  const description = `${apiVersion}/${plural}`;
  const notFoundAsUndefined = (error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  };
  const goneIsFine = (error: unknown) => {
    if (!isNotFound(error)) throw error;
  };
  const typed = (o: WebhookConfigurationJson) => ({ ...o, apiVersion, kind });
  const asList = (list: unknown) => {
    const l = plain<{ items: WebhookConfigurationJson[]; metadata?: { resourceVersion?: string } }>(list);
    return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? '' };
  };
  const base = { version, kind, path, description };
  if (version === 'v1') {
    const api = clients.admissionV1;
    const mutating = kind === KIND;
    return {
      ...base,
      list: async (fieldSelector) => asList(mutating ? await api.listMutatingWebhookConfiguration({ fieldSelector }) : await api.listValidatingWebhookConfiguration({ fieldSelector })),
      read: (name) => (mutating ? api.readMutatingWebhookConfiguration({ name }) : api.readValidatingWebhookConfiguration({ name })).then((o) => plain<WebhookConfigurationJson>(o), notFoundAsUndefined),
      create: async (object) => plain(mutating ? await api.createMutatingWebhookConfiguration({ body: typed(object) as never }) : await api.createValidatingWebhookConfiguration({ body: typed(object) as never })),
      replace: async (object) => {
        const name = object.metadata?.name ?? '';
        const body = typed(object) as never;
        return plain(mutating ? await api.replaceMutatingWebhookConfiguration({ name, body }) : await api.replaceValidatingWebhookConfiguration({ name, body }));
      },
      delete: async (name) => {
        await (mutating ? api.deleteMutatingWebhookConfiguration({ name }) : api.deleteValidatingWebhookConfiguration({ name })).then(() => undefined, goneIsFine);
      },
    };
  }
  const objects = clients.objects;
  return {
    ...base,
    list: async (fieldSelector) => asList(await objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, fieldSelector)),
    read: (name) => objects.read({ apiVersion, kind, metadata: { name } }).then((o) => plain<WebhookConfigurationJson>(o), notFoundAsUndefined),
    create: async (object) => plain(await objects.create(typed(object) as never)),
    replace: async (object) => plain(await objects.replace(typed(object) as never)),
    delete: async (name) => {
      await objects.delete({ apiVersion, kind, metadata: { name } }).then(() => undefined, goneIsFine);
    },
  };
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
export async function discoverAdmissionVersion(clients: KubeClients, name: string, signal: AbortSignal, pauseMs = 1_000): Promise<AdmissionRegistrationVersion> {
  const fieldSelector = `metadata.name=${name}`;
  const v1 = await probe(() => clients.admissionV1.listMutatingWebhookConfiguration({ fieldSelector }), signal, 3, pauseMs);
  if (v1 === 'found') return 'v1';
  const v1beta1 = await probe(() => clients.objects.list(`${ADMISSION_REGISTRATION_GROUP}/v1beta1`, KIND, undefined, undefined, undefined, undefined, fieldSelector), signal, 3, pauseMs);
  return chooseAdmissionVersion(v1, v1beta1);
}
