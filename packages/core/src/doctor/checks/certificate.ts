import { CERT_KEY, type CertificateFacts } from '../../cluster/certificate-policy.js';
import { base64Bytes, fnv1Digest, formatGoDuration, formatKubeTime } from '../../cluster/status.js';
import type { Check, CheckInput } from '../check.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { restartAgent } from '../fixes.js';
import { findNamed } from '../objects.js';
import { unreadable } from '../snapshot.js';
import { datadogEntries } from '../webhook-entries.js';

// `certificate`: the webhook Secret exists, its certificate has not expired
// and is not inside the renewal threshold, covers `<service>.<ns>.svc`, and
// is the CA bundle the webhook configuration trusts — the CA bundle digests
// `agent status` prints, compared for the user. Only cert.pem is read.

export const certificateCheck: Check = {
  id: 'certificate',
  category: 'webhook',
  anchor: 'the-certificate',
  reads: ['secrets'],
  run: assess,
};

const HOUR_MS = 3_600_000;

function assess(input: CheckInput) {
  const { snapshot, context, config } = input;
  const namespace = context.resourcesNamespace;
  const secretName = config.admission_controller.certificate.secret_name;
  const where = `Secret ${namespace}/${secretName}`;
  const regenerate = `kubectl delete secret ${secretName} -n ${namespace} && ${restartAgent(context.agent)}`;
  const secret = findNamed(snapshot.objects.secrets, namespace, secretName);
  if (!secret) {
    return verdict('fail', `${where} does not exist: the Cluster Agent has no certificate to serve`, [
      `the Cluster Agent creates it when it starts; it needs get, create and update on secrets in ${namespace}`,
    ], restartAgent(context.agent));
  }
  const pem = secret.data[CERT_KEY];
  if (!pem) return verdict('fail', `${where} has no ${CERT_KEY}`, [], regenerate);
  let facts: CertificateFacts;
  try {
    facts = context.readCertificate(new TextDecoder().decode(base64Bytes(pem)));
  } catch (error) {
    return verdict('fail', `${where}: ${CERT_KEY} is not a readable certificate: ${(error as Error).message}`, [], regenerate);
  }
  const host = `${config.admission_controller.service_name}.${namespace}.svc`;
  const left = facts.notAfter - context.now;
  const leftText = formatGoDuration(BigInt(Math.round(left)) * 1_000_000n);
  const threshold = config.admission_controller.certificate.expiration_threshold;
  const problems: Problem[] = [];
  if (left <= 0) {
    problems.push({ status: 'fail', summary: `the certificate in ${where} expired on ${formatKubeTime(new Date(facts.notAfter))}: the API server refuses the webhook's TLS`, fix: regenerate });
  } else if (left < threshold * HOUR_MS) {
    problems.push({
      status: 'warn',
      summary: `the certificate in ${where} expires in ${leftText}, inside the ${threshold}h renewal threshold: the Cluster Agent should have renewed it`,
      details: ['the leader renews it; a certificate left this close to expiry means no Cluster Agent is reconciling the Secret'],
      fix: regenerate,
    });
  }
  if (!facts.dnsNames.includes(host)) {
    problems.push({
      status: 'fail',
      summary: `the certificate in ${where} is for ${facts.dnsNames.join(', ') || 'no DNS name'}, not ${host}: the API server refuses the webhook's TLS`,
      fix: regenerate,
    });
  }
  const digest = fnv1Digest(base64Bytes(pem));
  problems.push(...bundleMismatch(input, digest));
  return fromProblems(
    problems,
    verdict('ok', `${where}: valid for ${host} until ${formatKubeTime(new Date(facts.notAfter))} (${leftText} left), CA bundle digest ${digest} trusted by the webhooks`),
  );
}

/** Entries whose CA bundle is not the Secret's certificate (the guide's `agent status` digest comparison). */
function bundleMismatch({ snapshot, context, config }: CheckInput, digest: string): Problem[] {
  if (unreadable(snapshot, 'mutatingwebhookconfigurations')) return [];
  const configuration = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, config.admission_controller.webhook_name);
  const wrong = datadogEntries(configuration, config)
    .map((e) => ({ name: e.name, digest: fnv1Digest(base64Bytes(e.clientConfig.caBundle ?? '')) }))
    .filter((e) => e.digest !== digest);
  if (wrong.length === 0) return [];
  return [
    {
      status: 'fail',
      summary: `the webhooks trust CA bundle digest ${wrong[0]!.digest}, but the Secret holds ${digest}: the API server rejects the Cluster Agent's certificate (x509: certificate signed by unknown authority)`,
      details: wrong.map((e) => `${e.name}: CA bundle digest ${e.digest}`),
      fix: restartAgent(context.agent),
    },
  ];
}
