import {
  certificateHosts,
  isLegacyCluster,
  ServerVersionError,
  webhookPolicyWarnings,
  webhookTemplates,
  type AdmissionConfig,
  type AdmissionRegistrationVersion,
} from '@dd-admission/core';
import { describeKubeError, RESOURCES, type KubeClient } from '@dd-admission/kube';
import type { Clock } from '../clock.js';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import type { WebhookMetrics } from '../metrics.js';
import { tlsHolder, tlsMaterial, type TlsHolder, type TlsMaterial } from '../tls.js';
import { discoverAdmissionVersion, webhookConfigurationResource, type WebhookConfigurationJson } from './admission-api.js';
import { backoffDelay, DEFAULT_BACKOFF, pause, type Backoff } from './backoff.js';
import { generateCertificate, type CertificatePair, type GenerateOptions } from './certificate.js';
import { DEFAULT_LEASE_NAME, DEFAULT_LEASE_TIMINGS, startLeaderElection, type LeaderElection, type LeaseTimings } from './leader-election.js';
import { watchObject, type ObjectEvent, type ObjectWatch } from './object-watch.js';
import { createReconcileLoop } from './reconcile-loop.js';
import { secretReconciler } from './secret-controller.js';
import { secretPair, type SecretJson } from './secret-data.js';
import { webhookReconciler } from './webhook-controller.js';

// The start-up sequence of controllers spec §1, for several replicas: every
// replica watches the certificate Secret and serves the certificate it holds;
// only the leader of the Lease writes the Secret and the webhook configuration.
// Nothing here throws on an API server that is down or answers 5xx: each part
// retries with back-off and logs, and picks up where it was when the API returns.

export interface ControllerOptions {
  config: AdmissionConfig;
  /** The resources namespace (resourcesNamespace): Secret, Service and Lease live there. */
  namespace: string;
  client: KubeClient;
  /** This replica's name in the Lease (pod name). */
  identity: string;
  clock: Clock;
  logger: Logger;
  metrics?: WebhookMetrics;
  leaseName?: string;
  timings?: LeaseTimings;
  backoff?: Backoff;
  /** Pause between the v1 / v1beta1 discovery attempts; default 1 s (the agent's). */
  discoveryPauseMs?: number;
  /** Certificate generator; default the real RSA 2048 one. */
  generate?: (options: GenerateOptions) => Promise<CertificatePair>;
}

/** The running controllers of one replica. */
export interface RunningControllers {
  readonly apiVersion: AdmissionRegistrationVersion;
  /** Resolves with the certificate to serve once the Secret holds a valid pair; it follows the Secret afterwards. */
  readonly tls: Promise<TlsHolder>;
  isLeader(): boolean;
  /** Stops watching and writing, releases the lease. */
  stop(): Promise<void>;
}

/** Starts the controllers; resolves once the API version is known (retrying while the API server is unreachable). */
export async function startControllers(options: ControllerOptions): Promise<RunningControllers> {
  const { config, namespace, client, logger, clock } = options;
  const ac = config.admission_controller;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const secretName = ac.certificate.secret_name;
  const secretKey = `${namespace}/${secretName}`;
  const webhookName = ac.webhook_name;
  const stopper = new AbortController();
  const resyncMs = config.kubernetes_informers_resync_period * 1000;

  const legacy = ac.namespace_selector_fallback ? await legacyCluster(client, backoff, logger, stopper.signal) : false;
  const apiVersion = await discoverAdmissionVersion(client, webhookName, stopper.signal, options.discoveryPauseMs);
  logger.info(SITES.startControllers, `Using admissionregistration.k8s.io/${apiVersion} for the MutatingWebhookConfiguration ${webhookName}`);
  for (const warning of webhookPolicyWarnings(config)) logger.warn(SITES.startControllers, warning);
  const templates = webhookTemplates(config, { namespace, legacyNamespaceSelector: legacy });
  const webhookResource = webhookConfigurationResource(apiVersion);

  const election: LeaderElection = startLeaderElection({
    client,
    namespace,
    leaseName: options.leaseName ?? DEFAULT_LEASE_NAME,
    identity: options.identity,
    timings: options.timings ?? DEFAULT_LEASE_TIMINGS,
    clock,
    logger,
  });

  let secretWatch: ObjectWatch<SecretJson> | undefined;
  let webhookWatch: ObjectWatch<WebhookConfigurationJson> | undefined;
  const synced = () => (secretWatch?.hasSynced() ?? false) && (webhookWatch?.hasSynced() ?? false);
  // Only the leader writes, and only once it has seen what is in the cluster.
  const leaderOnly =
    (reconcile: () => Promise<void>) =>
    async (): Promise<void | 'skipped'> => {
      if (!election.isLeader() || !synced()) return 'skipped';
      await reconcile();
    };

  logger.info(SITES.secretRun, `Starting secrets controller for ${secretKey}`);
  const secretLoop = createReconcileLoop({
    key: secretKey,
    kind: 'Secret',
    reconcile: leaderOnly(
      secretReconciler({
        client,
        namespace,
        name: secretName,
        hosts: certificateHosts(ac.service_name, namespace),
        validityHours: ac.certificate.validity_bound,
        thresholdHours: ac.certificate.expiration_threshold,
        clock,
        logger,
        generate: options.generate ?? generateCertificate,
      }),
    ),
    logger,
    sites: { enqueue: SITES.secretEnqueue, process: SITES.secretProcess },
    backoff,
    onResult: (ok) => options.metrics?.reconcile('secrets', ok),
  });
  logger.info(SITES.webhookRun, `Starting webhook controller for ${webhookName} (admissionregistration.k8s.io/${apiVersion})`);
  const webhookLoop = createReconcileLoop({
    key: webhookName,
    kind: 'Webhook',
    reconcile: leaderOnly(webhookReconciler({ client, resource: webhookResource, name: webhookName, templates, secret: () => secretWatch?.current(), secretKey, logger })),
    logger,
    sites: { enqueue: SITES.webhookEnqueue, process: SITES.webhookProcess },
    backoff,
    onResult: (ok) => options.metrics?.reconcile('webhooks', ok),
  });

  const certificate = servedCertificate(secretKey, logger);
  secretWatch = watchObject<SecretJson>({
    client,
    resource: RESOURCES.secrets,
    namespace,
    name: secretName,
    resyncMs,
    logger,
    clock,
    backoff,
    onEvent: (event) => {
      // The served certificate changes first, then the webhook is pointed at it: a client that
      // trusts the new CA bundle never meets the old certificate on a new connection.
      if (event.type !== 'delete') certificate.offer(event.object);
      if (!election.isLeader()) return;
      secretLoop.enqueue(`secret ${event.type}`);
      if (event.type !== 'update' || changed(event)) webhookLoop.enqueue(`secret ${event.type}`);
    },
  });
  webhookWatch = watchObject<WebhookConfigurationJson>({
    client,
    resource: webhookResource,
    name: webhookName,
    resyncMs,
    logger,
    clock,
    backoff,
    onEvent: (event) => {
      if (election.isLeader() && (event.type !== 'update' || changed(event))) webhookLoop.enqueue(`webhook ${event.type}`);
    },
  });

  // Controller start (once the caches are filled) and every gain of leadership trigger both.
  const enqueueBoth = (reason: string) => {
    secretLoop.enqueue(reason);
    webhookLoop.enqueue(reason);
  };
  void Promise.all([secretWatch.synced, webhookWatch.synced]).then(() => {
    if (!stopper.signal.aborted) enqueueBoth('controller start');
  });
  const unsubscribe = election.onChange((leader) => {
    if (leader) enqueueBoth('leadership gained');
  });

  return {
    apiVersion,
    tls: certificate.first,
    isLeader: () => election.isLeader(),
    async stop() {
      stopper.abort();
      unsubscribe();
      secretWatch?.stop();
      webhookWatch?.stop();
      await Promise.all([secretLoop.stop(), webhookLoop.stop()]);
      await election.stop();
      certificate.close();
    },
  };
}

/** An update whose resourceVersion changed (not a resync or a re-list of the same object). */
function changed(event: ObjectEvent<{ metadata?: { resourceVersion?: string } }>): boolean {
  return event.type === 'update' && event.object.metadata?.resourceVersion !== event.previous.metadata?.resourceVersion;
}

/** The certificate the server serves, following the Secret; invalid pairs are refused (the last good one stays). */
function servedCertificate(secretKey: string, logger: Logger): { first: Promise<TlsHolder>; offer(secret: SecretJson): void; close(): void } {
  let holder: TlsHolder | undefined;
  let resolveFirst!: (holder: TlsHolder) => void;
  const first = new Promise<TlsHolder>((resolve) => (resolveFirst = resolve));
  return {
    first,
    offer(secret) {
      let material: TlsMaterial;
      try {
        const pair = secretPair(secret);
        material = tlsMaterial(pair.cert, pair.key);
      } catch (error) {
        logger.error(SITES.secretTls, `The certificate in secret ${secretKey} is not usable, keeping the one being served: ${(error as Error).message}`);
        return;
      }
      if (!holder) {
        holder = tlsHolder(material);
        logger.info(SITES.secretTls, `Serving the certificate of secret ${secretKey} (SHA-256 ${material.fingerprint}, valid until ${new Date(material.notAfter).toISOString()})`);
        resolveFirst(holder);
        return;
      }
      if (holder.current().fingerprint === material.fingerprint) return;
      holder.set(material);
      logger.info(SITES.secretTls, `Serving the new certificate of secret ${secretKey} (SHA-256 ${material.fingerprint}, valid until ${new Date(material.notAfter).toISOString()})`);
    },
    close: () => holder?.close(),
  };
}

/** Whether the cluster predates object selectors; network errors are retried, an unreadable version is fatal. */
async function legacyCluster(client: KubeClient, backoff: Backoff, logger: Logger, signal: AbortSignal): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    let version: { major: string; minor: string };
    try {
      version = await client.version();
    } catch (error) {
      const wait = backoffDelay(backoff, attempt);
      logger.warn(SITES.startControllers, `Cannot read the Kubernetes version for the namespace selector fallback: ${describeKubeError(error)}; retrying in ${wait}ms`);
      await pause(wait, signal);
      continue;
    }
    return isLegacyCluster(version);
  }
  throw new ServerVersionError('stopped before the Kubernetes version could be read');
}
