import {
  distributionChecks,
  hasChange,
  networkPolicies,
  resourcesNamespace,
  webhookConfigurationNotes,
  webhookConfigurations,
  webhookService,
  type AdmissionConfig,
  type AgentDeployment,
  type NetworkPolicyFlavor,
} from '@dd-admission/core';
import type { ManifestsOptions } from './args.js';
import type { Io } from './io.js';
import { requireConfig } from './load-config.js';
import { explainConfigWarnings } from './render-explain.js';
import { explainFindings } from './render-findings.js';
import { mark, styleFor } from './style.js';
import { newDocument, toStringOptions } from './yaml-style.js';

/** `dd-mutate manifests`: the webhook Service, the webhook configurations (7.61+) and the Cluster Agent's network policy, as the chart, the Operator and the Cluster Agent create them. */
export async function manifestsCommand(options: ManifestsOptions, io: Io): Promise<number> {
  const style = styleFor(io.isTTY.stderr, io.env);
  const loaded = await requireConfig(options, io, (w) => io.stderr.write(explainConfigWarnings(w, style)));
  const { config, deployment } = loaded;
  const flavor = options.networkPolicy;
  const configurations = configurationManifests(config, deployment);
  const objects = [...webhookService(config, deployment), ...configurations.objects, ...(flavor ? networkPolicies(config, flavor, deployment) : [])];
  io.stdout.write(options.output === 'json' ? renderList(objects) : renderStream(objects));
  const all = [...notes(deployment, flavor, config.admission_controller.enabled), ...configurations.notes];
  io.stderr.write(all.map((n) => `${mark(style, 'note')} ${n}\n`).join(''));
  io.stderr.write(explainFindings(distributionChecks({ ...loaded, distributions: options.distributions }), style));
  return 0;
}

/**
 * The Mutating and Validating configurations the Cluster Agent writes, and what to note about
 * them, for agents that write two (7.61+); none before, as `manifests` printed for 7.49.
 */
export function configurationManifests(config: AdmissionConfig, deployment: AgentDeployment): { objects: object[]; notes: string[] } {
  if (!config.admission_controller.enabled || !hasChange(config.agentVersion, 'admission-events')) return { objects: [], notes: [] };
  return {
    objects: webhookConfigurations(config, undefined, { namespace: resourcesNamespace(config, deployment.namespace) }),
    notes: ['the webhook configurations carry no caBundle: the Cluster Agent fills it in from its certificate Secret', ...webhookConfigurationNotes(config)],
  };
}

function renderStream(objects: readonly unknown[]): string {
  return objects.map((o) => newDocument(o).toString(toStringOptions(true))).join('---\n');
}

function renderList(objects: readonly unknown[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
}

/** What the user should know about these objects: whose shapes they have, and whether their install creates them. */
function notes(d: AgentDeployment, flavor: NetworkPolicyFlavor | undefined, admission: boolean): string[] {
  const out: string[] = [];
  if (d.surface === 'config') {
    out.push(`no --helm-values or --datadog-agent: the objects have the Helm chart's shapes for release "datadog" (Cluster Agent pods labelled app: datadog-cluster-agent); adjust the selectors if yours are labelled otherwise`);
  }
  const enabled = d.surface === 'config' ? admission : d.surface === 'helm' ? d.webhook.enabled : d.admissionEnabled;
  if (!enabled) out.push('the Admission Controller is disabled: no Service, and no webhook rule in the policy');
  if (!flavor) {
    out.push('no --network-policy: only the Service is printed (add --network-policy kubernetes or cilium)');
    return out;
  }
  if (d.surface === 'config') return out;
  const prefix = d.surface === 'helm' ? 'datadog.networkPolicy' : 'spec.global.networkPolicy';
  if (!d.networkPolicy.create) {
    out.push(`${prefix}.create is not true: your install creates no network policy; set ${prefix}.create: true${flavor === 'cilium' ? ` and ${prefix}.flavor: cilium` : ''} to have this one created`);
  } else if (d.networkPolicy.flavor !== flavor) {
    out.push(`your install creates the ${JSON.stringify(d.networkPolicy.flavor)} flavor (${prefix}.flavor), not ${flavor}`);
  }
  return out;
}
