import { CERT_KEY, sameWebhooks, withCaBundle, type MutatingWebhook } from '@dd-admission/core';
import { apiVersionOf, isAlreadyExists, isConflict, type ApiResource, type KubeClient } from '@dd-admission/kube';
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

const ATTEMPTS = 3;

export interface WebhookControllerOptions {
  client: KubeClient;
  /** MutatingWebhookConfigurations in the admissionregistration version in use. */
  resource: ApiResource;
  /** metadata.name of the configuration. */
  name: string;
  /** Built once at start (webhookTemplates). */
  templates: readonly MutatingWebhook[];
  /** The certificate Secret as the Secret watch last saw it. */
  secret: () => SecretJson | undefined;
  secretKey: string;
  logger: Logger;
}

/** The reconcile function of the webhook controller (leadership is checked by the caller). */
export function webhookReconciler(options: WebhookControllerOptions): () => Promise<void> {
  const { client, resource, name, logger } = options;
  return async () => {
    const secret = options.secret();
    if (!secret) throw new Error(`secret ${options.secretKey} was not found, aborting the reconciliation`);
    // Throws when cert.pem is missing or unreadable: the current CA bundle stays.
    secretPair(secret);
    const desired = withCaBundle(options.templates, secret.data![CERT_KEY]!);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await client.find<WebhookConfigurationJson>(resource, name);
      try {
        if (!current) {
          logger.info(SITES.webhookReconcile, `The Webhook ${name} was not found, creating it`);
          await client.create(resource, { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { name }, webhooks: desired });
          return;
        }
        if (sameWebhooks(current.webhooks, desired)) {
          logger.debug(SITES.webhookReconcile, `The Webhook ${name} is up-to-date, doing nothing`);
          return;
        }
        logger.debug(SITES.webhookReconcile, `The Webhook ${name} was found, updating it`);
        await client.replace(resource, { ...current, webhooks: desired });
        return;
      } catch (error) {
        if (!isConflict(error) && !isAlreadyExists(error)) throw error;
        logger.debug(SITES.webhookReconcile, `Webhook ${name} changed while being written (attempt ${attempt}), reading it again`);
      }
    }
    throw new Error(`webhook ${name} kept changing while being written (${ATTEMPTS} attempts)`);
  };
}
