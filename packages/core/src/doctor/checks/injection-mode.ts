import type { Check, CheckInput } from '../check.js';
import { setting } from '../context.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { settingFix, type SettingChange } from '../fixes.js';
import { inScope } from '../objects.js';
import { unreadable } from '../snapshot.js';

// `injection-mode`: socket mode injects hostPath volumes, which GKE Autopilot
// (Warden), OpenShift (SCCs) and namespaces enforcing the `baseline` or
// `restricted` Pod Security level refuse: the mutated pods are never created.

export const injectionModeCheck: Check = {
  id: 'injection-mode',
  category: 'distribution',
  anchor: 'application-pods-are-not-created',
  reads: [],
  run: assess,
};

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const FORBIDS_HOSTPATH = new Set(['baseline', 'restricted']);
const MODE_ENV = 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE=hostip';

const AUTOPILOT_HOSTIP: SettingChange = {
  helm: ['providers.gke.autopilot=true', 'datadog.apm.portEnabled=true'],
  operator: { features: { admissionController: { agentCommunicationMode: 'hostip' }, apm: { hostPortConfig: { enabled: true } } } },
  env: [MODE_ENV],
};

const OPENSHIFT_HOSTIP: SettingChange = {
  helm: ['datadog.apm.portEnabled=true', 'datadog.apm.socketEnabled=false'],
  operator: {
    features: {
      apm: { hostPortConfig: { enabled: true }, unixDomainSocketConfig: { enabled: false } },
      dogstatsd: { hostPortConfig: { enabled: true }, unixDomainSocketConfig: { enabled: false } },
    },
  },
  env: [MODE_ENV],
};

const HOSTIP: SettingChange = {
  helm: ['clusterAgent.admissionController.configMode=hostip'],
  operator: { features: { admissionController: { agentCommunicationMode: 'hostip' } } },
  env: [MODE_ENV],
};

function assess({ snapshot, context, config }: CheckInput) {
  const ic = config.admission_controller.inject_config;
  const mode = setting(context, 'admission_controller.inject_config.mode', ic.mode);
  if (!ic.enabled || ic.mode !== 'socket') {
    return verdict('ok', ic.enabled ? `mode ${ic.mode}: no hostPath volume is injected` : 'the config webhook is disabled: no hostPath volume is injected', [mode]);
  }
  const distributions = context.distribution.distributions;
  const problems: Problem[] = [];
  if (distributions.includes('gke-autopilot')) {
    problems.push({
      status: 'fail',
      summary: 'GKE Autopilot: mode socket injects hostPath volumes, which Autopilot forbids: GKE Warden rejects every mutated pod',
      details: [mode],
      fix: settingFix(context.agent, AUTOPILOT_HOSTIP),
    });
  }
  if (distributions.includes('openshift')) {
    problems.push({
      status: 'fail',
      summary: 'OpenShift: mode socket injects hostPath volumes, which the SecurityContextConstraints of application pods refuse: the mutated pods are not created',
      details: [mode],
      fix: settingFix(context.agent, OPENSHIFT_HOSTIP),
    });
  }
  const enforcing = snapshot.objects.namespaces
    .filter((ns) => inScope(context, ns.metadata.name) && FORBIDS_HOSTPATH.has(ns.metadata.labels?.[ENFORCE_LABEL] ?? ''))
    .map((ns) => `${ns.metadata.name} (${ns.metadata.labels![ENFORCE_LABEL]})`);
  if (enforcing.length > 0) {
    problems.push({
      status: 'fail',
      summary: `namespace${enforcing.length > 1 ? 's' : ''} ${enforcing.join(', ')} enforce${enforcing.length > 1 ? '' : 's'} a Pod Security level that forbids hostPath volumes: the API server rejects the pods the webhook mutates there`,
      details: [mode, `or keep socket mode and label the pod templates in those namespaces admission.datadoghq.com/config.mode: hostip`],
      fix: settingFix(context.agent, HOSTIP),
    });
  }
  const gap = unreadable(snapshot, 'namespaces');
  const evidence = [mode, `distribution: ${distributions.join(', ') || 'none detected'}`, ...(gap ? ['namespaces not readable: Pod Security levels not checked'] : [])];
  return fromProblems(problems, verdict('ok', 'mode socket, and nothing here refuses hostPath volumes', evidence));
}
