// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect
// metadata API; this import must come first (ES modules evaluate in import order).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import type { Clock } from './clock.js';
import { tlsMaterial, type TlsMaterial } from './tls.js';

export interface DevCertificateOptions {
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: readonly string[];
  clock: Clock;
  /** Validity in hours (the cluster agent's `certificate.validity_bound`, 8760 by default). */
  validityHours?: number;
  commonName?: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)$/i;

/**
 * A self-signed certificate that is its own CA, as the cluster agent's secret
 * controller makes (controllers spec §2.2), but with an ECDSA P-256 key: quick to
 * generate at every dev start. Its PEM is also the CA bundle a client trusts.
 */
export async function generateDevCertificate(options: DevCertificateOptions): Promise<TlsMaterial> {
  // The provider is set per call, not at import: it is @peculiar/x509's process-wide default.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = options.clock.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName ?? 'dd-admission-webhook'}`,
    // Backdated a minute so a client whose clock is slightly behind still accepts it.
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (options.validityHours ?? 8760) * 3_600_000),
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(options.hosts.map((h) => (IP.test(h) ? { type: 'ip', value: h } : { type: 'dns', value: h }))),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return tlsMaterial(cert.toString('pem'), x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
}

/** A positive 128-bit serial in hex (RFC 5280 allows up to 20 octets). */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** The names a dev or in-cluster client reaches the webhook by. */
export function devCertificateHosts(serviceName: string, namespace: string): string[] {
  return ['localhost', '127.0.0.1', '::1', serviceName, `${serviceName}.${namespace}`, `${serviceName}.${namespace}.svc`];
}
