// API group discovery and access reviews against the Kubernetes API double: the groups a
// distribution adds are seen, and what a SelfSubjectAccessReview says agrees with what the
// API then answers (403 Forbidden with RBAC's message, as a typed error).
import { describe, expect, it } from 'vitest';
import { describeKubeError, KubeApiError, KubeConnectionError, RESOURCES } from '../src/index.js';
import { clientOf, doublePerTest, rejection } from './helpers.js';

const doubles = doublePerTest();

describe('apiGroups', () => {
  it("lists the server's named groups, a distribution's own among them", async () => {
    const api = await doubles.start({ apiGroups: ['config.openshift.io', 'cilium.io'] });
    const groups = await (await clientOf(api, doubles.dir)).apiGroups();
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'admissionregistration.k8s.io', 'config.openshift.io', 'cilium.io']));
    expect(groups).not.toContain('');
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('a plain cluster has neither OpenShift nor Cilium groups, and lists of an absent group are 404', async () => {
    const api = await doubles.start();
    const client = await clientOf(api, doubles.dir);
    const groups = await client.apiGroups();
    expect(groups).not.toContain('config.openshift.io');
    expect(groups).not.toContain('cilium.io');
    const absent = await rejection(client.list(RESOURCES.ciliumNetworkPolicies));
    expect(absent).toBeInstanceOf(KubeApiError);
    expect((absent as KubeApiError).code).toBe(404);
  });

  it('an answer that is not a group list is a connection error', async () => {
    const api = await doubles.start();
    api.faults.add({ match: { methods: ['GET'] }, action: { kind: 'status', code: 200 } });
    const error = await rejection((await clientOf(api, doubles.dir)).apiGroups());
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as Error).message).toBe('the API server answered GET /apis with something that is not an API group list');
  });
});

describe('canI and Forbidden', () => {
  it('allows everything by default', async () => {
    const api = await doubles.start();
    const client = await clientOf(api, doubles.dir);
    expect(await client.canI('list', RESOURCES.pods)).toEqual({ allowed: true });
    expect(await client.canI('create', RESOURCES.pods, { namespace: 'shop' })).toEqual({ allowed: true });
    const review = api.requests.find((r) => r.resource === 'selfsubjectaccessreviews');
    expect(review).toMatchObject({ method: 'POST', verb: 'create', user: 'tester', status: 201 });
  });

  it('a denied list is refused with the 403 RBAC message, and the access review says so first', async () => {
    const api = await doubles.start();
    api.access.deny({ verb: 'list', resource: 'deployments', group: 'apps' });
    const client = await clientOf(api, doubles.dir);
    expect(await client.canI('list', RESOURCES.deployments)).toEqual({ allowed: false });
    expect(await client.canI('list', RESOURCES.replicaSets)).toEqual({ allowed: true });
    expect(await client.canI('get', RESOURCES.deployments, { namespace: 'shop' })).toEqual({ allowed: true });

    const refused = await rejection(client.listAll(RESOURCES.deployments));
    expect(refused).toBeInstanceOf(KubeApiError);
    expect(refused).toMatchObject({ code: 403, reason: 'Forbidden', details: { group: 'apps', kind: 'deployments' } });
    expect((refused as Error).message).toBe('deployments.apps is forbidden: User "tester" cannot list resource "deployments" in API group "apps" at the cluster scope');
    expect(describeKubeError(refused)).toBe(`${(refused as Error).message} (HTTP 403)`);
  });

  it('denials name the namespace and the object, and can be for one user and one namespace only', async () => {
    const api = await doubles.start();
    api.access.deny({ verb: 'get', resource: 'secrets', namespace: 'datadog', user: 'tester' });
    api.access.deny({ verb: 'create', resource: 'pods', namespace: 'shop' });
    const client = await clientOf(api, doubles.dir);
    const secret = await rejection(client.get(RESOURCES.secrets, 'webhook-certificate', { namespace: 'datadog' }));
    expect((secret as Error).message).toBe('secrets "webhook-certificate" is forbidden: User "tester" cannot get resource "secrets" in API group "" in the namespace "datadog"');
    expect(await client.canI('get', RESOURCES.secrets, { namespace: 'other' })).toEqual({ allowed: true });

    const probe = await rejection(client.create(RESOURCES.pods, { metadata: { generateName: 'p-' }, spec: { containers: [{ name: 'c', image: 'i' }] } }, { namespace: 'shop', dryRun: true }));
    expect((probe as Error).message).toBe('pods is forbidden: User "tester" cannot create resource "pods" in API group "" in the namespace "shop"');
    expect(await client.canI('create', RESOURCES.pods, { namespace: 'default' })).toEqual({ allowed: true });

    api.access.allowAll();
    expect(await client.canI('create', RESOURCES.pods, { namespace: 'shop' })).toEqual({ allowed: true });
  });
});
