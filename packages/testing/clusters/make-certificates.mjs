// Writes the webhook certificates of the seeded clusters (src/clusters/).
// They are fixed files so every run reads the same bytes; run this again only
// to change them: node packages/testing/clusters/make-certificates.mjs [file.pem...]
// (only the files named, when any are). Each is self-signed, as the Cluster
// Agent's are (cert.pem is also the CA bundle).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';

const SERVICE = 'datadog-cluster-agent-admission-controller';
const hosts = (namespace) => [SERVICE, `${SERVICE}.${namespace}`, `${SERVICE}.${namespace}.svc`, `${SERVICE}.${namespace}.svc.cluster.local`];
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

const CERTIFICATES = {
  // The healthy cluster's: valid from 2026-01-01 for a year, for the Service in namespace datadog.
  'webhook.pem': { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', hosts: hosts('datadog') },
  // Another certificate for the same names: a CA bundle that is not the Secret's.
  'other-webhook.pem': { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', hosts: hosts('datadog') },
  // Made for an install in namespace default.
  'default-namespace.pem': { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', hosts: hosts('default') },
  // Expired on 2026-05-01, a month before the seeded clusters' "now" (2026-06-01).
  'expired.pem': { notBefore: '2025-05-01T00:00:00Z', notAfter: '2026-05-01T00:00:00Z', hosts: hosts('datadog') },
  // What a real webhook server serves in the live tests, so its private key is kept too; valid ten years.
  'serving.pem': { notBefore: '2026-01-01T00:00:00Z', notAfter: '2036-01-01T00:00:00Z', hosts: hosts('datadog'), key: 'serving-key.pem' },
};

const only = process.argv.slice(2);
for (const [file, c] of Object.entries(CERTIFICATES).filter(([file]) => only.length === 0 || only.includes(file))) {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'O=Datadog',
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(c.hosts.map((value) => ({ type: 'dns', value }))),
    ],
  });
  writeFileSync(new URL(file, import.meta.url), `${cert.toString('pem')}\n`);
  if (c.key) writeFileSync(new URL(c.key, import.meta.url), `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`);
}
