// The manifests and the Dockerfile as data: the Kubernetes API's schemas of the oldest and newest
// versions we support, and `kubectl kustomize` when kubectl is here. (The image itself is built
// and run by `pnpm image` / `pnpm image:test`, test/image/.)
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
// YAML documents: their shape is what the assertions check.
type Obj = Record<string, any>;

async function manifests(): Promise<Obj[]> {
  const files = (await readdir(`${PACKAGE_DIR}deploy`)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const docs = await Promise.all(files.map(async (f) => parseAllDocuments(await readFile(`${PACKAGE_DIR}deploy/${f}`, 'utf8')).map((d) => d.toJS() as Obj)));
  return docs.flat();
}

const byKind = (all: Obj[], kind: string) => all.filter((o) => o.kind === kind);

describe('deploy/*.yaml', () => {
  it('runs two replicas as a non-root user with a read-only root filesystem and HTTPS probes', async () => {
    const [deployment] = byKind(await manifests(), 'Deployment');
    expect(deployment!.spec.replicas).toBe(2);
    const pod = deployment!.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.ports).toEqual([{ name: 'https', containerPort: 8000, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(container.volumeMounts.map((m: Obj) => m.mountPath)).toEqual(['/tmp']);
    expect(container.env).toContainEqual({ name: 'DD_ADMISSION_CONTROLLER_ENABLED', value: 'true' });
    expect(container.args.some((a: string) => a.startsWith('--tls-'))).toBe(false);
    expect(deployment!.spec.template.metadata.labels['admission.datadoghq.com/enabled']).toBe('false');
  });

  it('exposes 443 -> 8000, keeps one replica through disruptions, and only gets owners', async () => {
    const all = await manifests();
    const [service] = byKind(all, 'Service');
    expect(service!.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    expect(byKind(all, 'PodDisruptionBudget')[0]!.spec.minAvailable).toBe(1);
    const role = byKind(all, 'ClusterRole').find((r) => r.metadata.name === 'dd-admission-webhook-owner-reader');
    expect(role!.rules).toEqual([
      { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get'] },
    ]);
    const [account] = byKind(all, 'ServiceAccount');
    for (const binding of [...byKind(all, 'ClusterRoleBinding'), ...byKind(all, 'RoleBinding')]) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account!.metadata.name, namespace: account!.metadata.namespace }]);
    }
  });

  it('lets the controllers touch their three objects only, by name, and never delete', async () => {
    const all = await manifests();
    const webhook = byKind(all, 'ClusterRole').find((r) => r.metadata.name === 'dd-admission-webhook-configuration');
    expect(webhook!.rules).toEqual([
      // Both kinds a 7.61+ server keeps, and deletes when disabled (7.63).
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], resourceNames: ['datadog-webhook'], verbs: ['get', 'list', 'watch', 'update', 'delete'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], verbs: ['create'] },
    ]);
    const [role] = byKind(all, 'Role');
    expect(role!.metadata.namespace).toBe('datadog');
    expect(role!.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['webhook-certificate'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['dd-admission-webhook-leader-election'], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    const bound = [...byKind(all, 'ClusterRoleBinding'), ...byKind(all, 'RoleBinding')].map((b) => `${b.kind}/${b.roleRef.name}`).sort();
    expect(bound).toEqual(['ClusterRoleBinding/dd-admission-webhook-configuration', 'ClusterRoleBinding/dd-admission-webhook-owner-reader', 'RoleBinding/dd-admission-webhook-controllers']);
  });
});

// The generated OpenAPI schemas of two Kubernetes releases (npm package kubernetes-models, see
// docs/dependencies.md): the oldest the manifests support and the newest published.
const SCHEMAS = { '1.22': 'kubernetes-models-1.22', '1.36': 'kubernetes-models-1.36' } as const;
type KubernetesVersion = keyof typeof SCHEMAS;

interface SchemaError {
  instancePath: string;
  message?: string;
}

/** The schema errors of one object against a release's OpenAPI schema of `type`'s kind (none when valid). */
async function schemaErrors(version: KubernetesVersion, object: Obj, type: Obj = object): Promise<SchemaError[]> {
  const [group, apiVersion] = String(type.apiVersion).includes('/') ? String(type.apiVersion).split('/') : ['', String(type.apiVersion)];
  const module = `${SCHEMAS[version]}/${group ? `${group}/` : ''}${apiVersion}/${type.kind}`;
  const Model = ((await import(module)) as Record<string, new (data: Obj) => { validate(): void }>)[type.kind as string];
  if (!Model) throw new Error(`Kubernetes ${version} has no ${type.apiVersion} ${type.kind}`);
  try {
    new Model(structuredClone(object)).validate();
    return [];
  } catch (error) {
    return ((error as { errors?: SchemaError[] }).errors ?? [{ instancePath: '', message: (error as Error).message }]) as SchemaError[];
  }
}

/** JSON-pointer path and value of every field of a manifest, at every depth. */
function fields(value: unknown, path = ''): { path: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => fields(item, `${path}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    return [{ path: here, value: v }, ...fields(v, here)];
  });
}

function setAt(object: Obj, path: string, value: unknown): Obj {
  const copy = structuredClone(object);
  const keys = path.slice(1).split('/').map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const parent = keys.slice(0, -1).reduce<Obj>((o, k) => o[k], copy);
  parent[keys.at(-1)!] = value;
  return copy;
}

/**
 * The fields a release's schema does not know. The OpenAPI schemas accept unknown fields (the
 * API server drops them, with a warning at best), so each field is probed: given a value of
 * another type, a field the schema knows fails validation at its own path; an unknown one passes.
 */
async function unknownFields(version: KubernetesVersion, object: Obj): Promise<string[]> {
  const unknown: string[] = [];
  for (const { path, value } of fields(object)) {
    // Below an unknown field everything is unknown: name the outermost one only.
    if (unknown.some((u) => path.startsWith(`${u}/`))) continue;
    const probe = typeof value === 'object' && value !== null ? 'probe' : { probe: true };
    const errors = await schemaErrors(version, setAt(object, path, probe), object);
    if (!errors.some((e) => e.instancePath === path)) unknown.push(path);
  }
  return unknown;
}

describe('deploy/*.yaml against the Kubernetes OpenAPI schemas', () => {
  for (const version of Object.keys(SCHEMAS) as KubernetesVersion[]) {
    it(`is valid for Kubernetes ${version}, every field one the schema knows`, async () => {
      for (const object of await manifests()) {
        const where = `${object.kind}/${object.metadata.name}`;
        expect({ where, errors: await schemaErrors(version, object) }).toEqual({ where, errors: [] });
        expect({ where, unknown: await unknownFields(version, object) }).toEqual({ where, unknown: [] });
      }
    });
  }

  it('would catch a misspelt field, and a field newer than the oldest release', async () => {
    const [deployment] = byKind(await manifests(), 'Deployment');
    const typo = setAt(deployment!, '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesytem', true);
    for (const version of Object.keys(SCHEMAS) as KubernetesVersion[]) {
      expect(await unknownFields(version, typo)).toEqual(['/spec/template/spec/containers/0/securityContext/readOnlyRootFilesytem']);
    }
    // Container resizePolicy arrived in Kubernetes 1.27.
    const resize = setAt(deployment!, '/spec/template/spec/containers/0/resizePolicy', [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }]);
    expect(await unknownFields('1.22', resize)).toEqual(['/spec/template/spec/containers/0/resizePolicy']);
    expect(await unknownFields('1.36', resize)).toEqual([]);
    const wrongType = setAt(deployment!, '/spec/replicas', 'two');
    expect((await schemaErrors('1.22', wrongType)).map((e) => e.instancePath)).toContain('/spec/replicas');
  });
});

const kubectl = await promisify(execFile)('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

describe.runIf(kubectl)('kubectl kustomize deploy/', () => {
  it('renders exactly the objects of the files', async () => {
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', `${PACKAGE_DIR}deploy`]);
    const rendered = parseAllDocuments(stdout).map((d) => d.toJS() as Obj);
    const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const files = await manifests();
    expect(rendered.map(key).sort()).toEqual(files.map(key).sort());
    for (const object of rendered) expect(object).toEqual(files.find((f) => key(f) === key(object)));
  });
});

describe('Dockerfile', () => {
  it('builds with pnpm on a Debian Node.js image and runs the bundle on distroless Node.js as user 65532', async () => {
    const text = await readFile(`${PACKAGE_DIR}Dockerfile`, 'utf8');
    const stages = text.split('\n').filter((l) => l.startsWith('FROM '));
    expect(stages).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${RUNTIME_IMAGE}']);
    // Selectable bases, declared before the first FROM; both Debian 12 (glibc).
    expect(text.indexOf('ARG NODE_IMAGE=docker.io/library/node:22-bookworm-slim')).toBeLessThan(text.indexOf('FROM '));
    expect(text.indexOf('ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot')).toBeLessThan(text.indexOf('FROM '));
    expect(text).toContain('pnpm install --frozen-lockfile');
    expect(text).toContain('--mount=type=secret,id=npm-ca');
    expect(text).toContain('USER 65532:65532');
    expect(text).toContain('EXPOSE 8000');
    expect(text).toContain('ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "--v8-pool-size=2", "/app/dd-admission-webhook.js"]');
  });
});
