import type { AdmissionConfig } from '../config/schema.js';
import { addQuantities, compareQuantities, formatQuantity, readQuantity, ZERO_QUANTITY, type Quantity } from '../config/quantity.js';
import type { Container, Pod } from '../review/pod.js';
import { hasChange } from '../versions/behaviour-changes.js';

// Resources of the injected init containers (lib-injection-7.78.md §6). 7.49
// sets them only from init_resources; early 2024 added fixed defaults; 7.65.2
// takes what the pod already reserves, and skips injection when that is below
// what copying the libraries needs.

const RESOURCES = ['cpu', 'memory'] as const;
type Resource = (typeof RESOURCES)[number];

/** `requests` / `limits` maps of quantity text, as a container's `resources` field holds them. */
export interface ResourceRequirements {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export type InitResources =
  | { ok: true; resources: ResourceRequirements }
  /** The pod leaves too little for the init containers: injection is skipped with this message. */
  | { ok: false; skip: string }
  | { ok: false; error: string };

const MINIMUM: Readonly<Record<Resource, Quantity>> = { cpu: readQuantity('0.05')!, memory: readQuantity('100Mi')! };
const SKIP_MESSAGE = "The overall pod's containers limit is too low for injection";

/** The init containers' resources under `config.agentVersion`, for the injector path (7.57 and later). */
export function initResources(pod: Pod, config: AdmissionConfig): InitResources {
  const configured = configuredQuantities(config);
  if ('error' in configured) return { ok: false, error: configured.error };
  if (hasChange(config.agentVersion, 'init-resources-from-pod')) return fromPod(pod, configured.quantities);
  const fixed: Record<Resource, Quantity> = {
    cpu: configured.quantities.cpu ?? readQuantity('50m')!,
    memory: configured.quantities.memory ?? readQuantity(hasChange(config.agentVersion, 'init-memory-100mi') ? '100Mi' : '20Mi')!,
  };
  const text = mapValues(fixed, formatQuantity);
  return { ok: true, resources: { limits: text, requests: { ...text } } };
}

function configuredQuantities(config: AdmissionConfig): { quantities: Partial<Record<Resource, Quantity>> } | { error: string } {
  const quantities: Partial<Record<Resource, Quantity>> = {};
  for (const r of RESOURCES) {
    const raw = config.admission_controller.auto_instrumentation.init_resources[r];
    if (raw === undefined) continue;
    const q = readQuantity(raw);
    if (!q) return { error: `invalid ${r} quantity "${raw}" in admission_controller.auto_instrumentation.init_resources.${r}` };
    quantities[r] = q;
  }
  return { quantities };
}

/** 7.65.2: a configured quantity is request and limit; otherwise the pod's own, with the 50m / 100Mi floor on its limit. */
function fromPod(pod: Pod, configured: Partial<Record<Resource, Quantity>>): InitResources {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  let skip = '';
  const reserved = podRequirements(pod);
  for (const r of RESOURCES) {
    const q = configured[r];
    if (q) {
      limits[r] = requests[r] = formatQuantity(q);
      continue;
    }
    const limit = reserved.limits[r];
    if (limit) {
      if (compareQuantities(MINIMUM[r], limit) > 0) skip += `, ${r} pod_limit=${formatQuantity(limit)} needed=${formatQuantity(MINIMUM[r])}`;
      limits[r] = formatQuantity(limit);
    }
    const request = reserved.requests[r];
    if (request) requests[r] = formatQuantity(request);
  }
  if (skip) return { ok: false, skip: SKIP_MESSAGE + skip };
  // Keys set one by one: two conditional spreads cost Node 20's V8 about 0.4 µs here.
  const resources: ResourceRequirements = {};
  if (Object.keys(limits).length) resources.limits = limits;
  if (Object.keys(requests).length) resources.requests = requests;
  return { ok: true, resources };
}

/**
 * What the pod reserves: max(largest init container, sum of containers and native
 * sidecars), for limits and requests apart; a limit below the request is raised to it.
 */
export function podRequirements(pod: Pod): { limits: Partial<Record<Resource, Quantity>>; requests: Partial<Record<Resource, Quantity>> } {
  const out = { limits: {} as Partial<Record<Resource, Quantity>>, requests: {} as Partial<Record<Resource, Quantity>> };
  const inits = pod.spec?.initContainers ?? [];
  const plainInits = inits.filter((c) => !isSidecar(c));
  const running = [...(pod.spec?.containers ?? []), ...inits.filter(isSidecar)];
  const quantityOf = quantityReader();
  for (const r of RESOURCES) {
    let limit = maxOf(plainInits.map((c) => quantityOf(c, 'limits', r)));
    let request = maxOf(plainInits.map((c) => quantityOf(c, 'requests', r)));
    limit = maxOf([limit, running.reduce((sum, c) => addQuantities(sum, quantityOf(c, 'limits', r)), ZERO_QUANTITY)]);
    request = maxOf([request, running.reduce((sum, c) => addQuantities(sum, quantityOf(c, 'requests', r)), ZERO_QUANTITY)]);
    if (compareQuantities(request, limit) > 0) limit = request;
    if (limit.unscaled > 0n) out.limits[r] = limit;
    if (request.unscaled > 0n) out.requests[r] = request;
  }
  return out;
}

function isSidecar(c: Container): boolean {
  return (c as { restartPolicy?: unknown }).restartPolicy === 'Always';
}

/**
 * Reads a container's quantity, zero when absent or not a quantity (the API server would
 * have refused the pod). The containers of a pod repeat a few quantity texts: each is parsed once.
 */
function quantityReader(): (c: Container, kind: 'limits' | 'requests', r: Resource) => Quantity {
  const parsed = new Map<string, Quantity>();
  return (c, kind, r) => {
    const value = (c as { resources?: Record<string, Record<string, unknown> | undefined> }).resources?.[kind]?.[r];
    if (typeof value !== 'string' && typeof value !== 'number') return ZERO_QUANTITY;
    const text = String(value);
    let q = parsed.get(text);
    if (q === undefined) {
      q = readQuantity(text) ?? ZERO_QUANTITY;
      parsed.set(text, q);
    }
    return q;
  };
}

/** The largest (the first of equals, as Go's `Cmp(...) == 1` keeps it). */
function maxOf(qs: readonly Quantity[]): Quantity {
  return qs.reduce((best, q) => (compareQuantities(q, best) > 0 ? q : best), ZERO_QUANTITY);
}

function mapValues<T, U>(o: Record<Resource, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(RESOURCES.map((r) => [r, f(o[r])]));
}
