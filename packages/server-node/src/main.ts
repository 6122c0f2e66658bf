// The process entry point: the only module that reads argv, env, signals and the
// standard streams; everything else gets what it needs as parameters.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { formatAgentVersion, installFacts, resourcesNamespace, type AdmissionConfig } from '@dd-admission/core';
import { connectKube, type KubeClient } from '@dd-admission/kube';
import { ArgsError, checkTlsSource, controllersEnabled, parseServerArgs, USAGE, type ServerArgs } from './args.js';
import { systemClock } from './clock.js';
import type { RunningControllers } from './controllers/start.js';
import { devBanner, sampleReview, writeDevFiles } from './dev-banner.js';
import { kubeOwnerFetch } from './kube-owner-fetch.js';
import { SITES } from './log-lines.js';
import { createLogger, toLogLevel, type Logger } from './logger.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { createOwnerLookup } from './owner-lookup.js';
import { createWebhookServer, webhookRoutes } from './server.js';
import { loadConfig, resolveAgentNamespace, SettingsError, type LoadedConfig } from './settings.js';
import { staticTls, watchTlsFiles, type TlsSource } from './tls.js';

const readText = (path: string) => readFile(path, 'utf8');
/** Kubernetes updates mounted Secrets within about a minute; checking every few seconds is plenty. */
const TLS_POLL_MS = 5_000;

/** Runs the server until a signal stops it. */
async function main(): Promise<void> {
  const args = parseOrExit(process.argv.slice(2));
  const loaded = await loadConfig({ configFile: args.configFile, env: process.env, readFile: readText, agentVersion: args.agentVersion }).catch(exitOnSettingsError);
  const withControllers = controllersEnabled(args, loaded.config.admission_controller.enabled);
  checkTlsOrExit(args, withControllers);
  const logger = createLogger({ level: logLevel(args, loaded), format: args.logFormat, sink: (line) => process.stdout.write(`${line}\n`), clock: systemClock });
  installCrashGuards(logger);
  for (const warning of loaded.warnings) logger.warn(SITES.main, `Configuration: ${warning}`);
  logger.info(SITES.main, `Emulating Cluster Agent ${formatAgentVersion(loaded.agentVersion.version)} (${loaded.agentVersion.origin})`);

  const { config } = loaded;
  const agentNamespace = await resolveAgentNamespace(args.agentNamespace, process.env, readText);
  // Closed in reverse order on a signal: the server, its certificate, then the controllers (which release the lease).
  const closers: (() => unknown)[] = [];
  stopOnSignals(logger, async () => {
    for (const close of closers.reverse()) await close();
  });
  const metrics = createMetrics({ processMetrics: true });
  // One Kubernetes client for the controllers and the owner lookups, connected on first use.
  let connecting: Promise<KubeClient> | undefined;
  const kube = () => (connecting ??= connectKube({ ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}), env: process.env }));
  const controllers = withControllers ? await startAdmissionControllers(kube, config, agentNamespace, logger, metrics) : undefined;
  if (controllers) closers.push(() => controllers.stop());
  else if (!args.dev && !config.admission_controller.enabled) {
    logger.info(SITES.startAdmission, 'Admission controller is disabled: the certificate Secret and webhook configuration controllers do not run (admission_controller.enabled is false)');
  }
  const tls = await tlsSource(args, config, agentNamespace, logger, controllers);
  closers.push(() => tls.close());
  const ownerLookup = createOwnerLookup({
    fetch: kubeOwnerFetch(kube),
    ttlMs: config.admission_controller.pod_owners_cache_validity * 60_000,
    clock: systemClock,
    onCacheResult: metrics.ownerCache,
  });
  const install = installFacts(process.env, Math.floor(systemClock.now() / 1000));
  const server = createWebhookServer({ config, tls, logger, metrics, ownerLookup, clock: systemClock, agentNamespace, install, ...(args.maxBodyBytes ? { maxBodyBytes: args.maxBodyBytes } : {}) });
  const address = await server.listen(args.port ?? config.admission_controller.port, args.host).catch((error: Error) => {
    logger.error(SITES.run, `Could not start the admission controller webhook server: ${error.message}`);
    process.exit(1);
  });
  closers.push(() => server.close());
  if (args.dev) await printDevBanner(tls.current().cert, address.port, [...webhookRoutes(config).keys()]);
}

function checkTlsOrExit(args: ServerArgs, withControllers: boolean): void {
  try {
    checkTlsSource(args, withControllers);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    process.stderr.write(`dd-admission-webhook: ${error.message}\nRun dd-admission-webhook --help for the options.\n`);
    process.exit(2);
  }
}

/** The controllers of controllers spec §1; a client or configuration problem ends the process (as the agent's start-up error does). */
async function startAdmissionControllers(
  kube: () => Promise<KubeClient>,
  config: AdmissionConfig,
  agentNamespace: string,
  logger: Logger,
  metrics: WebhookMetrics,
): Promise<RunningControllers> {
  try {
    const client = await kube();
    // The pod name: unique among replicas, and the same after a restart of the same pod.
    const identity = hostname();
    // The controllers and the certificate library load only when they run: memory a server without them never pays.
    const { startControllers } = await import('./controllers/start.js');
    return await startControllers({ config, namespace: resourcesNamespace(config, agentNamespace), client, identity, clock: systemClock, logger, metrics });
  } catch (error) {
    logger.error(SITES.startAdmission, `Could not start admission controller: ${(error as Error).message}`);
    process.exit(1);
  }
}

function parseOrExit(argv: string[]): ServerArgs {
  let args: ServerArgs;
  try {
    args = parseServerArgs(argv);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    process.stderr.write(`dd-admission-webhook: ${error.message}\nRun dd-admission-webhook --help for the options.\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return args;
}

function exitOnSettingsError(error: unknown): never {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`dd-admission-webhook: configuration error:\n${error.message}\n`);
  process.exit(1);
}

/** `log_level` / DD_LOG_LEVEL; in --dev, debug unless set, so the injection lines show. */
function logLevel(args: ServerArgs, loaded: LoadedConfig) {
  if (args.dev && loaded.logLevelOrigin === 'default') return 'debug';
  return toLogLevel(loaded.config.log_level);
}

async function tlsSource(args: ServerArgs, config: AdmissionConfig, namespace: string, logger: Logger, controllers: RunningControllers | undefined): Promise<TlsSource> {
  if (args.tlsCert && args.tlsKey) {
    try {
      return await watchTlsFiles({ certFile: args.tlsCert, keyFile: args.tlsKey, pollMs: TLS_POLL_MS, logger });
    } catch (error) {
      logger.error(SITES.tls, `Could not load the TLS certificate from ${args.tlsCert} and ${args.tlsKey}: ${(error as Error).message}`);
      process.exit(1);
    }
  }
  if (controllers) {
    const secret = `${resourcesNamespace(config, namespace)}/${config.admission_controller.certificate.secret_name}`;
    logger.info(SITES.secretTls, `Waiting for the certificate Secret ${secret} before serving`);
    return controllers.tls;
  }
  const { devCertificateHosts, generateDevCertificate } = await import('./dev-certificate.js');
  const material = await generateDevCertificate({ hosts: devCertificateHosts(config.admission_controller.service_name, namespace), clock: systemClock });
  logger.info(SITES.devCertificate, `Generated an in-memory self-signed certificate (SHA-256 ${material.fingerprint})`);
  return staticTls(material);
}

async function printDevBanner(caPem: string, port: number, paths: string[]): Promise<void> {
  // Files are a convenience for the curl line; without a writable /tmp the banner still has everything.
  const files = await writeDevFiles(caPem, sampleReview(randomUUID())).catch(() => undefined);
  process.stderr.write(devBanner({ caPem, port, paths, ...(files ? { files } : {}) }));
}

function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(SITES.main, `Received ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(SITES.main, `Received ${signal}, shutting down`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(SITES.main, `Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Handlers guard their own errors; these only make sure a stray one is logged, never silent. */
function installCrashGuards(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(SITES.main, `Unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    logger.critical(SITES.main, `Uncaught exception, exiting: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}

await main().catch((error: unknown) => {
  process.stderr.write(`dd-admission-webhook: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
