import { z } from 'zod';
import { optApiString, optBool, optCount, optList, optPort, optStringList, section, showValue } from './user-values.js';

// The part of a DatadogAgent (datadoghq.com/v2alpha1) the Operator turns into
// Admission Controller settings (spec/datadogagent-crd.md), and the Operator's
// defaults for it. The API server validates the CRD's types, so strings must be
// strings here too; unknown fields are ignored.

/** The resource's apiVersion and kind. */
export const DATADOG_AGENT_API_VERSION = 'datadoghq.com/v2alpha1';
export const DATADOG_AGENT_KIND = 'DatadogAgent';

/** The agent version the Operator snapshot bundles (sidecar image tag default). */
export const OPERATOR_AGENT_VERSION = '7.81.1';

/** The Operator's defaults (spec/datadogagent-crd.md §2) of every field the derivation reads. */
export const DATADOG_AGENT_DEFAULTS = {
  spec: {
    global: { site: 'datadoghq.com', registry: 'registry.datadoghq.com', logLevel: 'info' },
    features: {
      admissionController: {
        enabled: true,
        mutateUnlabelled: false,
        serviceName: 'datadog-admission-controller',
        validation: { enabled: true },
        mutation: { enabled: true },
        kubernetesAdmissionEvents: { enabled: false },
        cwsInstrumentation: { enabled: false, mode: 'remote_copy' },
        agentSidecarInjection: { enabled: false, clusterAgentCommunicationEnabled: true },
        probe: { enabled: true, interval: 60, gracePeriod: 60 },
        webhookName: 'datadog-webhook',
      },
      apm: {
        enabled: true,
        hostPortConfig: { enabled: false, hostPort: 8126 },
        unixDomainSocketConfig: { enabled: true, path: '/var/run/datadog/apm.socket' },
        instrumentation: { enabled: false },
      },
      dogstatsd: {
        hostPortConfig: { enabled: false },
        unixDomainSocketConfig: { enabled: true, path: '/var/run/datadog/dsd.socket' },
      },
      clusterChecks: { enabled: true },
      externalMetricsServer: { enabled: false, port: 8443 },
    },
    override: { clusterAgent: { hostNetwork: false } },
  },
} as const;

const envList = () =>
  z
    .array(
      z.object(
        {
          name: z.string({ error: (i) => `expected the variable name as a string, got ${showValue(i.input)}` }),
          value: optApiString(),
          valueFrom: z.unknown().optional(),
        },
        { error: (i) => `expected an env entry {name, value} or {name, valueFrom}, got ${showValue(i.input)}` },
      ),
      { error: (i) => `expected a list of env entries, got ${showValue(i.input)}` },
    )
    .optional();

const enabledOnly = () => section({ enabled: optBool() });
const labelMap = () => z.record(z.string(), z.string({ error: (i) => `expected a string value, got ${showValue(i.input)}` }), { error: (i) => `expected a map, got ${showValue(i.input)}` }).optional();

/** The validated DatadogAgent (the parts the derivation reads). */
export const datadogAgentSchema = z.object(
  {
    apiVersion: z.literal(DATADOG_AGENT_API_VERSION, { error: (i) => `expected ${DATADOG_AGENT_API_VERSION}, got ${showValue(i.input)}` }),
    kind: z.literal(DATADOG_AGENT_KIND, { error: (i) => `expected ${DATADOG_AGENT_KIND}, got ${showValue(i.input)}` }),
    metadata: z.object(
      {
        name: z.string({ error: 'required: the Operator names the Cluster Agent and its objects after it' }).min(1, { error: 'required: the Operator names the Cluster Agent and its objects after it' }),
        namespace: optApiString(),
        annotations: labelMap(),
      },
      { error: (i) => `expected a map with name (and namespace), got ${showValue(i.input)}` },
    ),
    spec: section({
      global: section({
        site: optApiString(),
        registry: optApiString(),
        logLevel: optApiString(),
        clusterName: optApiString(),
        endpoint: section({ url: optApiString() }),
        localService: section({ nameOverride: optApiString(), forceEnableLocalService: optBool() }),
        csi: enabledOnly(),
        env: envList(),
        networkPolicy: section({ create: optBool(), flavor: optApiString(), dnsSelectorEndpoints: optList() }),
      }),
      features: section({
        admissionController: section({
          enabled: optBool(),
          validation: enabledOnly(),
          mutation: enabledOnly(),
          mutateUnlabelled: optBool(),
          serviceName: optApiString(),
          agentCommunicationMode: optApiString(),
          failurePolicy: optApiString(),
          webhookName: optApiString(),
          registry: optApiString(),
          cwsInstrumentation: section({ enabled: optBool(), mode: optApiString() }),
          kubernetesAdmissionEvents: enabledOnly(),
          probe: section({ enabled: optBool(), interval: optCount(), gracePeriod: optCount() }),
          agentSidecarInjection: section({
            enabled: optBool(),
            clusterAgentCommunicationEnabled: optBool(),
            provider: optApiString(),
            registry: optApiString(),
            image: section({ name: optApiString(), tag: optApiString() }),
            selectors: optList(),
            profiles: optList(),
            clusterAgentTlsVerification: section({ enabled: optBool(), copyCaConfigMap: optBool() }),
          }),
        }),
        apm: section({
          enabled: optBool(),
          hostPortConfig: section({ enabled: optBool(), hostPort: optPort() }),
          unixDomainSocketConfig: section({ enabled: optBool(), path: optApiString() }),
          instrumentation: section({
            enabled: optBool(),
            enabledNamespaces: optStringList(),
            disabledNamespaces: optStringList(),
            libVersions: labelMap(),
            targets: optList(),
            injector: section({ imageTag: optApiString() }),
            injectionMode: optApiString(),
            languageDetection: enabledOnly(),
          }),
        }),
        dogstatsd: section({
          hostPortConfig: section({ enabled: optBool(), hostPort: optPort() }),
          unixDomainSocketConfig: section({ enabled: optBool(), path: optApiString() }),
        }),
        clusterChecks: enabledOnly(),
        externalMetricsServer: section({ enabled: optBool(), port: optPort() }),
      }),
      override: section({
        clusterAgent: section({
          image: section({ name: optApiString(), tag: optApiString() }),
          env: envList(),
          containers: z.record(z.string(), section({ env: envList(), logLevel: optApiString() }), { error: (i) => `expected a map of container names, got ${showValue(i.input)}` }).optional(),
          hostNetwork: optBool(),
          dnsPolicy: optApiString(),
          serviceAccountName: optApiString(),
        }),
        nodeAgent: section({ image: section({ name: optApiString(), tag: optApiString() }), serviceAccountName: optApiString() }),
      }),
    }),
  },
  { error: (i) => `expected a DatadogAgent resource (a map), got ${showValue(i.input)}` },
);

/** A DatadogAgent as the derivation reads it. */
export type DatadogAgent = z.infer<typeof datadogAgentSchema>;
