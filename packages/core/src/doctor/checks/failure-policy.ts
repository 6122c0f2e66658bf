import type { Check, CheckInput } from '../check.js';
import { setting } from '../context.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { settingFix } from '../fixes.js';
import { findNamed } from '../objects.js';
import { datadogEntries } from '../webhook-entries.js';

// `failure-policy`: `Fail` refuses every selected pod while the webhook is
// down; and timeouts whose sum reaches the API server's own request timeout
// make pod creations fail even with `Ignore`, when the webhook is unreachable.

export const failurePolicyCheck: Check = {
  id: 'failure-policy',
  category: 'webhook',
  anchor: 'failure-policy-and-timeouts',
  reads: ['mutatingwebhookconfigurations'],
  run: assess,
};

/** kube-apiserver's default `--request-timeout`: a create that takes longer is cut. */
const API_SERVER_REQUEST_TIMEOUT_SECONDS = 60;
/** The API server's default when an entry has no timeoutSeconds. */
const DEFAULT_TIMEOUT_SECONDS = 10;

function assess({ snapshot, context, config }: CheckInput) {
  const configuration = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, config.admission_controller.webhook_name);
  const entries = datadogEntries(configuration, config);
  if (entries.length === 0) return verdict('skip', 'no Datadog webhook entry to check (see webhook-configuration)');
  const problems: Problem[] = [];
  // The API server defaults an unset failurePolicy to Fail (admissionregistration v1).
  const failing = entries.filter((e) => (e.failurePolicy ?? 'Fail') === 'Fail').map((e) => e.name);
  if (failing.length > 0) {
    problems.push({
      status: 'warn',
      summary: `failurePolicy Fail on ${failing.join(', ')}: while the webhook is down or unreachable, the API server refuses every pod it selects`,
      details: [setting(context, 'admission_controller.failure_policy', config.admission_controller.failure_policy)],
      fix: settingFix(context.agent, {
        helm: ['clusterAgent.admissionController.failurePolicy=Ignore'],
        operator: { features: { admissionController: { failurePolicy: 'Ignore' } } },
        env: ['DD_ADMISSION_CONTROLLER_FAILURE_POLICY=Ignore'],
      }),
    });
  }
  const timeouts = entries.map((e) => e.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const worst = timeouts.reduce((a, b) => a + b, 0);
  if (worst >= API_SERVER_REQUEST_TIMEOUT_SECONDS) {
    const each = Math.max(1, Math.floor((API_SERVER_REQUEST_TIMEOUT_SECONDS - 1) / entries.length));
    problems.push({
      status: 'warn',
      summary: `the webhooks' timeouts add up to ${worst}s: when the webhook is unreachable a pod creation waits that long, and the API server cuts requests at ${API_SERVER_REQUEST_TIMEOUT_SECONDS}s, so creations fail even with Ignore`,
      details: [setting(context, 'admission_controller.timeout_seconds', config.admission_controller.timeout_seconds)],
      fix: settingFix(context.agent, { env: [`DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS=${each}`] }),
    });
  }
  const policies = [...new Set(entries.map((e) => e.failurePolicy ?? 'Fail'))].join('/');
  return fromProblems(
    problems,
    verdict('ok', `failurePolicy ${policies} on ${entries.length} webhook${entries.length === 1 ? '' : 's'}; an unreachable webhook delays a pod creation by at most ${worst}s`),
  );
}
