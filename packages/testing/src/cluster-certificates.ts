import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '@dd-admission/core';

// The webhook certificates of the seeded clusters (clusters/*.pem, made by
// clusters/make-certificates.mjs), and the certificate reader the doctor is
// given in tests: the adapters read certificates with node:crypto, the core
// takes the reader as a parameter.

/** The certificates in clusters/. */
export type ClusterCertificate = 'webhook' | 'other-webhook' | 'default-namespace' | 'expired' | 'serving';

/** The PEM text of a seeded cluster certificate. */
export function clusterCertificate(name: ClusterCertificate): string {
  return readFileSync(new URL(`../clusters/${name}.pem`, import.meta.url), 'utf8');
}

/** The private key of the `serving` certificate: a real webhook server serves that pair in live tests. */
export function servingKey(): string {
  return readFileSync(new URL('../clusters/serving-key.pem', import.meta.url), 'utf8');
}

/** NotAfter and DNS names of a PEM certificate, as the doctor needs them; throws when the text is not a certificate. */
export function readCertificateFacts(pem: string): CertificateFacts {
  const cert = new X509Certificate(pem);
  const dnsNames = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice('DNS:'.length));
  return { notAfter: Date.parse(cert.validTo), dnsNames };
}
