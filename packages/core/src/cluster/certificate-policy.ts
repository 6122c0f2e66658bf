import type { AdmissionConfig } from '../config/schema.js';
import { fnv1Digest, formatGoDuration } from './status.js';

export { resourcesNamespace } from '../config/resources-namespace.js';

// Decisions of the certificate Secret controller (controllers spec §2): which
// names the certificate carries, how long it lives, and when to make a new one.
// The adapter generates and parses certificates; every choice is made here.

const HOUR_MS = 3_600_000;
/** NotBefore is backdated so a client whose clock is a little behind still accepts a fresh certificate. */
export const CERTIFICATE_BACKDATE_MS = 5 * 60_000;
/** The certificate's subject: organization only, no common name. */
export const CERTIFICATE_ORGANIZATION = 'Datadog';
export const CERTIFICATE_KEY_BITS = 2048;
/** The Secret's keys. */
export const CERT_KEY = 'cert.pem';
export const PRIVATE_KEY_KEY = 'key.pem';

/** `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local`, in this order. */
export function certificateHosts(serviceName: string, namespace: string): string[] {
  const base = `${serviceName}.${namespace}`;
  return [serviceName, base, `${base}.svc`, `${base}.svc.cluster.local`];
}

/** The subject alternative names of the hosts: a host that parses as an IP address goes to the IP SANs. */
export function subjectAltNames(hosts: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  return { dnsNames: hosts.filter((h) => !isIpAddress(h)), ipAddresses: hosts.filter(isIpAddress) };
}

/** Whether `host` is a literal IPv4 or IPv6 address. */
export function isIpAddress(host: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((part) => Number(part) <= 255);
  return host.includes(':') && /^[0-9a-f:.]+$/i.test(host) && host.split('::').length <= 2;
}

/** The validity window of a certificate generated at `nowMs` (validity_bound hours, backdated 5 minutes). */
export function certificateValidity(config: AdmissionConfig, nowMs: number): { notBefore: number; notAfter: number } {
  return { notBefore: nowMs - CERTIFICATE_BACKDATE_MS, notAfter: nowMs + config.admission_controller.certificate.validity_bound * HOUR_MS };
}

/** FNV-1 64 of the names sorted and concatenated without separators: how the agent compares DNS name lists. */
export function dnsNamesDigest(names: readonly string[]): string {
  return fnv1Digest(new TextEncoder().encode([...names].sort().join('')));
}

/** What the controller read from the certificate in the Secret. */
export interface CertificateFacts {
  /** NotAfter, epoch ms. */
  notAfter: number;
  dnsNames: readonly string[];
}

/** What to do with the Secret. */
export type CertificateDecision =
  | { action: 'create'; reason: string }
  | { action: 'regenerate'; cause: 'expiring' | 'dns-names'; reason: string }
  | { action: 'keep'; timeLeftMs: number; reason: string };

/**
 * Create when there is no Secret; regenerate when less than the threshold is left
 * or the DNS names differ from the expected ones; otherwise keep it.
 */
export function certificateDecision(
  current: CertificateFacts | undefined,
  expectedHosts: readonly string[],
  nowMs: number,
  thresholdHours: number,
): CertificateDecision {
  if (!current) return { action: 'create', reason: 'the certificate Secret does not exist' };
  const timeLeftMs = current.notAfter - nowMs;
  const left = formatGoDuration(BigInt(Math.round(timeLeftMs)) * 1_000_000n);
  if (timeLeftMs < thresholdHours * HOUR_MS) {
    return { action: 'regenerate', cause: 'expiring', reason: `the certificate expires in ${left}, less than the ${thresholdHours}h threshold` };
  }
  const expected = subjectAltNames(expectedHosts).dnsNames;
  if (dnsNamesDigest(current.dnsNames) !== dnsNamesDigest(expected)) {
    return { action: 'regenerate', cause: 'dns-names', reason: `the certificate is valid for [${current.dnsNames.join(' ')}], not [${expected.join(' ')}]` };
  }
  return { action: 'keep', timeLeftMs, reason: `Duration before expiration: ${left}` };
}
