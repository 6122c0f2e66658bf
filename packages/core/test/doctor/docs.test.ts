// docs/troubleshooting.md is where every finding's `doc` link lands, and
// docs/examples/doctor-rbac.yaml is the ClusterRole it tells users to apply:
// both are checked against the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCTOR_CHECKS, resourceGroup, SNAPSHOT_RESOURCE_NAMES, TROUBLESHOOTING_PAGE } from '@dd-admission/core';
import { parseYamlDocuments } from '@dd-admission/testing';

const root = new URL('../../../../', import.meta.url);
const page = readFileSync(new URL(TROUBLESHOOTING_PAGE, root), 'utf8');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const HEADING = /^(#{1,6}) (.+)$/;
const lines = page.split('\n');
const anchors = new Set(lines.flatMap((line) => (HEADING.test(line) ? [slug(HEADING.exec(line)![2]!)] : [])));

/** The text under the heading with this anchor, down to the next heading of the same or a higher level. */
function section(anchor: string): string {
  const start = lines.findIndex((l) => HEADING.test(l) && slug(HEADING.exec(l)![2]!) === anchor);
  const level = HEADING.exec(lines[start]!)![1]!.length;
  const end = lines.findIndex((l, i) => i > start && HEADING.test(l) && HEADING.exec(l)![1]!.length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe(TROUBLESHOOTING_PAGE, () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Failure policy and timeouts')).toBe('failure-policy-and-timeouts');
    expect(slug('The `cluster-agent` check')).toBe('the-cluster-agent-check');
  });

  it.each(DOCTOR_CHECKS.map((c) => [c.id, c] as const))('has the section %s links to, and names the check there', (id, check) => {
    expect(anchors, `no heading with anchor #${check.anchor}`).toContain(check.anchor);
    expect(section(check.anchor)).toContain(`**Check \`${id}\``);
    expect(page).toMatch(new RegExp(`\\| \`${id}\` \\| ${check.category} \\|`));
  });

  it('covers every section of the guide', () => {
    for (const section of [
      'existing-pods-are-not-updated',
      'labels-and-annotations',
      'application-pods-are-not-created',
      'gke-autopilot',
      'openshift',
      'admission-controller-status',
      'admission-controller-logs',
      'verifying-injection',
      'network-policies',
      'amazon-eks',
      'azure-aks',
      'google-gke',
      'rancher',
      'permissions',
    ]) {
      expect(anchors).toContain(section);
    }
  });

  it('gives the exact kubectl line for a dump, and says only cert.pem is read', () => {
    expect(page).toContain(
      'kubectl get mutatingwebhookconfigurations,services,endpoints,secrets,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,pods,networkpolicies,nodes,namespaces -A -o yaml > dump.yaml',
    );
    expect(page).toContain('the doctor reads only `cert.pem` of the webhook certificate');
  });
});

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

describe('docs/examples/doctor-rbac.yaml', () => {
  const [role] = parseYamlDocuments(readFileSync(new URL('docs/examples/doctor-rbac.yaml', root), 'utf8'), 'doctor-rbac.yaml') as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    rules: Rule[];
  }[];
  const rules = role!.rules;
  const granted = (group: string, resource: string, verb: string) =>
    rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

  it('is one ClusterRole', () => {
    expect(role).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'dd-admission-doctor' } });
  });

  it.each(SNAPSHOT_RESOURCE_NAMES.filter((r) => r !== 'secrets'))('lets the doctor list %s', (resource) => {
    expect(granted(resourceGroup(resource), resource, 'list')).not.toEqual([]);
    expect(granted(resourceGroup(resource), resource, 'list').every((r) => r.resourceNames === undefined)).toBe(true);
  });

  it('reads the webhook certificate Secret only, by name', () => {
    const secrets = rules.filter((r) => r.resources.includes('secrets'));
    expect(secrets).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['webhook-certificate'], verbs: ['get'] }]);
  });

  it('writes nothing but the dry-run pod create: no other write verb, no wildcard', () => {
    const writes = rules.flatMap((r) => r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)).map((v) => `${v} ${r.resources.join(',')}`));
    expect(writes).toEqual(['create pods']);
    expect(rules.flatMap((r) => [...r.apiGroups, ...r.resources, ...r.verbs]).filter((x) => x.includes('*'))).toEqual([]);
  });
});
