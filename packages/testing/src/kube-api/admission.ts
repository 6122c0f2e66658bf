import type { Pod } from '@dd-admission/core';
import { createWebhookClients } from '../dispatcher/clients.js';
import { dispatch, type DispatchResult } from '../dispatcher/dispatch.js';
import type { WebhookRegistration } from '../dispatcher/registration.js';
import { KubeApiStatusError, type StatusReason } from './api-errors.js';
import type { ResourceType } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

// Mutating admission on the double's creates, as kube-apiserver runs it: the
// stored MutatingWebhookConfigurations (by name, each webhook in order) are
// handed to the dispatcher harness, which selects them by rules, objectSelector
// and namespaceSelector (against the stored Namespace's labels), calls them over
// HTTPS with their CA bundle and timeout, honours failurePolicy and
// reinvocationPolicy, and returns the object as mutated. A `clientConfig.service`
// is resolved as the API server's endpoint resolver does (Service, port, ready
// endpoints) and then dialled where the test says that Service answers.
// matchConditions are ignored, and creates of cluster-scoped objects are not sent
// to webhooks.

/** How the double reaches the webhooks registered in it. */
export interface WebhookNetwork {
  /**
   * Where a Service's port answers (`https://127.0.0.1:<port>`), as the cluster network would
   * route it; undefined: nothing listens there, and a call is refused at the endpoint's address.
   */
  serviceAddress?: (namespace: string, name: string, port: number) => string | undefined;
  /** The deadline of one webhook call, from its timeoutSeconds; default a timer of that many seconds. */
  deadline?: (timeoutSeconds: number) => AbortSignal;
}

/** One create the double sent through mutating admission, for assertions. */
export interface AdmissionRecord {
  resource: string;
  namespace: string;
  dryRun: boolean;
  result: DispatchResult;
}

/** The double's admission chain. */
export interface Admission {
  /** The object as mutating admission leaves it; throws the API server's error when a webhook fails the request. */
  admit(r: ResourceType, namespace: string, object: KubeObject, dryRun: boolean): Promise<KubeObject>;
  /** Every create that reached a webhook, oldest first. */
  readonly records: AdmissionRecord[];
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;

const WEBHOOK_STORAGE = 'mutatingwebhookconfigurations.admissionregistration.k8s.io';
const ROUTABLE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];
const REASONS: Readonly<Record<number, StatusReason>> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid', 503: 'ServiceUnavailable' };

/** The admission chain of one double over its store. */
export function createAdmission(store: ObjectStore, network: WebhookNetwork = {}): Admission {
  const clients = createWebhookClients();
  const records: AdmissionRecord[] = [];
  return {
    records,
    async admit(r, namespace, object, dryRun) {
      const webhooks = r.namespaced ? registrations(store, network) : [];
      if (webhooks.length === 0) return object;
      const result = await dispatch(object as Pod, {
        namespace,
        webhooks,
        target: { group: r.group, version: r.version, kind: r.kind, resource: r.plural, namespaced: true },
        dryRun,
        namespaceLabels: store.get('namespaces', '', namespace)?.metadata.labels ?? {},
        clients,
        ...(network.deadline ? { deadline: network.deadline } : {}),
      });
      if (result.calls.length > 0 || result.rejected) records.push({ resource: r.plural, namespace, dryRun, result });
      if (result.rejected) throw new KubeApiStatusError(result.rejected.code, REASONS[result.rejected.code] ?? 'InternalError', result.rejected.reason);
      return result.pod as KubeObject;
    },
    close: () => clients.close(),
  };
}

/** Every stored webhook, configurations by name, as the dispatcher's registrations. */
function registrations(store: ObjectStore, network: WebhookNetwork): WebhookRegistration[] {
  const configurations = store.list(WEBHOOK_STORAGE).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return configurations.flatMap((c) => ((c.webhooks as Obj[] | undefined) ?? []).map((w) => registration(w, store, network)));
}

function registration(w: Obj, store: ObjectStore, network: WebhookNetwork): WebhookRegistration {
  const clientConfig = (w.clientConfig ?? {}) as { url?: string; caBundle?: string; service?: ServiceReference };
  const service = clientConfig.service;
  const where = service ? { url: serviceUrl(service), ...route(service, store, network) } : { url: clientConfig.url ?? '' };
  return {
    ...where,
    name: w.name as string,
    ...(clientConfig.caBundle ? { caBundle: clientConfig.caBundle } : {}),
    ...pick(w, ['failurePolicy', 'timeoutSeconds', 'reinvocationPolicy', 'sideEffects', 'admissionReviewVersions', 'objectSelector', 'namespaceSelector', 'rules']),
  } as WebhookRegistration;
}

interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

/** The URL the API server posts to for a Service reference (its default resolver's): `https://<name>.<ns>.svc:<port><path>`. */
function serviceUrl(s: ServiceReference): string {
  return `https://${s.name}.${s.namespace}.svc:${s.port ?? 443}${s.path ?? ''}`;
}

/** ResolveEndpoint: the Service, its port, a ready endpoint for that port, then where the test says it answers. */
function route(s: ServiceReference, store: ObjectStore, network: WebhookNetwork): { dialAddress: string } | { dialError: string } {
  const port = s.port ?? 443;
  const service = store.get('services', s.namespace, s.name) as { spec?: { type?: string; ports?: { name?: string; port: number }[] } } | undefined;
  if (!service) return { dialError: `service "${s.name}" not found` };
  const servicePort = service.spec?.ports?.find((p) => p.port === port);
  if (!servicePort) return { dialError: `no service port ${port} found for service "${s.name}"` };
  const type = service.spec?.type ?? 'ClusterIP';
  if (!ROUTABLE_TYPES.includes(type)) return { dialError: `unsupported service type "${type}"` };
  const endpoint = readyEndpoint(store.get('endpoints', s.namespace, s.name), servicePort.name ?? '');
  if (!endpoint) return { dialError: `no endpoints available for service "${s.name}"` };
  const address = network.serviceAddress?.(s.namespace, s.name, port);
  return address ? { dialAddress: address } : { dialError: `dial tcp ${endpoint}: connect: connection refused` };
}

interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

/** `ip:port` of the first ready address whose subset has the Service port's name; undefined when none. */
function readyEndpoint(endpoints: KubeObject | undefined, portName: string): string | undefined {
  for (const subset of (endpoints?.subsets as EndpointSubset[] | undefined) ?? []) {
    const port = subset.ports?.find((p) => (p.name ?? '') === portName);
    const address = subset.addresses?.[0];
    if (port && address) return `${address.ip}:${port.port}`;
  }
  return undefined;
}

function pick(object: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined && object[k] !== null).map((k) => [k, object[k]]));
}
