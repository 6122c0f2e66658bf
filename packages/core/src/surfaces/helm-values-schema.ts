import { z } from 'zod';
import {
  optBool,
  optCount,
  optList,
  optMap,
  optPort,
  optString,
  optStringList,
  optStringMap,
  section,
  showValue,
} from './user-values.js';

// The part of the `datadog` chart's values (3.240.0) that reaches the Cluster
// Agent's admission settings (spec/helm-values.md), with the chart's defaults.
// Other values are ignored; a value read here with the wrong type is an error
// naming it.

/** The chart version whose rules this module follows. */
export const HELM_CHART_VERSION = '3.240.0';

/** The chart's default agent image tag (`agents.image.tag`). */
export const HELM_AGENT_IMAGE_TAG = '7.81.1';

/** The chart's default Cluster Agent image tag (`clusterAgent.image.tag`): the release it deploys. */
export const HELM_CLUSTER_AGENT_IMAGE_TAG = '7.81.1';

/** The values.yaml defaults (3.240.0) of every value the derivation reads. */
export const HELM_DEFAULTS = {
  targetSystem: 'linux',
  registryMigrationMode: 'auto',
  commonLabels: {},
  global: { apmRegistryAllowList: [] },
  datadog: {
    logLevel: 'INFO',
    csi: { enabled: false },
    apm: {
      socketEnabled: true,
      portEnabled: false,
      enabled: false,
      useLocalService: false,
      useSocketVolume: false,
      hostSocketPath: '/var/run/datadog',
      socketPath: '/var/run/datadog/apm.socket',
      instrumentation: {
        enabled: false,
        enabledNamespaces: [],
        disabledNamespaces: [],
        libVersions: {},
        targets: [],
        injector: { imageTag: '' },
        injectionMode: '',
        language_detection: { enabled: true },
      },
    },
    dogstatsd: { hostSocketPath: '/var/run/datadog', socketPath: '/var/run/datadog/dsd.socket' },
    asm: { threats: { enabled: false }, sca: { enabled: false }, iast: { enabled: false } },
    networkPolicy: {
      create: false,
      flavor: 'kubernetes',
      cilium: {
        dnsSelector: { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }] },
      },
    },
  },
  clusterAgent: {
    enabled: true,
    image: { tag: HELM_CLUSTER_AGENT_IMAGE_TAG },
    useHostNetwork: false,
    podLabels: {},
    env: [],
    envDict: {},
    networkPolicy: { create: false },
    metricsProvider: { enabled: false, service: { port: 8443 } },
    podSecurity: { securityContextConstraints: { create: false } },
    admissionController: {
      enabled: true,
      validation: { enabled: true },
      mutation: { enabled: true },
      webhookName: 'datadog-webhook',
      mutateUnlabelled: false,
      failurePolicy: 'Ignore',
      port: 8000,
      probe: { enabled: false, interval: 60, gracePeriod: 60 },
      remoteInstrumentation: { enabled: false },
      cwsInstrumentation: { enabled: false, mode: 'remote_copy' },
      kubernetesAdmissionEvents: { enabled: false },
      agentSidecarInjection: {
        enabled: false,
        clusterAgentCommunicationEnabled: true,
        clusterAgentTlsVerification: { enabled: false, copyCaConfigMap: false },
        selectors: [],
        profiles: [],
      },
    },
  },
  existingClusterAgent: { join: false },
  agents: {
    enabled: true,
    image: { name: 'agent', tag: HELM_AGENT_IMAGE_TAG },
    localService: { overrideName: '' },
    useHostNetwork: false,
    podLabels: {},
    podSecurity: { securityContextConstraints: { create: false } },
  },
  clusterChecksRunner: { enabled: false },
  providers: { gke: { autopilot: false, gdc: false }, aks: { enabled: false } },
  remoteConfiguration: { enabled: true },
} as const;

const enabledOnly = () => section({ enabled: optBool() });

// `clusterAgent.env` entries are rendered by the chart itself, so a number or boolean `value` is quoted, not refused.
const envEntry = z.object(
  {
    name: z.string({ error: (i) => `expected the variable name as a string, got ${showValue(i.input)}` }),
    value: z.unknown().optional(),
    valueFrom: z.unknown().optional(),
  },
  { error: (i) => `expected an env entry {name, value} or {name, valueFrom}, got ${showValue(i.input)}` },
);

/** The validated Helm values (the parts the derivation reads; unknown values are dropped). */
export const helmValuesSchema = z.object(
  {
    nameOverride: optString(),
    fullnameOverride: optString(),
    targetSystem: optString(),
    registry: optString(),
    registryMigrationMode: optString(),
    commonLabels: optStringMap(),
    global: section({ apmRegistryAllowList: optStringList() }),
    datadog: section({
      site: optString(),
      dd_url: optString(),
      logLevel: optString(),
      clusterName: optString(),
      csi: enabledOnly(),
      apm: section({
        socketEnabled: optBool(),
        portEnabled: optBool(),
        enabled: optBool(),
        useLocalService: optBool(),
        useSocketVolume: optBool(),
        hostSocketPath: optString(),
        socketPath: optString(),
        instrumentation: section({
          enabled: optBool(),
          enabledNamespaces: optStringList(),
          disabledNamespaces: optStringList(),
          libVersions: optStringMap(),
          targets: optList(),
          injector: section({ imageTag: optString() }),
          injectionMode: optString(),
          language_detection: enabledOnly(),
        }),
      }),
      dogstatsd: section({ hostSocketPath: optString(), socketPath: optString() }),
      asm: section({ threats: enabledOnly(), sca: enabledOnly(), iast: enabledOnly() }),
      // true, false or "auto": rendered as given whenever it is set.
      profiling: section({ enabled: z.union([z.boolean(), z.string()], { error: (i) => `expected true, false or "auto", got ${showValue(i.input)}` }).optional() }),
      networkPolicy: section({ create: optBool(), flavor: optString(), cilium: section({ dnsSelector: optMap() }) }),
    }),
    clusterAgent: section({
      enabled: optBool(),
      image: section({ tag: optString(), digest: optString() }),
      useHostNetwork: optBool(),
      podLabels: optStringMap(),
      env: z.array(envEntry, { error: (i) => `expected a list of env entries, got ${showValue(i.input)}` }).optional(),
      envDict: z.record(z.string(), z.unknown(), { error: (i) => `expected a map of variable names to values, got ${showValue(i.input)}` }).optional(),
      networkPolicy: section({ create: optBool() }),
      metricsProvider: section({ enabled: optBool(), service: section({ port: optPort() }) }),
      podSecurity: section({ securityContextConstraints: section({ create: optBool() }) }),
      admissionController: section({
        enabled: optBool(),
        validation: enabledOnly(),
        mutation: enabledOnly(),
        webhookName: optString(),
        mutateUnlabelled: optBool(),
        configMode: optString(),
        failurePolicy: optString(),
        port: optPort(),
        probe: section({ enabled: optBool(), interval: optCount(), gracePeriod: optCount() }),
        containerRegistry: optString(),
        remoteInstrumentation: enabledOnly(),
        cwsInstrumentation: section({ enabled: optBool(), mode: optString() }),
        kubernetesAdmissionEvents: enabledOnly(),
        agentSidecarInjection: section({
          enabled: optBool(),
          clusterAgentCommunicationEnabled: optBool(),
          clusterAgentTlsVerification: section({ enabled: optBool(), copyCaConfigMap: optBool() }),
          provider: optString(),
          containerRegistry: optString(),
          imageName: optString(),
          imageTag: optString(),
          selectors: optList(),
          profiles: optList(),
        }),
      }),
    }),
    existingClusterAgent: section({ join: optBool() }),
    agents: section({
      enabled: optBool(),
      image: section({ name: optString(), tag: optString() }),
      localService: section({ overrideName: optString() }),
      useHostNetwork: optBool(),
      podLabels: optStringMap(),
      podSecurity: section({ securityContextConstraints: section({ create: optBool() }) }),
    }),
    clusterChecksRunner: enabledOnly(),
    providers: section({ gke: section({ autopilot: optBool(), gdc: optBool() }), aks: enabledOnly() }),
    remoteConfiguration: enabledOnly(),
  },
  { error: (i) => `expected the Helm values as a map, got ${showValue(i.input)}` },
);

/** Helm values as the derivation reads them. */
export type HelmValues = z.infer<typeof helmValuesSchema>;

/**
 * Helm's coalescing of user values over the chart defaults: maps merge key by
 * key, anything else replaces, and a `null` deletes the key (Helm's documented
 * way to unset a default).
 */
export function coalesceValues(defaults: unknown, user: unknown): unknown {
  if (!isPlain(user)) return user === undefined ? defaults : user;
  if (!isPlain(defaults)) return dropNulls(user);
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(user)) {
    if (value === null) delete out[key];
    else out[key] = coalesceValues(out[key], value);
  }
  return out;
}

function dropNulls(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v)) if (value !== null) out[key] = isPlain(value) ? dropNulls(value) : value;
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
