import { AKS_REQUIREMENTS } from '../../webhooks/selection.js';
import type { Check, CheckInput } from '../check.js';
import type { ClusterAgent } from '../cluster-agent.js';
import { setting } from '../context.js';
import { verdict } from '../finding.js';
import { restartAgent, settingFix } from '../fixes.js';
import { findNamed } from '../objects.js';
import type { SnapshotWebhook } from '../snapshot.js';
import { datadogEntries } from '../webhook-entries.js';

// `aks-selectors`: on AKS, the admissions enforcer adds its own namespace
// selector requirements to every webhook. Unless the Cluster Agent writes
// them itself (add_aks_selectors), it removes them on each reconcile and AKS
// adds them back: the two fight over the configuration.

export const aksSelectorsCheck: Check = {
  id: 'aks-selectors',
  category: 'distribution',
  anchor: 'azure-aks',
  reads: ['mutatingwebhookconfigurations'],
  run: assess,
};

/** The annotation that exempts a webhook configuration from the AKS admissions enforcer. */
const AKS_ENFORCER_OPT_OUT = 'admissions.enforcer/disabled';

const AKS_KEYS = new Set(AKS_REQUIREMENTS.map((r) => r.key));

function hasAksSelectors(entry: SnapshotWebhook): boolean {
  return (entry.namespaceSelector?.matchExpressions ?? []).some((r) => AKS_KEYS.has(r.key));
}

function assess({ snapshot, context, config }: CheckInput) {
  if (!context.distribution.distributions.includes('aks')) return verdict('ok', 'not an AKS cluster: no AKS selectors needed');
  const name = config.admission_controller.webhook_name;
  const configuration = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, name);
  const entries = datadogEntries(configuration, config);
  if (!configuration || entries.length === 0) return verdict('skip', 'no Datadog webhook entry to check (see webhook-configuration)');
  const flag = setting(context, 'admission_controller.add_aks_selectors', config.admission_controller.add_aks_selectors);
  if (configuration.metadata.annotations?.[AKS_ENFORCER_OPT_OUT] === 'true') {
    return verdict('ok', `AKS: ${name} is annotated ${AKS_ENFORCER_OPT_OUT}: "true", the admissions enforcer leaves it alone`, [flag]);
  }
  const withSelectors = entries.filter(hasAksSelectors).map((e) => e.name);
  const without = entries.filter((e) => !hasAksSelectors(e)).map((e) => e.name);
  if (!config.admission_controller.add_aks_selectors) {
    return verdict(
      'fail',
      'AKS: the Cluster Agent does not write the AKS selectors, so it and the AKS admissions enforcer keep rewriting each other\'s webhook configuration',
      [flag, withSelectors.length > 0 ? `entries carrying AKS's selectors now (added by AKS): ${withSelectors.join(', ')}` : 'no entry carries the AKS selectors now'],
      aksFix(context.agent),
    );
  }
  if (without.length > 0) {
    return verdict('warn', `AKS: add_aks_selectors is on but ${without.join(', ')} lack the AKS selectors: the Cluster Agent has not rewritten them yet`, [flag], restartAgent(context.agent));
  }
  return verdict('ok', `AKS: the webhooks carry the AKS selectors`, [flag]);
}

function aksFix(agent: ClusterAgent | undefined): string {
  if (agent?.installer.kind === 'operator') {
    return `kubectl annotate datadogagent ${agent.installer.datadogAgent} -n ${agent.namespace} agent.datadoghq.com/cluster-provider=aks`;
  }
  return settingFix(agent, { helm: ['providers.aks.enabled=true'], env: ['DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS=true'] });
}
