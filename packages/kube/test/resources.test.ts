// REST paths of resource types, as the API server routes them.
import { describe, expect, it } from 'vitest';
import { apiVersionOf, RESOURCES, resourcePath } from '../src/index.js';

describe('resourcePath', () => {
  it('puts the core group under /api and the others under /apis, escaping each segment', () => {
    expect(resourcePath(RESOURCES.replicaSets, 'shop', 'web-1')).toBe('/apis/apps/v1/namespaces/shop/replicasets/web-1');
    expect(resourcePath({ group: '', version: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true }, 'shop', 'rc/1')).toBe(
      '/api/v1/namespaces/shop/replicationcontrollers/rc%2F1',
    );
    expect(resourcePath(RESOURCES.mutatingWebhookConfigurations, 'ignored', 'datadog-webhook')).toBe('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/datadog-webhook');
  });

  it('lists a namespaced resource in one namespace or in all of them; an object needs its namespace', () => {
    expect(resourcePath(RESOURCES.pods, 'shop')).toBe('/api/v1/namespaces/shop/pods');
    expect(resourcePath(RESOURCES.pods)).toBe('/api/v1/pods');
    expect(() => resourcePath(RESOURCES.pods, undefined, 'web-0')).toThrow('pods are namespaced: "web-0" needs a namespace');
  });

  it('names the apiVersion of the objects', () => {
    expect([apiVersionOf(RESOURCES.secrets), apiVersionOf(RESOURCES.leases)]).toEqual(['v1', 'coordination.k8s.io/v1']);
  });
});
