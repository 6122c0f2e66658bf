// Shared helpers of the kube tests: a scratch directory for kubeconfig files and a client of an API double.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApi, type KubeApi, type KubeApiOptions } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connectKube, type ConnectOptions, type KubeClient } from '../src/index.js';

/** A temporary directory, removed by `remove`. */
export async function scratch(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'dd-kube-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `text` to `dir/name` and returns the path. */
export async function file(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A client of `api` through a kubeconfig file, as against a cluster (token `tester`, namespace `datadog`). */
export async function clientOf(api: KubeApi, dir: string, options: Partial<ConnectOptions> = {}): Promise<KubeClient> {
  const kubeconfig = await file(dir, `${api.port}.kubeconfig`, api.kubeconfig({ token: 'tester', namespace: 'datadog' }));
  return connectKube({ kubeconfig, env: {}, ...options });
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, the call succeeded');
}

/** For a file whose tests each start their own double: a scratch directory for the file, and the double a test started, closed after it. */
export function doublePerTest(): { readonly dir: string; start(options?: KubeApiOptions): Promise<KubeApi> } {
  let dir = '';
  let remove = async () => {};
  let api: KubeApi | undefined;
  beforeAll(async () => {
    ({ dir, remove } = await scratch());
  });
  afterAll(() => remove());
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  return {
    get dir() {
      return dir;
    },
    async start(options) {
      api = await startKubeApi(options);
      return api;
    },
  };
}
