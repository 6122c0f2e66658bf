import { describe, expect, it } from 'vitest';
import { mutate, parseConfig, CONFIG_KEYS } from '@dd-admission/core';
import jsonpatch from 'fast-json-patch';

describe('smoke', () => {
  it('runs', () => {
    const r = parseConfig({ origin: 'x', values: { admission_controller: { mutate_unlabelled: true, inject_config: { mode: 'socket' } }, DD_APM_INSTRUMENTATION_ENABLED: 'true' } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const pod = { metadata: { name: 'p', namespace: 'ns', labels: { 'tags.datadoghq.com/env': 'prod' }, annotations: { 'admission.datadoghq.com/java-lib.version': 'v1' } }, spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }] } };
    const m = mutate(pod, { namespace: 'ns' }, r.config);
    console.log(JSON.stringify(m.pod, null, 1).slice(0, 3000));
    console.log(m.patch.length, m.skipped, m.failures, m.warnings, r.warnings);
    const applied = jsonpatch.applyPatch(structuredClone(pod), structuredClone(m.patch), true, false).newDocument;
    expect(applied).toEqual(m.pod);
    console.log(CONFIG_KEYS.length, CONFIG_KEYS.slice(0,3));
  });
});
