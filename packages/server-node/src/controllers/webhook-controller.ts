import { CERT_KEY, sameWebhooks, withCaBundle, type ValidatingWebhook } from '@dd-admission/core';
import { apiVersionOf, describeKubeError, isAlreadyExists, isConflict, isNotFound, type ApiResource, type KubeClient } from '@dd-admission/kube';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import type { WebhookConfigurationJson } from './admission-api.js';
import { secretPair, type SecretJson } from './secret-data.js';

// The webhook controller's reconcile (controllers spec §3.1): the configuration
// named <webhook_name> holds exactly the templates with the Secret's cert.pem as
// CA bundle. Created when missing; otherwise its whole `webhooks` list is
// replaced (a manual edit is reverted), the rest of the object kept. Unlike the
// agent it writes only when something differs, and never a CA bundle that is
// not a readable certificate: a broken Secret leaves the webhook as it was.
// Since 7.61 there are two kinds, reconciled one after the other; since 7.63 a
// disabled kind is deleted (webhooks-7.78 §1).

const ATTEMPTS = 3;

/** A write the API server refused: the agent logs `Failed to <action> <label> <name>: <error>`. */
export class WebhookWriteError extends Error {
  constructor(
    readonly action: 'create' | 'update' | 'delete',
    override readonly cause: unknown,
  ) {
    super(describeKubeError(cause));
    this.name = 'WebhookWriteError';
  }
}

export interface WebhookControllerOptions {
  client: KubeClient;
  /** Mutating or Validating WebhookConfigurations in the admissionregistration version in use. */
  resource: ApiResource;
  /** metadata.name of the configuration. */
  name: string;
  /** Built once at start (webhookTemplates / validatingWebhookTemplates). */
  templates: readonly ValidatingWebhook[];
  /** The certificate Secret as the Secret watch last saw it. */
  secret: () => SecretJson | undefined;
  secretKey: string;
  logger: Logger;
  /** How log lines name the object: `Webhook` (7.49, the default), `Mutating Webhook` or `Validating Webhook`. */
  label?: string;
}

/** The reconcile function of one configuration (leadership is checked by the caller). */
export function webhookReconciler(options: WebhookControllerOptions): () => Promise<void> {
  const { client, resource, name, logger } = options;
  const label = options.label ?? 'Webhook';
  // 7.49 says "The Webhook", later agents "Mutating Webhook".
  const subject = label === 'Webhook' ? `The Webhook ${name}` : `${label} ${name}`;
  return async () => {
    const desired = withCaBundle(options.templates, caBundleOf(options.secret(), options.secretKey));
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await client.find<WebhookConfigurationJson>(resource, name);
      try {
        if (!current) {
          logger.info(SITES.webhookReconcile, `${subject} was not found, creating it`);
          await write('create', () => client.create(resource, { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { name }, webhooks: desired }));
          return;
        }
        if (sameWebhooks(current.webhooks, desired)) {
          logger.debug(SITES.webhookReconcile, `${subject} is up-to-date, doing nothing`);
          return;
        }
        logger.debug(SITES.webhookReconcile, `${subject} was found, updating it`);
        await write('update', () => client.replace(resource, { ...current, webhooks: desired }));
        return;
      } catch (error) {
        const cause = error instanceof WebhookWriteError ? error.cause : error;
        if (!isConflict(cause) && !isAlreadyExists(cause)) throw error;
        logger.debug(SITES.webhookReconcile, `${label} ${name} changed while being written (attempt ${attempt}), reading it again`);
      }
    }
    throw new Error(`${label.toLowerCase()} ${name} kept changing while being written (${ATTEMPTS} attempts)`);
  };
}

/** The CA bundle to write; throws when the Secret is missing or its cert.pem unreadable (the current bundle stays). */
function caBundleOf(secret: SecretJson | undefined, secretKey: string): string {
  if (!secret) throw new Error(`secret ${secretKey} was not found, aborting the reconciliation`);
  secretPair(secret);
  return secret.data![CERT_KEY]!;
}

async function write(action: WebhookWriteError['action'], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw new WebhookWriteError(action, error);
  }
}

/** 7.63: deletes a disabled kind when it exists; `key` is the switch (`mutation`, `validation`). */
export function webhookDeleter(client: KubeClient, resource: ApiResource, name: string, label: string, key: string, logger: Logger): () => Promise<void> {
  return async () => {
    if (!(await client.find(resource, name))) return;
    logger.info(SITES.webhookReconcile, `Deleting ${label} ${name}: admission_controller.${key}.enabled is false`);
    // Gone in between is as good as deleted.
    await write('delete', () => client.delete(resource, name).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error))));
  };
}

/** One kind of configuration in a two-kind reconcile. */
export interface ConfigurationPart {
  /** `Mutating Webhook` or `Validating Webhook`. */
  label: string;
  reconcile: () => Promise<void>;
}

/**
 * 7.61: the kinds in turn, once the Secret is there; one that fails is logged as the agent does
 * and does not stop the next. Unlike the agent, which drops the failure, the reconcile then fails
 * so it is retried.
 */
export function configurationsReconciler(
  parts: readonly ConfigurationPart[],
  options: Pick<WebhookControllerOptions, 'name' | 'secret' | 'secretKey' | 'logger'>,
): () => Promise<void> {
  const { name, logger } = options;
  return async () => {
    caBundleOf(options.secret(), options.secretKey);
    const failed: string[] = [];
    for (const part of parts) {
      try {
        await part.reconcile();
      } catch (error) {
        const action = error instanceof WebhookWriteError ? error.action : 'reconcile';
        const message = error instanceof WebhookWriteError ? error.message : describeKubeError(error);
        logger.error(SITES.webhookReconcile, `Failed to ${action} ${part.label} ${name}: ${message}`);
        failed.push(`${part.label}: ${message}`);
      }
    }
    if (failed.length > 0) throw new Error(failed.join('; '));
  };
}
