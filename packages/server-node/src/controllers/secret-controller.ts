import { certificateDecision, type CertificateFacts } from '@dd-admission/core';
import { isAlreadyExists, isConflict, RESOURCES, type KubeClient } from '@dd-admission/kube';
import type { Clock } from '../clock.js';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import { readCertificate, type CertificatePair, type GenerateOptions } from './certificate.js';
import { secretData, secretPair, type SecretJson } from './secret-data.js';

// The certificate Secret controller's reconcile (controllers spec §2.3): create
// the Secret when missing, regenerate the pair when it expires within the
// threshold or names the wrong hosts, else nothing. Each attempt starts from a
// fresh read, so a conflict (another writer was first) is retried on what is
// really stored. A Secret whose certificate cannot be read is an error, never
// silently overwritten (as in the agent).

const ATTEMPTS = 3;

export interface SecretControllerOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** The service host names the certificate must carry. */
  hosts: readonly string[];
  validityHours: number;
  thresholdHours: number;
  clock: Clock;
  logger: Logger;
  /** Makes a new pair (the real generator; tests may wrap it). */
  generate: (options: GenerateOptions) => Promise<CertificatePair>;
}

/** The reconcile function of the Secret controller (leadership is checked by the caller). */
export function secretReconciler(options: SecretControllerOptions): () => Promise<void> {
  const { client, namespace, name, logger } = options;
  const where = `${namespace}/${name}`;

  const newPair = () => {
    const now = options.clock.now();
    return options.generate({ hosts: options.hosts, notBefore: now - 5 * 60_000, notAfter: now + options.validityHours * 3_600_000 });
  };

  return async () => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const secret = await client.find<SecretJson>(RESOURCES.secrets, name, { namespace });
      const facts: CertificateFacts | undefined = secret ? readCertificate(secretPair(secret).cert) : undefined;
      const decision = certificateDecision(facts, options.hosts, options.clock.now(), options.thresholdHours);
      if (decision.action === 'keep') {
        logger.debug(SITES.secretReconcile, `The certificate is up-to-date, doing nothing. ${decision.reason}`);
        return;
      }
      const data = secretData(await newPair());
      try {
        if (!secret) {
          await client.create(RESOURCES.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data });
          logger.info(SITES.secretReconcile, `Created the certificate Secret ${where}`);
        } else {
          logger.info(SITES.secretReconcile, `Refreshing the certificate of Secret ${where}: ${decision.reason}`);
          // The whole data is replaced; the rest of the object is kept.
          await client.replace(RESOURCES.secrets, { ...secret, data }, { namespace });
        }
        return;
      } catch (error) {
        if (!isConflict(error) && !isAlreadyExists(error)) throw error;
        logger.debug(SITES.secretReconcile, `Secret ${where} changed while being written (attempt ${attempt}), reading it again`);
      }
    }
    throw new Error(`secret ${where} kept changing while being written (${ATTEMPTS} attempts)`);
  };
}
