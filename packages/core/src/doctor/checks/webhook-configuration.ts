import { WEBHOOK_SERVICE_PORT, webhookPath } from '../../cluster/webhook-configuration.js';
import type { Check, CheckInput } from '../check.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { restartAgent } from '../fixes.js';
import { findNamed, listSome } from '../objects.js';
import type { SnapshotWebhook } from '../snapshot.js';
import { looksLikeDatadogEntry, matchEntries, type EntryMatch } from '../webhook-entries.js';

// `webhook-configuration`: the MutatingWebhookConfiguration exists, has an
// entry for every enabled webhook, and each calls the Cluster Agent's Service,
// in its namespace, on the port and path it serves ("Service and Secret must
// match your namespace").

export const webhookConfigurationCheck: Check = {
  id: 'webhook-configuration',
  category: 'webhook',
  anchor: 'the-webhook-configuration',
  reads: ['mutatingwebhookconfigurations'],
  run: assess,
};

function assess({ snapshot, context, config }: CheckInput) {
  const name = config.admission_controller.webhook_name;
  const configuration = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, name);
  const recreate = `kubectl delete mutatingwebhookconfiguration ${name} && ${restartAgent(context.agent)}`;
  if (!configuration) {
    const others = snapshot.objects.mutatingwebhookconfigurations.filter((c) => (c.webhooks ?? []).some(looksLikeDatadogEntry)).map((c) => c.metadata.name);
    return verdict(
      'fail',
      `MutatingWebhookConfiguration ${name} does not exist: the API server calls no Datadog webhook`,
      [
        `admission_controller.webhook_name ${name} (${context.origins['admission_controller.webhook_name'] ?? 'default'})`,
        ...(others.length > 0 ? [`Datadog-looking configurations present instead: ${others.join(', ')}`] : []),
        'the Cluster Agent creates it when it starts as leader; its logs say why it did not',
      ],
      `${restartAgent(context.agent)}\nkubectl logs deployment/${context.agent?.name ?? '<cluster-agent>'} -n ${context.agent?.namespace ?? '<namespace>'} | grep -i webhook`,
    );
  }
  const matches = matchEntries(configuration, config);
  const present = matches.filter((m): m is EntryMatch & { entry: SnapshotWebhook } => m.entry !== undefined);
  const problems: Problem[] = [...missingEntries(matches, recreate), ...otherEra(present, context.agentConfig.version.version, recreate)];
  const mismatch = (field: string, expected: string, actual: (e: SnapshotWebhook) => string | undefined, why: string) => {
    const wrong = present.filter((m) => actual(m.entry) !== expected);
    if (wrong.length === 0) return;
    const values = [...new Set(wrong.map((m) => actual(m.entry) ?? 'none'))].join(', ');
    problems.push({ status: 'fail', summary: `${listSome(wrong.map((m) => m.entry.name), 3)} call${wrong.length === 1 ? 's' : ''} ${field} ${values}, not ${expected}: ${why}`, fix: recreate });
  };
  mismatch('a Service in namespace', context.resourcesNamespace, (e) => e.clientConfig.service?.namespace, "the Service and the Secret must be in the Cluster Agent's namespace");
  mismatch('the Service', config.admission_controller.service_name, (e) => e.clientConfig.service?.name ?? (e.clientConfig.url ? `url ${e.clientConfig.url}` : undefined), 'the Cluster Agent serves none other');
  mismatch('Service port', String(WEBHOOK_SERVICE_PORT), (e) => (e.clientConfig.service ? String(e.clientConfig.service.port ?? WEBHOOK_SERVICE_PORT) : undefined), 'the Service exposes the webhook on 443');
  for (const m of present) {
    const path = webhookPath(config, m.webhook);
    const actual = m.entry.clientConfig.service?.path ?? undefined;
    if (actual !== path) problems.push({ status: 'fail', summary: `${m.entry.name} calls path ${actual ?? '(none)'}, but the Cluster Agent serves it on ${path}`, fix: recreate });
  }
  const target = `Service ${context.resourcesNamespace}/${config.admission_controller.service_name} port ${WEBHOOK_SERVICE_PORT}`;
  const evidence = present.map((m) => `${m.entry.name} -> ${m.entry.clientConfig.service?.path ?? m.entry.clientConfig.url ?? '?'}`);
  return fromProblems(problems, verdict('ok', `${name}: ${present.length} webhook${present.length === 1 ? '' : 's'} calling ${target}`, evidence), evidence);
}

function missingEntries(matches: readonly EntryMatch[], fix: string): Problem[] {
  const missing = matches.filter((m) => !m.entry).map((m) => m.names.expected);
  if (missing.length === 0) return [];
  return [{ status: 'fail', summary: `no entry for ${missing.join(', ')}: those webhooks are never called`, fix }];
}

function otherEra(present: readonly (EntryMatch & { entry: SnapshotWebhook })[], version: string, fix: string): Problem[] {
  const stale = present.filter((m) => m.otherEra);
  if (stale.length === 0) return [];
  return [
    {
      status: 'warn',
      summary: `entries named ${stale.map((m) => m.entry.name).join(', ')} come from another Cluster Agent release: ${version} writes ${stale.map((m) => m.names.expected).join(', ')}`,
      details: ['the running Cluster Agent has not rewritten this configuration: it is not the leader yet, lacks RBAC on mutatingwebhookconfigurations, or another install owns it'],
      fix,
    },
  ];
}
