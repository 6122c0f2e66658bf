import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { admissionStatus, defaultConfig, renderStatus, type AdmissionConfig, type StatusSecret, type StatusWebhookConfiguration } from '@dd-admission/core';
import { z } from 'zod';
import { agentVersionOption } from './agent-version-option.js';
import { optionsWithoutFile, readCommandLine } from './command-line.js';
import { STATUS_FORMATS } from './commands.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

// `dd-mutate status`: the "Admission Controller" section of the cluster agent's
// `agent status`, read from the cluster of a kubeconfig context. The Kubernetes
// client is imported only here and only when the command runs, so the offline
// preview never loads it.

type K8s = typeof import('@kubernetes/client-node');
type KubeConfig = import('@kubernetes/client-node').KubeConfig;

export const STATUS_USAGE = `Usage: dd-mutate status [--kubeconfig <file>] [--context <name>] [-n <namespace>] [-o text|json]

Prints the Admission Controller section of the Cluster Agent's \`agent status\`, read
from the cluster: the MutatingWebhookConfiguration (webhooks, CA bundle digests,
object selectors, rules, services) and the certificate Secret (CA bundle digest,
time before the certificate expires). When the digests differ, the webhook does not
trust the certificate the Cluster Agent serves.

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
  let values: Record<string, unknown>;
  try {
    values = optionsWithoutFile('status', readCommandLine('status', argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`status: ${error.message}`);
  }
  const parsed = statusOptionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(`status: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** What `status` needs from the outside world beyond the CLI's Io (defaults: the real ones). */
export interface StatusIo extends Pick<Io, 'stdout' | 'stderr' | 'env'> {
  fileExists?: (path: string) => boolean;
  /** Wall-clock time in nanoseconds since the epoch. */
  nowNs?: () => bigint;
  loadClient?: () => Promise<K8s>;
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
    if (!(error instanceof StatusError)) throw error;
    io.stderr.write(`dd-mutate: ${error.message}\n`);
    return 1;
  }
}

async function status(options: StatusOptions, io: StatusIo): Promise<number> {
  const k8s = await loadClient(io);
  const kc = loadKubeconfig(k8s, options, io);
  const server = kc.getCurrentCluster()?.server ?? '';
  const config = options.config ?? defaultConfig(options.agentVersion);
  const ac = config.admission_controller;
  const webhookName = options.webhookName ?? ac.webhook_name;
  const secretName = options.secretName ?? ac.certificate.secret_name;
  const namespace = options.namespace ?? (config.kube_resources_namespace || contextNamespace(kc) || 'default');
  const api = clients(k8s, kc, options.timeoutMs ?? 10_000);

  const [webhook, secret] = await Promise.all([readWebhookConfiguration(api, webhookName), readSecret(api, namespace, secretName)]);
  if (!webhook.ok && !secret.ok && webhook.status === undefined && secret.status === undefined) {
    throw new StatusError(`cannot reach the Kubernetes API server at ${server}: ${webhook.error}`);
  }
  const snapshot = admissionStatus({
    enabled: true,
    webhookName,
    namespace,
    secretName,
    webhookConfiguration: webhook.ok ? { ok: true, object: webhook.object } : { ok: false, error: webhook.error },
    secret: secret.ok ? { ok: true, object: secret.object } : { ok: false, error: secret.error },
    ...(secret.ok ? notAfterOf(secret.object) : {}),
    nowNs: (io.nowNs ?? wallClockNs)(),
  });
  io.stdout.write(options.output === 'json' ? `${JSON.stringify(snapshot, null, 2)}\n` : renderStatus(snapshot));
  const problems = [webhookProblem(webhook, webhookName), secretProblem(secret, namespace, secretName)].filter((p): p is string => p !== undefined);
  for (const problem of problems) io.stderr.write(`dd-mutate: ${problem}\n`);
  return problems.length > 0 ? 1 : 0;
}

async function loadClient(io: StatusIo): Promise<K8s> {
  try {
    return await (io.loadClient ?? (() => import('@kubernetes/client-node')))();
  } catch (error) {
    throw new StatusError(`status needs the Kubernetes client @kubernetes/client-node, which cannot be loaded: ${(error as Error).message}`);
  }
}

/** The kubeconfig as kubectl finds it; a clear error when there is none. */
function loadKubeconfig(k8s: K8s, options: StatusOptions, io: StatusIo): KubeConfig {
  const exists = io.fileExists ?? existsSync;
  const kc = new k8s.KubeConfig();
  const env = io.env;
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter((f) => f !== '');
  const home = env.HOME ?? env.USERPROFILE;
  const inCluster = env.KUBERNETES_SERVICE_HOST !== undefined && exists('/var/run/secrets/kubernetes.io/serviceaccount/token');
  try {
    if (options.kubeconfig !== undefined) {
      if (!exists(options.kubeconfig)) throw new StatusError(`cannot read the kubeconfig ${options.kubeconfig}: no such file`);
      kc.loadFromFile(options.kubeconfig);
    } else if (fromEnv.some((f) => exists(f))) {
      kc.loadFromFile(fromEnv.find((f) => exists(f))!);
    } else if (home !== undefined && exists(`${home}/.kube/config`)) {
      kc.loadFromFile(`${home}/.kube/config`);
    } else if (inCluster) {
      kc.loadFromCluster();
    } else {
      throw new StatusError('no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig <file>');
    }
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(`cannot load the kubeconfig: ${firstLine((error as Error).message)}`);
  }
  if (options.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) throw new StatusError(`context "${options.context}" not found in the kubeconfig (contexts: ${names.join(', ') || 'none'})`);
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new StatusError(`the kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
  return kc;
}

function contextNamespace(kc: KubeConfig): string | undefined {
  return kc.getContextObject(kc.getCurrentContext())?.namespace;
}

interface Clients {
  core: import('@kubernetes/client-node').CoreV1Api;
  admission: import('@kubernetes/client-node').AdmissionregistrationV1Api;
  objects: import('@kubernetes/client-node').KubernetesObjectApi;
}

function clients(k8s: K8s, kc: KubeConfig, timeoutMs: number): Clients {
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        // An API server that accepts connections but never answers must not hang the command.
        pre: async (context) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return context;
        },
        post: async (response) => response,
      },
    ],
  });
  return { core: new k8s.CoreV1Api(configuration), admission: new k8s.AdmissionregistrationV1Api(configuration), objects: new k8s.KubernetesObjectApi(configuration) };
}

/** A GET's outcome; `status` is the HTTP status of a failure (undefined: no answer at all). */
type Got<T> = { ok: true; object: T } | { ok: false; error: string; status?: number; reason?: string };

const UNSERVED = 'the server could not find the requested resource';

async function readWebhookConfiguration(api: Clients, name: string): Promise<Got<StatusWebhookConfiguration>> {
  const v1 = await got<StatusWebhookConfiguration>(() => api.admission.readMutatingWebhookConfiguration({ name }));
  // A cluster older than 1.16 has only v1beta1 (the agent reads the version it discovered).
  if (v1.ok || v1.status !== 404 || v1.error !== UNSERVED) return v1;
  return got<StatusWebhookConfiguration>(() => api.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'MutatingWebhookConfiguration', metadata: { name } }));
}

function readSecret(api: Clients, namespace: string, name: string): Promise<Got<StatusSecret>> {
  return got<StatusSecret>(() => api.core.readNamespacedSecret({ name, namespace }));
}

async function got<T>(call: () => Promise<unknown>): Promise<Got<T>> {
  try {
    // Typed objects back to the API's JSON (dates as text, []byte as base64).
    return { ok: true, object: JSON.parse(JSON.stringify(await call())) as T };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): { ok: false; error: string; status?: number; reason?: string } {
  const e = error as { code?: unknown; body?: unknown; message?: string; name?: string };
  if (typeof e.code === 'number') {
    const body = statusBody(e.body);
    return { ok: false, error: body?.message ?? `the API server answered HTTP ${e.code}`, status: e.code, ...(body?.reason ? { reason: body.reason } : {}) };
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { ok: false, error: 'no answer in time' };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = firstLine(e.message ?? String(error));
  return { ok: false, error: code && !message.includes(code) ? `${message} (${code})` : message };
}

function statusBody(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body === 'object' && body !== null) return body as { message?: string; reason?: string };
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as { message?: string; reason?: string };
  } catch {
    return undefined;
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

function webhookProblem(read: Got<unknown>, name: string): string | undefined {
  if (read.ok) return undefined;
  if (read.status === 404) {
    return `the MutatingWebhookConfiguration "${name}" does not exist: the Cluster Agent has not created it (is admission_controller.enabled / clusterAgent.admissionController.enabled set, and is the Cluster Agent running?)`;
  }
  return `cannot read the MutatingWebhookConfiguration "${name}": ${read.error}`;
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

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
