import { X509Certificate } from 'node:crypto';
import {
  admissionStatus,
  configurationAction,
  defaultConfig,
  EMPTY_PROBE_STATS,
  hasChange,
  probeStatus,
  renderStatus,
  type AdmissionConfig,
  type ProbeStatus,
  type StatusSecret,
  type StatusWebhookConfiguration,
  type WebhookConfigurationKind,
} from '@dd-admission/core';
import { connectKube, KubeApiError, KubeConfigError, KubeConnectionError, RESOURCES, type KubeClient, type KubeClientModule } from '@dd-admission/kube';
import { z } from 'zod';
import { agentVersionOption } from './agent-version-option.js';
import { subcommandOptions } from './command-line.js';
import { STATUS_FORMATS } from './commands.js';
import type { Io } from './io.js';

// `dd-mutate status`: the "Admission Controller" section of the cluster agent's
// `agent status`, read from the cluster of a kubeconfig context through
// @dd-admission/kube, which loads the Kubernetes client only when the command
// connects, so the offline preview never loads it.

export const STATUS_USAGE = `Usage: dd-mutate status [--kubeconfig <file>] [--context <name>] [-n <namespace>] [-o text|json]

Prints the Admission Controller section of the Cluster Agent's \`agent status\`, read
from the cluster: the MutatingWebhookConfiguration (webhooks, CA bundle digests,
object selectors, rules, services) and the certificate Secret (CA bundle digest,
time before the certificate expires). When the digests differ, the webhook does not
trust the certificate the Cluster Agent serves. For Cluster Agent 7.61 and later the
ValidatingWebhookConfiguration comes first; for 7.78 a Connectivity Probe block says
whether the configuration enables the probe (its statistics stay in the leader).

Options:
  --kubeconfig <file>   kubeconfig to use (default: KUBECONFIG, then ~/.kube/config,
                        then the pod's service account)
  --context <name>      kubeconfig context (default: the current context)
  -n, --namespace <ns>  namespace of the Cluster Agent and its Secret (default: the
                        context's namespace, else "default")
  -o, --output <fmt>    text (default) or json (the agent's status keys)
  --webhook-name <name> admission_controller.webhook_name (default datadog-webhook)
  --secret-name <name>  admission_controller.certificate.secret_name (default
                        webhook-certificate)
  --agent-version <X.Y[.Z]>
                        Cluster Agent release whose status layout to use, 7.49 to
                        7.78 (default: the newest)`;

const statusOptionsSchema = z.object({
  kubeconfig: z.string().min(1, { error: '--kubeconfig: empty file name' }).optional(),
  context: z.string().min(1, { error: '--context: empty context name' }).optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: (i) => `-n/--namespace: ${JSON.stringify(i.input)} is not a valid namespace name` })
    .optional(),
  output: z.enum(STATUS_FORMATS, { error: (i) => `-o/--output: unknown format ${JSON.stringify(i.input)} (expected ${STATUS_FORMATS.join(', ')})` }).default('text'),
  webhookName: z.string().min(1).optional(),
  secretName: z.string().min(1).optional(),
  agentVersion: agentVersionOption,
  help: z.boolean().default(false),
});

/** The options of `dd-mutate status`. */
export type StatusOptions = z.input<typeof statusOptionsSchema> & {
  /** A parsed configuration (from --config / --set): names and kube_resources_namespace are taken from it. */
  config?: AdmissionConfig;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
};

/** Parses the arguments after `status`; throws UsageError. */
export function parseStatusArgs(argv: readonly string[]): StatusOptions {
  return subcommandOptions('status', argv, statusOptionsSchema);
}

/** What `status` needs from the outside world beyond the CLI's Io (defaults: the real ones). */
export interface StatusIo extends Pick<Io, 'stdout' | 'stderr' | 'env'> {
  fileExists?: (path: string) => boolean;
  /** Wall-clock time in nanoseconds since the epoch. */
  nowNs?: () => bigint;
  loadClient?: () => Promise<KubeClientModule>;
}

/** A failure with a one-line message for stderr. */
class StatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusError';
  }
}

/** Runs `dd-mutate status`; resolves to the exit status (0, or 1 when something is missing or unreachable). */
export async function runStatus(options: StatusOptions, io: StatusIo): Promise<number> {
  if (options.help) {
    io.stdout.write(`${STATUS_USAGE}\n`);
    return 0;
  }
  try {
    return await status(options, io);
  } catch (error) {
    if (!(error instanceof StatusError) && !(error instanceof KubeConfigError)) throw error;
    io.stderr.write(`dd-mutate: ${error.message}\n`);
    return 1;
  }
}

async function status(options: StatusOptions, io: StatusIo): Promise<number> {
  const kube = await connectKube({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    env: io.env,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(io.fileExists ? { fileExists: io.fileExists } : {}),
    ...(io.loadClient ? { load: io.loadClient } : {}),
  });
  const config = options.config ?? defaultConfig(options.agentVersion);
  const ac = config.admission_controller;
  const webhookName = options.webhookName ?? ac.webhook_name;
  const secretName = options.secretName ?? ac.certificate.secret_name;
  const namespace = options.namespace ?? (config.kube_resources_namespace || kube.namespace || 'default');

  // Since 7.61 the agent has a Validating configuration of the same name, shown first.
  const twoKinds = hasChange(config.agentVersion, 'admission-events');
  const [webhook, secret, validating] = await Promise.all([
    readWebhookConfiguration(kube, webhookName),
    readSecret(kube, namespace, secretName),
    twoKinds ? readWebhookConfiguration(kube, webhookName, 'ValidatingWebhookConfiguration') : undefined,
  ]);
  if (!webhook.ok && !secret.ok && webhook.status === undefined && secret.status === undefined) {
    throw new StatusError(`cannot reach the Kubernetes API server at ${kube.server}: ${webhook.error}`);
  }
  const snapshot = admissionStatus({
    agentVersion: config.agentVersion,
    enabled: true,
    webhookName,
    namespace,
    secretName,
    webhookConfiguration: webhook.ok ? { ok: true, object: webhook.object } : { ok: false, error: webhook.error },
    ...(validating ? { validatingWebhookConfiguration: validating.ok ? { ok: true, object: validating.object } : { ok: false, error: validating.error } } : {}),
    probe: probeFromConfig(config),
    secret: secret.ok ? { ok: true, object: secret.object } : { ok: false, error: secret.error },
    ...(secret.ok ? notAfterOf(secret.object) : {}),
    nowNs: (io.nowNs ?? wallClockNs)(),
  });
  io.stdout.write(options.output === 'json' ? `${JSON.stringify(snapshot, null, 2)}\n` : renderStatus(snapshot));
  const validatingExpected = validating && configurationAction(config, 'ValidatingWebhookConfiguration') === 'write';
  const problems = [
    webhookProblem(webhook, webhookName),
    validatingExpected ? webhookProblem(validating, webhookName, 'ValidatingWebhookConfiguration') : undefined,
    secretProblem(secret, namespace, secretName),
  ].filter((p): p is string => p !== undefined);
  for (const problem of problems) io.stderr.write(`dd-mutate: ${problem}\n`);
  return problems.length > 0 ? 1 : 0;
}

/** A GET's outcome; `status` is the HTTP status of a failure (undefined: no answer at all). */
type Got<T> = { ok: true; object: T } | { ok: false; error: string; status?: number; reason?: string };

const UNSERVED = 'the server could not find the requested resource';

async function readWebhookConfiguration(kube: KubeClient, name: string, kind: WebhookConfigurationKind = 'MutatingWebhookConfiguration'): Promise<Got<StatusWebhookConfiguration>> {
  const resource = kind === 'MutatingWebhookConfiguration' ? RESOURCES.mutatingWebhookConfigurations : RESOURCES.validatingWebhookConfigurations;
  const v1 = await got(() => kube.get<StatusWebhookConfiguration>(resource, name));
  // A cluster older than 1.16 has only v1beta1 (the agent reads the version it discovered).
  if (v1.ok || v1.status !== 404 || v1.error !== UNSERVED) return v1;
  return got(() => kube.get<StatusWebhookConfiguration>({ ...resource, version: 'v1beta1' }, name));
}

/**
 * The probe block: whether the configuration enables the probe. Its statistics live in the
 * leader's memory, which a cluster read cannot reach, so an enabled probe shows the text of
 * a replica that is not the leader.
 */
function probeFromConfig(config: AdmissionConfig): ProbeStatus {
  if (!config.admission_controller.probe.enabled) return probeStatus({ enabled: false });
  return probeStatus({ enabled: true, started: true, leader: false, stats: EMPTY_PROBE_STATS });
}

function readSecret(kube: KubeClient, namespace: string, name: string): Promise<Got<StatusSecret>> {
  return got(() => kube.get<StatusSecret>(RESOURCES.secrets, name, { namespace }));
}

/** A read's outcome; a set-up error (credentials) is thrown, not reported. */
async function got<T>(read: () => Promise<T>): Promise<Got<T>> {
  try {
    return { ok: true, object: await read() };
  } catch (error) {
    if (error instanceof KubeApiError) return { ok: false, error: error.message, status: error.code, ...(error.reason ? { reason: error.reason } : {}) };
    if (error instanceof KubeConnectionError) return { ok: false, error: error.message };
    throw error;
  }
}

function notAfterOf(secret: StatusSecret): { certificateNotAfter?: number } {
  const pem = secret.data?.['cert.pem'];
  if (!pem) return {};
  try {
    return { certificateNotAfter: Date.parse(new X509Certificate(Buffer.from(pem, 'base64')).validTo) };
  } catch {
    return {};
  }
}

function webhookProblem(read: Got<unknown>, name: string, kind: WebhookConfigurationKind = 'MutatingWebhookConfiguration'): string | undefined {
  if (read.ok) return undefined;
  if (read.status === 404) {
    return `the ${kind} "${name}" does not exist: the Cluster Agent has not created it (is admission_controller.enabled / clusterAgent.admissionController.enabled set, and is the Cluster Agent running?)`;
  }
  return `cannot read the ${kind} "${name}": ${read.error}`;
}

function secretProblem(read: Got<unknown>, namespace: string, name: string): string | undefined {
  if (read.ok) return undefined;
  if (read.status === 404) return `the Secret "${name}" does not exist in namespace "${namespace}": is the Cluster Agent in another namespace? (pass -n <namespace>)`;
  return `cannot read the Secret "${namespace}/${name}": ${read.error}`;
}

/** Microsecond wall clock (Date.now has only milliseconds). */
function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
