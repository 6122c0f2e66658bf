import type { Pod } from '@dd-admission/core';
import { dispatch, type DispatchResult, type WebhookClients, type WebhookRegistration } from '../dispatcher/index.js';
import { KubeApiStatusError, type StatusReason } from './api-errors.js';
import type { ResourceType } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

// Mutating admission on creates, as kube-apiserver runs it: the stored
// MutatingWebhookConfigurations' entries whose rules match a CREATE of the
// resource are called through the dispatcher harness (selectors, failurePolicy,
// reinvocation, strict patches), for dry runs too; the object as admitted is
// what gets stored (or, for dryRun=All, only returned). Off unless the double is
// told how to reach the webhooks' Services.

/** Where a webhook's Service is reached from the double (the API server resolves `<svc>.<ns>.svc`; tests dial a local port). */
export interface ServiceTarget {
  namespace: string;
  name: string;
  port: number;
  path: string;
}

/** How the double calls the webhooks its configurations name. */
export interface AdmissionOptions {
  /** The URL of a Service reference. */
  serviceUrl(service: ServiceTarget): string;
  /** Keep-alive clients for the calls (say, checking certificates for the Service's DNS name); default fresh ones per create. */
  clients?: WebhookClients;
}

const CONFIGURATIONS = 'mutatingwebhookconfigurations.admissionregistration.k8s.io';

type Json = Record<string, unknown>;

/** Runs the matching mutating webhooks on a CREATE of `object`; the admitted object, or a KubeApiStatusError as the API server answers. */
export async function admitCreate(r: ResourceType, namespace: string, object: KubeObject, dryRun: boolean, store: ObjectStore, options: AdmissionOptions): Promise<KubeObject> {
  const webhooks = registrations(r, store, options);
  if (webhooks.length === 0) return object;
  const namespaceLabels = (store.get('namespaces', '', namespace)?.metadata.labels as Record<string, string> | undefined) ?? {};
  const result = await dispatch(object as Pod, {
    namespace,
    webhooks,
    dryRun,
    namespaceLabels,
    resource: { group: r.group, version: r.version, resource: r.plural, kind: r.kind },
    ...(options.clients ? { clients: options.clients } : {}),
  });
  if (result.rejected) throw rejection(result.rejected);
  return result.pod as KubeObject;
}

/** Every stored entry registered for CREATE of `r`, in configuration name then entry order. */
function registrations(r: ResourceType, store: ObjectStore, options: AdmissionOptions): WebhookRegistration[] {
  const configurations = store.list(CONFIGURATIONS).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return configurations.flatMap((c) => ((c.webhooks as Json[] | undefined) ?? []).filter((w) => matchesCreate(w, r)).map((w) => registration(w, options)));
}

function matchesCreate(webhook: Json, r: ResourceType): boolean {
  const has = (values: unknown, value: string) => Array.isArray(values) && (values.includes('*') || values.includes(value));
  return ((webhook.rules as Json[] | undefined) ?? []).some(
    (rule) => has(rule.operations, 'CREATE') && has(rule.apiGroups, r.group) && has(rule.apiVersions, r.version) && has(rule.resources, r.plural),
  );
}

function registration(w: Json, options: AdmissionOptions): WebhookRegistration {
  const cc = (w.clientConfig as Json | undefined) ?? {};
  const service = cc.service as { namespace: string; name: string; port?: number; path?: string } | undefined;
  const url = service ? options.serviceUrl({ namespace: service.namespace, name: service.name, port: service.port ?? 443, path: service.path ?? '/' }) : String(cc.url);
  const pick = <K extends keyof WebhookRegistration>(key: K) => (w[key] === undefined ? {} : { [key]: w[key] as WebhookRegistration[K] });
  return {
    name: String(w.name),
    url,
    ...(typeof cc.caBundle === 'string' ? { caBundle: cc.caBundle } : {}),
    ...pick('failurePolicy'),
    ...pick('timeoutSeconds'),
    ...pick('reinvocationPolicy'),
    ...pick('sideEffects'),
    ...pick('admissionReviewVersions'),
    ...pick('objectSelector'),
    ...pick('namespaceSelector'),
  };
}

const REASONS: Readonly<Record<number, StatusReason>> = { 400: 'BadRequest', 422: 'Invalid' };

function rejection(r: NonNullable<DispatchResult['rejected']>): KubeApiStatusError {
  return new KubeApiStatusError(r.code, REASONS[r.code] ?? 'InternalError', r.reason);
}
