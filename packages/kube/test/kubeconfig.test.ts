// Finding and loading the kubeconfig as kubectl does, and the one-line errors when it cannot be used.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../../testing/test/support/pki.js';
import { connectKube, KubeConfigError, KubeConnectionError, RESOURCES, SERVICE_ACCOUNT_TOKEN_FILE } from '../src/index.js';
import { doublePerTest, file, rejection } from './helpers.js';

const doubles = doublePerTest();

/** The KubeConfigError message of a connect that must fail. */
async function setupError(options: Parameters<typeof connectKube>[0]): Promise<string> {
  const error = await rejection(connectKube(options));
  expect(error).toBeInstanceOf(KubeConfigError);
  return (error as Error).message;
}

describe('where the kubeconfig is looked for', () => {
  it('--kubeconfig, else the first existing file of KUBECONFIG, else ~/.kube/config', async () => {
    const api = await doubles.start();
    const given = await file(doubles.dir, 'given.kubeconfig', api.kubeconfig({ namespace: 'given' }));
    const fromEnv = await file(doubles.dir, 'env.kubeconfig', api.kubeconfig({ namespace: 'from-env' }));
    await mkdir(join(doubles.dir, 'home', '.kube'), { recursive: true });
    await file(doubles.dir, 'home/.kube/config', api.kubeconfig({ namespace: 'home' }));
    const home = join(doubles.dir, 'home');

    expect((await connectKube({ kubeconfig: given, env: { KUBECONFIG: fromEnv, HOME: home } })).namespace).toBe('given');
    expect((await connectKube({ env: { KUBECONFIG: `${join(doubles.dir, 'absent')}::${fromEnv}`, HOME: home } })).namespace).toBe('from-env');
    expect((await connectKube({ env: { KUBECONFIG: join(doubles.dir, 'absent'), HOME: home } })).namespace).toBe('home');
    const client = await connectKube({ env: { HOME: home } });
    expect(client.server).toBe(api.url);
    expect(await client.version()).toMatchObject({ major: '1', minor: '28' });
  });

  it('the pod service account: its token, CA and namespace, the API server from KUBERNETES_SERVICE_HOST/PORT', async () => {
    const pki = await createTestPki();
    const api = await doubles.start({ tls: { cert: pki.certPem, key: pki.keyPem } });
    const root = join(doubles.dir, 'pod');
    const mount = join(root, SERVICE_ACCOUNT_TOKEN_FILE, '..');
    await mkdir(mount, { recursive: true });
    await file(mount, 'token', 'service-account-token');
    await file(mount, 'ca.crt', pki.caPem);
    await file(mount, 'namespace', 'datadog');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    // client-node reads these two from the process environment itself.
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(api.port);
    try {
      const client = await connectKube({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1' }, inClusterRoot: root });
      expect(client.namespace).toBe('datadog');
      expect(client.server).toBe(`https://127.0.0.1:${api.port}`);
      expect(await client.find(RESOURCES.secrets, 'absent', { namespace: 'datadog' })).toBeUndefined();
      expect(api.requests.at(-1)).toMatchObject({ verb: 'get', user: 'service-account-token', status: 404 });
    } finally {
      restore('KUBERNETES_SERVICE_HOST', saved.host);
      restore('KUBERNETES_SERVICE_PORT', saved.port);
    }
  });

  it('says where to put one when there is none (no file, and not in a pod)', async () => {
    expect(await setupError({ env: { HOME: doubles.dir, KUBERNETES_SERVICE_HOST: '10.0.0.1' }, inClusterRoot: join(doubles.dir, 'no-pod') })).toBe(
      'no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig <file>',
    );
    expect(await setupError({ kubeconfig: join(doubles.dir, 'nope'), env: {} })).toBe(`cannot read the kubeconfig ${join(doubles.dir, 'nope')}: no such file`);
  });
});

describe('what is wrong with a kubeconfig, in one line', () => {
  it('a file that is not a kubeconfig', async () => {
    const broken = await file(doubles.dir, 'broken.kubeconfig', 'clusters: [unclosed\n  - x');
    const message = await setupError({ kubeconfig: broken, env: {} });
    expect(message).toMatch(new RegExp(`^cannot load the kubeconfig ${broken.replaceAll('.', '\\.')}: \\S`));
    expect(message).not.toContain('\n');
  });

  it('a context that does not exist, or names no cluster', async () => {
    const api = await doubles.start();
    const kubeconfig = await file(doubles.dir, 'contexts.kubeconfig', api.kubeconfig({ contextName: 'dev' }));
    expect(await setupError({ kubeconfig, context: 'prod', env: {} })).toBe('context "prod" not found in the kubeconfig (contexts: dev)');
    const orphan = await file(doubles.dir, 'orphan.kubeconfig', 'apiVersion: v1\nkind: Config\ncontexts: [{name: lost, context: {cluster: gone, user: u}}]\ncurrent-context: lost\n');
    expect(await setupError({ kubeconfig: orphan, env: {} })).toBe('the kubeconfig context "lost" names no cluster');
  });

  it('a server URL that is not one, and plain HTTP without insecure-skip-tls-verify', async () => {
    const bad = await file(doubles.dir, 'bad-url.kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "not a url"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    expect(await setupError({ kubeconfig: bad, env: {} })).toBe('the kubeconfig context "x" has no usable server URL: "not a url"');
    const http = await file(doubles.dir, 'http.kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const client = await connectKube({ kubeconfig: http, env: {} });
    const error = await rejection(client.version());
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toBe('cannot use the credentials of the kubeconfig context "x": HTTP protocol is not allowed when skipTLSVerify is not set or false');
  });

  it('the client module missing', async () => {
    const message = await setupError({ env: {}, load: () => Promise.reject(new Error("Cannot find package '@kubernetes/client-node'")) });
    expect(message).toBe("the Kubernetes client @kubernetes/client-node is not installed: Cannot find package '@kubernetes/client-node'");
  });

  it('a CA that does not match the server: no answer, with the TLS reason', async () => {
    const [served, other] = await Promise.all([createTestPki('served CA'), createTestPki('other CA')]);
    const api = await doubles.start({ tls: { cert: served.certPem, key: served.keyPem } });
    const kubeconfig = await file(doubles.dir, 'wrong-ca.kubeconfig', api.kubeconfig().replace(Buffer.from(served.certPem).toString('base64'), Buffer.from(other.caPem).toString('base64')));
    const error = await rejection((await connectKube({ kubeconfig, env: {} })).version());
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as KubeConnectionError).errorCode).toMatch(/CERT|SIGNATURE|ISSUER/);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
