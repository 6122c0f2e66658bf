import { describe, expect, it } from 'vitest';
import {
  documentWithPod,
  formatConfigIssue,
  isPodBearing,
  mutate,
  parseConfig,
  podView,
  type AdmissionConfig,
  type KubeObject,
} from '@dd-admission/core';
import { applyStrictPatch, formatPodValidationErrors, loadFixtures, validatePod, type Fixture } from '@dd-admission/testing';

// Drives the golden corpus of packages/testing/fixtures through the core the way
// `dd-mutate` does: each Pod or workload is seen as the pod the webhook would get
// (podView), mutated with the whole admission path, and written back; a List's
// items are handled one by one; other documents pass through. The other documents
// of the input are available as owners, as they would be in the cluster.

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every object of the input, List items included (candidate owners for the tags webhook). */
function allObjects(docs: readonly unknown[]): Obj[] {
  return docs.flatMap((d) => (isObject(d) && d.kind === 'List' && Array.isArray(d.items) ? allObjects(d.items) : isObject(d) ? [d] : []));
}

interface Outcome {
  doc: unknown;
  messages: string[];
  problems: string[];
}

function runDocument(doc: unknown, fixture: Fixture, config: AdmissionConfig, objects: Obj[]): Outcome {
  if (!isObject(doc)) return { doc, messages: [], problems: [] };
  if (doc.kind === 'List' && Array.isArray(doc.items)) {
    const items = doc.items.map((item) => runDocument(item, fixture, config, objects));
    return { doc: { ...doc, items: items.map((i) => i.doc) }, messages: items.flatMap((i) => i.messages), problems: items.flatMap((i) => i.problems) };
  }
  if (!isPodBearing(doc.kind)) return { doc, messages: [], problems: [] };
  const view = podView(doc, fixture.context.namespace);
  const others = objects.filter((o) => o !== doc && isObject(o.metadata)) as unknown as KubeObject[];
  const result = mutate(
    view.pod,
    { namespace: view.pod.metadata?.namespace ?? fixture.context.namespace, agentNamespace: fixture.context.agentNamespace, owners: [...view.owners, ...others] },
    config,
  );
  const problems: string[] = [];
  try {
    expect(applyStrictPatch(view.pod, result.patch)).toEqual(JSON.parse(JSON.stringify(result.pod)));
  } catch (e) {
    problems.push(`patch does not reproduce the result: ${(e as Error).message}`);
  }
  const invalid = validatePod(result.pod);
  if (invalid.length > 0) problems.push(`invalid result pod:\n${formatPodValidationErrors(invalid)}`);
  const messages = [...result.failures.map((f) => f.message), ...result.warnings.map((w) => w.message)];
  return { doc: documentWithPod(doc, view, result.pod), messages, problems };
}

function parseFixtureConfig(fixture: Fixture): { config: AdmissionConfig; messages: string[] } {
  const parsed = parseConfig([{ origin: 'config.yaml', values: fixture.config ?? {} }], { agentVersion: fixture.agentVersion });
  if (!parsed.ok) throw new Error(`${fixture.name}: config.yaml rejected: ${parsed.errors.map(formatConfigIssue).join('; ')}`);
  return { config: parsed.config, messages: parsed.warnings.map(formatConfigIssue) };
}

const fixtures = loadFixtures();

describe('golden fixtures through the core', () => {
  it('has a corpus of at least 14 cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
  });

  for (const fixture of fixtures) {
    it(fixture.name, () => {
      const { config, messages: configMessages } = parseFixtureConfig(fixture);
      const objects = allObjects(fixture.inputDocs);
      const outcomes = fixture.inputDocs.map((doc) => runDocument(doc, fixture, config, objects));
      // Compare as JSON: what the CLI prints is serialized, so undefined members do not exist there.
      expect(JSON.parse(JSON.stringify(outcomes.map((o) => o.doc)))).toEqual(fixture.expectedDocs);
      expect(outcomes.flatMap((o) => o.problems)).toEqual([]);
      const messages = [...configMessages, ...outcomes.flatMap((o) => o.messages)];
      for (const line of fixture.expectedStderr) {
        expect(messages.some((m) => m.includes(line)), `"${line}" in ${JSON.stringify(messages)}`).toBe(true);
      }
    });
  }
});
