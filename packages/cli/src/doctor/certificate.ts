import { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '@dd-admission/core';

// The certificate reader the core's doctor takes as a parameter (the core
// imports nothing from node:): NotAfter and the DNS names of a PEM certificate.

/** What the certificate check reads of `pem`; throws when it is not a certificate. */
export function readCertificate(pem: string): CertificateFacts {
  const cert = new X509Certificate(pem);
  const names = (cert.subjectAltName ?? '').split(', ');
  return { notAfter: Date.parse(cert.validTo), dnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice('DNS:'.length)) };
}
