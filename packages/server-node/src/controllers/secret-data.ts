import { CERT_KEY, PRIVATE_KEY_KEY } from '@dd-admission/core';
import { CertificateReadError, readCertificate, type CertificatePair } from './certificate.js';

/** A Secret as plain JSON (data values in base64). */
export interface SecretJson {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; [key: string]: unknown };
  type?: string;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** The PEM pair of the Secret; throws CertificateReadError when a key is missing or cert.pem is not a certificate. */
export function secretPair(secret: SecretJson): CertificatePair {
  const where = `secret ${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  const cert = secret.data?.[CERT_KEY];
  const key = secret.data?.[PRIVATE_KEY_KEY];
  if (!cert) throw new CertificateReadError(`${where} has no ${CERT_KEY}`);
  if (!key) throw new CertificateReadError(`${where} has no ${PRIVATE_KEY_KEY}`);
  const pair = { cert: Buffer.from(cert, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') };
  try {
    readCertificate(pair.cert);
  } catch (error) {
    throw new CertificateReadError(`${where}: ${(error as Error).message}`);
  }
  return pair;
}

/** The Secret's `data` for a pair: exactly cert.pem and key.pem. */
export function secretData(pair: CertificatePair): Record<string, string> {
  return { [CERT_KEY]: Buffer.from(pair.cert).toString('base64'), [PRIVATE_KEY_KEY]: Buffer.from(pair.key).toString('base64') };
}
