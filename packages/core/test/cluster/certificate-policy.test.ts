// Spec conformance: spec/controllers.md §1 step 3 (namespace), §2.2 (certificate), §2.3 (reconcile decisions).
import { describe, expect, it } from 'vitest';
import {
  certificateDecision,
  certificateHosts,
  certificateValidity,
  dnsNamesDigest,
  fnv1Digest,
  isIpAddress,
  resourcesNamespace,
  subjectAltNames,
} from '@dd-admission/core';
import { config } from '../helpers.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2024-03-01T00:00:00Z');
const HOSTS = certificateHosts('datadog-admission-controller', 'datadog');

describe('certificate names and validity', () => {
  it('DNS names, in order: <svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local', () => {
    expect(HOSTS).toEqual([
      'datadog-admission-controller',
      'datadog-admission-controller.datadog',
      'datadog-admission-controller.datadog.svc',
      'datadog-admission-controller.datadog.svc.cluster.local',
    ]);
    expect(subjectAltNames(HOSTS)).toEqual({ dnsNames: HOSTS, ipAddresses: [] });
  });

  it('a host that parses as an IP goes to the IP SANs', () => {
    expect(subjectAltNames(['10.0.0.1', 'svc', '::1', 'fd00::2'])).toEqual({ dnsNames: ['svc'], ipAddresses: ['10.0.0.1', '::1', 'fd00::2'] });
    expect(['1.2.3.4', '256.1.1.1', 'a.b.c.d', 'svc.ns', '::', '1::2::3'].map(isIpAddress)).toEqual([true, false, false, false, true, false]);
  });

  it('NotBefore = now - 5 minutes, NotAfter = now + validity_bound hours (default 8760)', () => {
    expect(certificateValidity(config(), NOW)).toEqual({ notBefore: NOW - 5 * 60_000, notAfter: NOW + 8760 * HOUR });
    expect(certificateValidity(config({ 'admission_controller.certificate.validity_bound': 24 }), NOW).notAfter).toBe(NOW + 24 * HOUR);
  });

  it('resources namespace: kube_resources_namespace, else the pod namespace, else default', () => {
    expect(resourcesNamespace(config({ kube_resources_namespace: 'dd' }), 'pod-ns')).toBe('dd');
    expect(resourcesNamespace(config(), 'pod-ns')).toBe('pod-ns');
    expect(resourcesNamespace(config())).toBe('default');
  });

  it('DNS names digest: FNV-1 64 of the sorted names concatenated, order-insensitive', () => {
    expect(dnsNamesDigest(['b', 'a'])).toBe(fnv1Digest(new TextEncoder().encode('ab')));
    expect(dnsNamesDigest([...HOSTS].reverse())).toBe(dnsNamesDigest(HOSTS));
  });
});

describe('certificateDecision (reconcile)', () => {
  it('no Secret → create', () => {
    expect(certificateDecision(undefined, HOSTS, NOW, 720)).toEqual({ action: 'create', reason: 'the certificate Secret does not exist' });
  });

  it('less than the threshold left (default 720 h) → regenerate', () => {
    const d = certificateDecision({ notAfter: NOW + 719 * HOUR, dnsNames: HOSTS }, HOSTS, NOW, 720);
    expect(d).toEqual({ action: 'regenerate', cause: 'expiring', reason: 'the certificate expires in 719h0m0s, less than the 720h threshold' });
    expect(certificateDecision({ notAfter: NOW - HOUR, dnsNames: HOSTS }, HOSTS, NOW, 720)).toMatchObject({ action: 'regenerate', cause: 'expiring' });
  });

  it('exactly the threshold left, names in another order → keep, with the time left in Go form', () => {
    const d = certificateDecision({ notAfter: NOW + 720 * HOUR + 1500, dnsNames: [...HOSTS].reverse() }, HOSTS, NOW, 720);
    expect(d).toEqual({ action: 'keep', timeLeftMs: 720 * HOUR + 1500, reason: 'Duration before expiration: 720h0m1.5s' });
  });

  it('DNS names differ (service or namespace renamed) → regenerate', () => {
    const other = certificateHosts('datadog-admission-controller', 'default');
    expect(certificateDecision({ notAfter: NOW + 8000 * HOUR, dnsNames: other }, HOSTS, NOW, 720)).toMatchObject({ action: 'regenerate', cause: 'dns-names' });
    expect(certificateDecision({ notAfter: NOW + 8000 * HOUR, dnsNames: HOSTS.slice(1) }, HOSTS, NOW, 720)).toMatchObject({ action: 'regenerate', cause: 'dns-names' });
  });
});
