// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect
// metadata API; this import must come first (ES modules evaluate in import order).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { CERTIFICATE_KEY_BITS, CERTIFICATE_ORGANIZATION, subjectAltNames, type CertificateFacts } from '@dd-admission/core';

// The webhook certificate as the cluster agent makes it (controllers spec §2.2):
// a new RSA 2048 key each time, a self-signed certificate that is its own CA,
// subject O=Datadog, a random serial below 2^128, server authentication, the
// service's DNS names. The key is PKCS#1 (`RSA PRIVATE KEY`), as Go writes it.

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: CERTIFICATE_KEY_BITS } as const;

export interface GenerateOptions {
  /** Service host names; one that parses as an IP goes to the IP SANs. */
  hosts: readonly string[];
  /** Epoch ms. */
  notBefore: number;
  notAfter: number;
}

/** PEM certificate and key, the Secret's `cert.pem` and `key.pem`. */
export interface CertificatePair {
  cert: string;
  key: string;
}

/** Generates a new key and self-signed certificate. */
export async function generateCertificate(options: GenerateOptions): Promise<CertificatePair> {
  // The provider is set per call, not at import: it is @peculiar/x509's process-wide default.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as unknown as x509.X509CertificateCreateSelfSignedParams['keys'];
  const { dnsNames, ipAddresses } = subjectAltNames(options.hosts);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `O=${CERTIFICATE_ORGANIZATION}`,
    notBefore: new Date(options.notBefore),
    notAfter: new Date(options.notAfter),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ipAddresses.map((value) => ({ type: 'ip' as const, value }))]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }).toString();
  return { cert: cert.toString('pem'), key };
}

/** A random positive serial below 2^128, in hex. */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** `cert.pem` does not hold a certificate we can read. */
export class CertificateReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateReadError';
  }
}

/** NotAfter and DNS names of the first certificate of a PEM text. */
export function readCertificate(pem: string): CertificateFacts {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new CertificateReadError(`cannot decode the certificate: ${(error as Error).message}`);
  }
  const dnsNames = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return { notAfter: Date.parse(cert.validTo), dnsNames };
}
