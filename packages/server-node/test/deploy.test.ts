// The image and manifests: no Docker engine runs here, so their shape is checked as data.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: ['datadog-webhook'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['create'] },
    ]);
    const [role] = byKind(all, 'Role');
    expect(role!.metadata.namespace).toBe('datadog');
    expect(role!.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['webhook-certificate'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['dd-admission-webhook-leader-election'], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    const bound = [...byKind(all, 'ClusterRoleBinding'), ...byKind(all, 'RoleBinding')].map((b) => `${b.kind}/${b.roleRef.name}`).sort();
    expect(bound).toEqual(['ClusterRoleBinding/dd-admission-webhook-configuration', 'ClusterRoleBinding/dd-admission-webhook-owner-reader', 'RoleBinding/dd-admission-webhook-controllers']);
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
    expect(text).toContain('ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "/app/dd-admission-webhook.js"]');
  });
});
