import type { AgentDeployment } from './agent-deployment.js';
import { OPERATOR_WEBHOOK_PORT } from './agent-deployment.js';
import type { AdmissionConfig } from '../config/schema.js';
import { plainHelmDeployment } from './helm-values.js';

// The Service the API server calls the webhooks through (port 443 -> the
// Cluster Agent's webhook port), as the chart (templates/agent-services.yaml)
// and the Operator create it (spec/helm-values.md §1, spec/datadogagent-crd.md §5).

type Obj = Record<string, unknown>;

/** The Admission Controller Service of this deployment (default: the chart's shapes), or none when the Admission Controller is off. */
export function webhookService(config: AdmissionConfig, deployment: AgentDeployment = { surface: 'config', namespace: 'default' }): Obj[] {
  if (deployment.surface === 'datadog-agent') {
    if (!deployment.admissionEnabled) return [];
    return [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: deployment.serviceName, namespace: deployment.namespace },
        spec: {
          selector: { 'agent.datadoghq.com/name': deployment.name, 'agent.datadoghq.com/component': 'cluster-agent' },
          ports: [{ name: 'admissioncontrollerport', port: 443, targetPort: OPERATOR_WEBHOOK_PORT, protocol: 'TCP' }],
        },
      },
    ];
  }
  const helm = deployment.surface === 'helm' ? deployment : plainHelmDeployment(config, deployment.namespace);
  if (!helm.webhook.enabled || !helm.clusterAgentDeployed) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: helm.serviceName, namespace: helm.namespace, ...(Object.keys(helm.labels).length > 0 ? { labels: { ...helm.labels } } : {}) },
      spec: {
        selector: { app: `${helm.fullname}-cluster-agent` },
        ports: [{ port: 443, targetPort: helm.webhook.port, name: 'datadog-webhook', protocol: 'TCP' }],
      },
    },
  ];
}
