// The one public entry of @dd-admission/core: re-exports only, by folder.

// review/: the AdmissionReview and the pod as the API server sends them.
export * from './review/admission-review.js';
export * from './review/pod.js';
export * from './review/base64.js';

// versions/: which Cluster Agent release is emulated, and what changed between releases.
export * from './versions/agent-version.js';
export * from './versions/behaviour-changes.js';
export * from './versions/evidence.js';

// config/: Datadog configuration keys -> a typed AdmissionConfig.
export * from './config/parse.js';
export { CONFIG_KEYS, DECLARED_ENV_NAMES, type KeyType } from './config/schema.js';
export * from './config/key-versions.js';
export { parseQuantity, readQuantity, formatQuantity, addQuantities, compareQuantities, ZERO_QUANTITY, type Quantity, type QuantityFormat } from './config/quantity.js';
export * from './config/instrumentation-targets.js';
export { nearest, editDistance } from './config/suggest.js';

// webhooks/: the mutation path, from selection to the patch and its events.
export * from './webhooks/report.js';
export * from './webhooks/labels.js';
export * from './webhooks/selection.js';
export * from './webhooks/ssi.js';
export * from './webhooks/owners.js';
export * from './webhooks/webhook.js';
export * from './webhooks/env-injection.js';
export * from './webhooks/volume-injection.js';
export * from './webhooks/config-injection.js';
export * from './webhooks/tags-injection.js';
export * from './webhooks/lib-config.js';
export * from './webhooks/lib-injection.js';
export * from './webhooks/libraries.js';
export * from './webhooks/library-selection.js';
export * from './webhooks/ssi-targets.js';
export * from './webhooks/init-resources.js';
export * from './webhooks/apm-injector.js';
export * from './webhooks/apm-instrumentation.js';
export * from './webhooks/mutate.js';
export * from './webhooks/review-response.js';
export * from './webhooks/probe-answer.js';
export * from './webhooks/json-pointer.js';
export * from './webhooks/workloads.js';
export type { Operation } from 'fast-json-patch';

// surfaces/: what the Helm chart and the Datadog Operator deploy.
export * from './surfaces/agent-deployment.js';
export * from './surfaces/cluster-agent-env.js';
export { HELM_CHART_VERSION, HELM_CLUSTER_AGENT_IMAGE_TAG, HELM_DEFAULTS, helmValuesSchema, coalesceValues, type HelmValues } from './surfaces/helm-values-schema.js';
export { helmConfigMode, helmFullname, helmRegistry, type Decided, type OriginOf } from './surfaces/helm-chart.js';
export * from './surfaces/helm-values.js';
export { DATADOG_AGENT_API_VERSION, DATADOG_AGENT_KIND, DATADOG_AGENT_DEFAULTS, datadogAgentSchema, type DatadogAgent } from './surfaces/datadog-agent-schema.js';
export * from './surfaces/datadog-agent.js';
export * from './surfaces/network-policies.js';
export * from './surfaces/webhook-service.js';
export * from './surfaces/distributions.js';

// cluster/: the objects kept in the cluster and the status read back from it.
export * from './cluster/webhook-configuration.js';
export * from './cluster/certificate-policy.js';
export * from './cluster/status.js';
export * from './cluster/connectivity-probe.js';

// doctor/: the troubleshooting guide as checks over a snapshot of the cluster.
export * from './doctor/snapshot.js';
export * from './doctor/collect.js';
export { FINDING_STATUSES, TROUBLESHOOTING_PAGE, findingSchema, type Finding, type FindingStatus } from './doctor/finding.js';
export { CHECK_CATEGORIES, type CheckCategory, type CheckInfo } from './doctor/check.js';
export { agentContext, doctorContext, type AgentContext, type DoctorContext, type DoctorOptions } from './doctor/context.js';
export { agentConfig, type AgentConfig, type AgentConfigOptions, type EmulatedVersion } from './doctor/agent-config.js';
export { findClusterAgent, clusterAgentNamespaces, clusterAgentPodFilter, CLUSTER_AGENT_CONTAINER, type ClusterAgent, type Installer } from './doctor/cluster-agent.js';
export { podScanner, scanPods, type PodScanner } from './doctor/pod-scan.js';
export * from './doctor/distribution.js';
export * from './doctor/probe.js';
export { DOCTOR_CHECKS, DOCTOR_CHECK_IDS } from './doctor/registry.js';
export * from './doctor/report.js';
export { classifyProbeError, type ProbeFailure } from './doctor/checks/connectivity.js';
