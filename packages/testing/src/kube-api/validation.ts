import { badRequest, invalid, KubeApiStatusError } from './api-errors.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './store.js';

// What the real API server checks and defaults on a write, for the fields the
// controllers touch: names, Secret data (base64, stringData), Lease times
// (MicroTime: exactly six fraction digits), and MutatingWebhookConfigurations
// (v1 required fields, enums, defaults). A client that gets these wrong against
// a real cluster gets the same error here.

type Cause = { field: string; message: string };

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** metav1.MicroTime's wire form (RFC3339Micro: `2006-01-02T15:04:05.000000Z07:00`). */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

/** Checks and defaults `object` for a write of resource `r` (in `r.version`); returns the object to store. */
export function admit(r: ResourceType, object: KubeObject): KubeObject {
  const name = object.metadata.name;
  if (name !== undefined && (name.length > 253 || !SUBDOMAIN.test(name))) {
    throw invalid(r, name, [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ]);
  }
  if (name === undefined && !object.metadata.generateName) {
    throw invalid(r, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  }
  switch (r.kind) {
    case 'Secret':
      return admitSecret(object);
    case 'Lease':
      return admitLease(r, object);
    case 'MutatingWebhookConfiguration':
    case 'ValidatingWebhookConfiguration':
      return admitWebhookConfiguration(r, object);
    case 'Pod':
      return admitPod(r, object);
    default:
      return object;
  }
}

function cannotDecode(kind: string, version: string, reason: string): KubeApiStatusError {
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${reason}`);
}

function admitSecret(object: KubeObject): KubeObject {
  const data = { ...((object.data as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !BASE64.test(value)) throw cannotDecode('Secret', 'v1', `illegal base64 data in data[${key}]`);
  }
  // stringData is write-only: merged into data, never stored.
  const stringData = (object.stringData as Record<string, string> | undefined) ?? {};
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  const { stringData: _dropped, ...rest } = object;
  return { ...rest, type: (object.type as string | undefined) ?? 'Opaque', ...(Object.keys(data).length > 0 ? { data } : {}) };
}

function admitLease(r: ResourceType, object: KubeObject): KubeObject {
  const spec = (object.spec as Record<string, unknown> | undefined) ?? {};
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !MICRO_TIME.test(value)) {
      throw cannotDecode(r.kind, r.version, `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as MicroTime (spec.${field})`);
    }
  }
  const duration = spec.leaseDurationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) <= 0)) {
    throw invalid(r, object.metadata.name ?? '', [{ field: 'spec.leaseDurationSeconds', message: `Invalid value: ${JSON.stringify(duration)}: must be greater than 0` }]);
  }
  return object;
}

function admitPod(r: ResourceType, object: KubeObject): KubeObject {
  const containers = (object.spec as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(r, object.metadata.name ?? object.metadata.generateName ?? '', [{ field: 'spec.containers', message: 'Required value' }]);
  }
  return object;
}

const SIDE_EFFECTS_V1 = ['None', 'NoneOnDryRun'];
const SIDE_EFFECTS_V1BETA1 = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];

function admitWebhookConfiguration(r: ResourceType, object: KubeObject): KubeObject {
  const v1 = r.version === 'v1';
  const causes: Cause[] = [];
  const names = new Set<string>();
  const webhooks = ((object.webhooks as Record<string, unknown>[] | undefined) ?? []).map((input, i) => {
    const w = { ...input };
    const at = `webhooks[${i}]`;
    const name = w.name;
    if (typeof name !== 'string' || name === '') causes.push({ field: `${at}.name`, message: 'Required value' });
    else if (names.has(name)) causes.push({ field: `${at}.name`, message: `Duplicate value: "${name}"` });
    else names.add(name);
    checkClientConfig(w.clientConfig, `${at}.clientConfig`, causes);
    const sideEffects = w.sideEffects ?? (v1 ? undefined : 'Unknown');
    if (sideEffects === undefined) causes.push({ field: `${at}.sideEffects`, message: `Required value: must specify one of ${SIDE_EFFECTS_V1.map((s) => `"${s}"`).join(', ')}` });
    else if (!(v1 ? SIDE_EFFECTS_V1 : SIDE_EFFECTS_V1BETA1).includes(sideEffects as string)) causes.push({ field: `${at}.sideEffects`, message: `Unsupported value: "${String(sideEffects)}"` });
    const versions = w.admissionReviewVersions ?? (v1 ? undefined : ['v1beta1']);
    if (!Array.isArray(versions) || versions.length === 0) causes.push({ field: `${at}.admissionReviewVersions`, message: 'Required value: must specify one of v1, v1beta1' });
    checkEnum(w.failurePolicy, ['Ignore', 'Fail'], `${at}.failurePolicy`, causes);
    checkEnum(w.matchPolicy, ['Exact', 'Equivalent'], `${at}.matchPolicy`, causes);
    checkEnum(w.reinvocationPolicy, ['Never', 'IfNeeded'], `${at}.reinvocationPolicy`, causes);
    const timeout = w.timeoutSeconds;
    if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > 30)) {
      causes.push({ field: `${at}.timeoutSeconds`, message: `Invalid value: ${JSON.stringify(timeout)}: the timeout value must be between 1 and 30 seconds` });
    }
    return withWebhookDefaults(w, sideEffects, versions, v1, r.kind === 'MutatingWebhookConfiguration');
  });
  if (causes.length > 0) throw invalid(r, object.metadata.name ?? '', causes);
  return { ...object, webhooks };
}

function checkClientConfig(value: unknown, at: string, causes: Cause[]): void {
  const cc = (value as Record<string, unknown> | undefined) ?? {};
  if ((cc.url === undefined) === (cc.service === undefined)) causes.push({ field: at, message: 'Required value: exactly one of url or service is required' });
  if (cc.caBundle !== undefined && (typeof cc.caBundle !== 'string' || !BASE64.test(cc.caBundle))) causes.push({ field: `${at}.caBundle`, message: 'Invalid value: illegal base64 data' });
  const service = cc.service as Record<string, unknown> | undefined;
  if (service && (!service.name || !service.namespace)) causes.push({ field: `${at}.service`, message: 'Required value: service name and namespace are required' });
}

function checkEnum(value: unknown, allowed: readonly string[], field: string, causes: Cause[]): void {
  if (value !== undefined && !allowed.includes(value as string)) causes.push({ field, message: `Unsupported value: "${String(value)}": supported values: ${allowed.map((a) => `"${a}"`).join(', ')}` });
}

// SetDefaults_MutatingWebhook / _ValidatingWebhook and friends (v1; v1beta1 defaults failurePolicy Ignore and matchPolicy Exact).
function withWebhookDefaults(w: Record<string, unknown>, sideEffects: unknown, versions: unknown, v1: boolean, mutating: boolean): Record<string, unknown> {
  const cc = { ...((w.clientConfig as Record<string, unknown> | undefined) ?? {}) };
  if (cc.service) cc.service = { port: 443, ...(cc.service as object) };
  return {
    ...w,
    clientConfig: cc,
    rules: ((w.rules as Record<string, unknown>[] | undefined) ?? []).map((rule) => ({ ...rule, scope: rule.scope ?? '*' })),
    failurePolicy: w.failurePolicy ?? (v1 ? 'Fail' : 'Ignore'),
    matchPolicy: w.matchPolicy ?? (v1 ? 'Equivalent' : 'Exact'),
    namespaceSelector: w.namespaceSelector ?? {},
    objectSelector: w.objectSelector ?? {},
    sideEffects,
    timeoutSeconds: w.timeoutSeconds ?? 10,
    admissionReviewVersions: versions,
    ...(mutating ? { reinvocationPolicy: w.reinvocationPolicy ?? 'Never' } : {}),
  };
}
