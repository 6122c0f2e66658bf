// Shared helpers for the spec-conformance tests of the core.
import { expect } from 'vitest';
import jsonpatch from 'fast-json-patch';
import { parseConfig, type AdmissionConfig, type Container, type EnvVar, type Operation, type Pod } from '@dd-admission/core';

/**
 * A parsed configuration for `agentVersion` (default 7.49: the tests written before
 * 7.78 state 7.49 facts); `values` may use nested or dotted datadog.yaml keys. Throws on a config error.
 */
export function config(values: Record<string, unknown> = {}, agentVersion = '7.49'): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values }, { agentVersion });
  if (!r.ok) throw new Error(`config error: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** A parsed configuration for Cluster Agent `version` (`7.78`, `7.60`, ...). Throws on a config error. */
export function configFor(version: string, values: Record<string, unknown> = {}): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values }, { agentVersion: version });
  if (!r.ok) throw new Error(`config error: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** Recursively freezes an object, so any in-place modification throws (ES modules are strict). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

export interface PodOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

/** A pod; by default one container `app` with no env and namespace `default`. */
export function makePod(o: PodOptions = {}): Pod {
  const metadata: Record<string, unknown> = { name: o.name ?? 'p' };
  if (o.namespace !== '') metadata.namespace = o.namespace ?? 'default';
  if (o.labels) metadata.labels = o.labels;
  if (o.annotations) metadata.annotations = o.annotations;
  if (o.ownerReferences) metadata.ownerReferences = o.ownerReferences;
  const spec: Record<string, unknown> = { containers: o.containers ?? [{ name: 'app', image: 'app:1' }] };
  if (o.initContainers) spec.initContainers = o.initContainers;
  if (o.volumes) spec.volumes = o.volumes;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec } as Pod;
}

export const ENABLED = 'admission.datadoghq.com/enabled';
export const OPT_IN = { [ENABLED]: 'true' };

/** A container of the pod by name (containers, then init containers). */
export function containerOf(pod: Pod, name: string): Container {
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${JSON.stringify(pod.spec)}`);
  return c;
}

/** The env list of a container (empty when absent). */
export function envOf(pod: Pod, container: string): EnvVar[] {
  return (containerOf(pod, container).env ?? []) as EnvVar[];
}

/** The env names of a container, in order. */
export function envNames(pod: Pod, container: string): string[] {
  return envOf(pod, container).map((e) => e.name);
}

/** The env entry named `name` of a container, or undefined. */
export function envEntry(pod: Pod, container: string, name: string): EnvVar | undefined {
  return envOf(pod, container).find((e) => e.name === name);
}

/** The literal value of an env entry ('' for an entry with an omitted value), undefined when absent. */
export function envValue(pod: Pod, container: string, name: string): string | undefined {
  const e = envEntry(pod, container, name);
  if (!e) return undefined;
  return e.value ?? '';
}

/** Applies `patch` to a copy of `input` with the API server's strict rules. */
export function applyPatch(input: unknown, patch: readonly Operation[]): unknown {
  return jsonpatch.applyPatch(structuredClone(input), structuredClone(patch as Operation[]), true, false).newDocument;
}

/** Asserts that the result's patch, applied to the input, gives the result's pod. */
export function expectPatchGivesPod(input: unknown, result: { patch: readonly Operation[]; pod: unknown }): void {
  expect(applyPatch(input, result.patch)).toEqual(result.pod);
}

/** Asserts a fail-open failure: the message, no patch at all, the pod unchanged. */
export function expectFailure(input: Pod, result: { patch: readonly Operation[]; pod: unknown; failure?: { message: string } }, message: string): void {
  expect(result.failure?.message).toBe(message);
  expect(result.patch).toEqual([]);
  expect(result.pod).toEqual(input);
}

/** Asserts that the webhook left the pod alone (skip, no patch). */
export function expectUnchanged(input: Pod, result: { patch: readonly Operation[]; pod: unknown; failure?: unknown }): void {
  expect(result.failure).toBeUndefined();
  expect(result.patch).toEqual([]);
  expect(result.pod).toEqual(input);
}

/** Decodes standard base64 to UTF-8 text. */
export function fromBase64(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

export const hostIpEnv = { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };
export const entityIdEnv = { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } };
export const JAVA_TOOL_OPTIONS_VALUE =
  ' -javaagent:/datadog-lib/dd-java-agent.jar -XX:OnError=/datadog-lib/continuousprofiler/tmp/dd_crash_uploader.sh -XX:ErrorFile=/datadog-lib/continuousprofiler/tmp/hs_err_pid_%p.log';

/** A parsed configuration for Cluster Agent `agentVersion` (`7.78`, `7.60`, ...). Throws on a config error. */
export function configAt(agentVersion: string, values: Record<string, unknown> = {}): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values }, { agentVersion });
  if (!r.ok) throw new Error(`config error: ${JSON.stringify(r.errors)}`);
  return r.config;
}

// The selectors of the webhooks spec §3, spelled out as the spec gives them.

/** `matchLabels {admission.datadoghq.com/enabled: "true"}`: pods that opt in. */
export const OPT_IN_SELECTOR = { matchLabels: { 'admission.datadoghq.com/enabled': 'true' } };
/** `enabled NotIn ["false"]`: every pod not labelled "false". */
export const NOT_FALSE_SELECTOR = { matchExpressions: [{ key: 'admission.datadoghq.com/enabled', operator: 'NotIn', values: ['false'] }] };
/** The AKS admissions enforcer's three namespace requirements, in order. */
export const AKS_SPEC_REQUIREMENTS = [
  { key: 'control-plane', operator: 'DoesNotExist' },
  { key: 'control-plane', operator: 'NotIn', values: ['true'] },
  { key: 'kubernetes.azure.com/managedby', operator: 'NotIn', values: ['aks'] },
];
/** A caBundle value (base64 of a PEM header). */
export const CA_BUNDLE = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==';

/** One webhook entry as the webhooks spec's §2 table describes it with default keys (resources namespace `datadog`), in the agent's field order. */
export function specWebhook(name: string, path: string, selectors: Record<string, unknown> = { objectSelector: OPT_IN_SELECTOR }) {
  return {
    name,
    clientConfig: { service: { namespace: 'datadog', name: 'datadog-admission-controller', port: 443, path }, caBundle: CA_BUNDLE },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    failurePolicy: 'Ignore',
    matchPolicy: 'Exact',
    ...selectors,
    sideEffects: 'None',
    timeoutSeconds: 10,
    admissionReviewVersions: ['v1', 'v1beta1'],
    reinvocationPolicy: 'IfNeeded',
  };
}
