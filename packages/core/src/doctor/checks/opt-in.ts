import { ENABLED_LABEL } from '../../webhooks/labels.js';
import { acceptsUnlabelled } from '../../webhooks/selection.js';
import type { Check, CheckInput } from '../check.js';
import { setting } from '../context.js';
import { verdict } from '../finding.js';
import { settingFix } from '../fixes.js';
import { inScope, kubectlRef, listSome } from '../objects.js';
import { podTemplate, WORKLOAD_RESOURCES, templatePatchCommand, userWorkloads } from '../workloads.js';

// `opt-in`: with mutate_unlabelled false (and no Single Step
// Instrumentation), the webhooks only see pods labelled
// `admission.datadoghq.com/enabled: "true"`. When no workload in scope
// carries the label on its pod template, nothing will ever be mutated.

export const optInCheck: Check = {
  id: 'opt-in',
  category: 'workloads',
  anchor: 'nothing-opts-in',
  reads: WORKLOAD_RESOURCES,
  run: assess,
};

function assess({ snapshot, context, config }: CheckInput) {
  const unlabelled = setting(context, 'admission_controller.mutate_unlabelled', config.admission_controller.mutate_unlabelled);
  if (acceptsUnlabelled(config)) {
    const why = config.admission_controller.mutate_unlabelled ? unlabelled : 'Single Step Instrumentation is on';
    return verdict('ok', `every pod not labelled ${ENABLED_LABEL}: "false" is mutated (${why})`, [unlabelled]);
  }
  const workloads = userWorkloads(snapshot).filter((w) => inScope(context, w.metadata.namespace) && w !== context.agent?.deployment);
  const optedIn = workloads.filter((w) => podTemplate(w)?.metadata?.labels?.[ENABLED_LABEL] === 'true').map((w) => kubectlRef(w.kind ?? '', w.metadata.name, w.metadata.namespace));
  optedIn.push(...context.pods.labelledBarePods.filter((p) => p.enabled === 'true').map((p) => kubectlRef('pod', p.name, p.namespace)));
  if (optedIn.length > 0) {
    return verdict('ok', `${optedIn.length} workload${optedIn.length === 1 ? '' : 's'} opt in with ${ENABLED_LABEL}: "true": ${listSome(optedIn, 3)}`, [unlabelled]);
  }
  const onMetadata = workloads.filter((w) => w.metadata.labels?.[ENABLED_LABEL] === 'true').map((w) => kubectlRef(w.kind ?? '', w.metadata.name, w.metadata.namespace));
  const example = workloads[0];
  const fixes = [
    ...(example ? [`${templatePatchCommand(example, { labels: { [ENABLED_LABEL]: 'true' } })}   # for each workload to instrument`] : []),
    `${settingFix(context.agent, {
      helm: ['clusterAgent.admissionController.mutateUnlabelled=true'],
      operator: { features: { admissionController: { mutateUnlabelled: true } } },
      env: ['DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED=true'],
    })}   # or mutate every pod not labelled "false"`,
  ];
  return verdict(
    'fail',
    `no workload${context.namespaces ? ' in scope' : ''} carries ${ENABLED_LABEL}: "true" on its pod template and mutate_unlabelled is false: nothing will ever be mutated`,
    [unlabelled, `${workloads.length} workload${workloads.length === 1 ? '' : 's'} checked`, ...(onMetadata.length > 0 ? [`the label is on the workload's own metadata instead (see workload-labels): ${listSome(onMetadata)}`] : [])],
    fixes.join('\n'),
  );
}
