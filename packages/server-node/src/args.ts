import { parseArgs } from 'node:util';
import type { LogFormat } from './logger.js';

/** The command line of `dd-admission-webhook`. */
export interface ServerArgs {
  help: boolean;
  dev: boolean;
  /** Overrides `admission_controller.port`; 0 picks a free port. */
  port?: number;
  host?: string;
  configFile?: string;
  logFormat: LogFormat;
  agentNamespace?: string;
  maxBodyBytes?: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Kubeconfig of the controllers (default: KUBECONFIG, ~/.kube/config, else in-cluster). */
  kubeconfig?: string;
  /** Do not run the controllers even when admission_controller.enabled is true. */
  noControllers?: boolean;
  /** The Cluster Agent release to emulate (validated with the configuration). */
  agentVersion?: string;
}

/** A command line we cannot run with (exit code 2). */
export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

export const USAGE = `Usage: dd-admission-webhook [options]

The Datadog Cluster Agent admission webhook (config, tags and library
injection) as a standalone HTTPS server, as Cluster Agent 7.49 to 7.78 run it.

Options:
  --dev                    run without a cluster: an in-memory self-signed
                           certificate; prints the CA bundle and a curl line
  --tls-cert <file>        PEM certificate (chain) to serve; reloaded on change
  --tls-key <file>         PEM private key of --tls-cert; reloaded on change
  --kubeconfig <file>      cluster of the controllers and owner lookups (default:
                           KUBECONFIG, ~/.kube/config, else the pod's service account)
  --no-controllers         do not run the certificate Secret, webhook
                           configuration and leader election controllers
  --port <n>               listen port (default admission_controller.port, 8000;
                           0 picks a free port and prints it)
  --host <address>         listen address (default: all interfaces)
  --config <file>          a datadog.yaml with admission_controller.* keys;
                           DD_* environment variables override it
  --log-format <text|json> cluster agent log lines or JSON lines (default text)
  --agent-namespace <ns>   namespace the server runs in (default: read from the
                           service account, else "default")
  --max-body-bytes <n>     largest AdmissionReview accepted (default 3145728)
  --agent-version <X.Y[.Z]>
                           Cluster Agent release to emulate, 7.49 to 7.78.x
                           (default: DD_ADMISSION_AGENT_VERSION, else the newest)
  -h, --help               show this help

With admission_controller.enabled (DD_ADMISSION_CONTROLLER_ENABLED=true) the
controllers keep the webhook-certificate Secret and the datadog-webhook
MutatingWebhookConfiguration in the cluster (the leader of a Lease writes,
every replica serves the Secret's certificate). Otherwise --tls-cert and
--tls-key are required unless --dev is given.
The log level is log_level / DD_LOG_LEVEL (default info; debug in --dev).`;

/** Parses argv (without node and the script); throws ArgsError with a message for the user. */
export function parseServerArgs(argv: readonly string[]): ServerArgs {
  // `pnpm start -- --dev` passes the separator through.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        dev: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        'log-format': { type: 'string' },
        'agent-namespace': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        kubeconfig: { type: 'string' },
        'no-controllers': { type: 'boolean' },
        'agent-version': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new ArgsError((error as Error).message);
  }
  const parsed: ServerArgs = {
    help: values.help === true,
    dev: values.dev === true,
    logFormat: logFormat(values['log-format'] as string | undefined),
    ...optional('port', integer('--port', values.port as string | undefined, 0, 65535)),
    ...optional('host', values.host as string | undefined),
    ...optional('configFile', values.config as string | undefined),
    ...optional('agentNamespace', values['agent-namespace'] as string | undefined),
    ...optional('maxBodyBytes', integer('--max-body-bytes', values['max-body-bytes'] as string | undefined, 1, Number.MAX_SAFE_INTEGER)),
    ...optional('tlsCert', values['tls-cert'] as string | undefined),
    ...optional('tlsKey', values['tls-key'] as string | undefined),
    ...optional('kubeconfig', values.kubeconfig as string | undefined),
    ...optional('noControllers', values['no-controllers'] === true ? true : undefined),
    ...optional('agentVersion', values['agent-version'] as string | undefined),
  };
  if (parsed.help) return parsed;
  if ((parsed.tlsCert === undefined) !== (parsed.tlsKey === undefined)) throw new ArgsError('--tls-cert and --tls-key go together');
  return parsed;
}

/** Whether the controllers run: admission_controller.enabled, not --dev, not --no-controllers. */
export function controllersEnabled(args: ServerArgs, admissionControllerEnabled: boolean): boolean {
  return admissionControllerEnabled && !args.dev && args.noControllers !== true;
}

/** Throws unless the server has a certificate to serve: files, --dev, or the controllers' Secret. */
export function checkTlsSource(args: ServerArgs, controllers: boolean): void {
  if (args.dev || args.tlsCert !== undefined || controllers) return;
  throw new ArgsError('--tls-cert and --tls-key are required (or --dev for an in-memory certificate, or admission_controller.enabled for the certificate Secret)');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ArgsError(`${flag} expects a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new ArgsError(`${flag} must be between ${min} and ${max}, got ${text}`);
  return n;
}

function logFormat(text: string | undefined): LogFormat {
  if (text === undefined || text === 'text') return 'text';
  if (text === 'json') return 'json';
  throw new ArgsError(`--log-format expects text or json, got "${text}"`);
}
