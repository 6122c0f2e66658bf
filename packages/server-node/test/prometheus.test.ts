import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counter, escapeLabelValue, formatValue, gauge, histogram } from '../src/prometheus.js';

/** One sample line of the text format: name, labels (unescaped) and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

/** A strict reader of the exposition text: every line a HELP, a TYPE or a sample, or it throws. */
function readExposition(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  expect(text === '' || text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      types[type[1]!] = type[2]!;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1]!, labels, value: m[3]! });
  }
  return { samples, types };
}

describe('counter', () => {
  it('counts per label values and renders HELP, TYPE and one line per series', () => {
    const c = counter({ name: 'requests_total', help: 'Requests.', labelNames: ['code', 'path'] });
    c.series('200', '/a').inc();
    c.series('200', '/a').inc(2);
    c.series('404', '/b').inc();
    expect(c.render()).toBe('# HELP requests_total Requests.\n# TYPE requests_total counter\nrequests_total{code="200",path="/a"} 3\nrequests_total{code="404",path="/b"} 1\n');
  });

  it('a series looked up once keeps counting into the same sample', () => {
    const c = counter({ name: 'x', help: 'x', labelNames: ['a'] });
    const s = c.series('v');
    s.inc();
    s.inc();
    expect(c.series('v')).toBe(s);
    expect(readExposition(c.render()).samples).toEqual([{ name: 'x', labels: { a: 'v' }, value: '2' }]);
  });

  it('refuses a decrement and a wrong number of label values, saying which metric', () => {
    const c = counter({ name: 'x', help: 'x', labelNames: ['a', 'b'] });
    expect(() => c.series('only-one')).toThrow('x: expected 2 label values (a, b), got 1');
    expect(() => c.series('1', '2').inc(-1)).toThrow('x: a counter only goes up, got -1');
    expect(() => c.series('1', '2').inc(Number.NaN)).toThrow(/only goes up/);
  });

  it('label values that differ only where they are joined stay separate series', () => {
    const c = counter({ name: 'x', help: 'x', labelNames: ['a', 'b'] });
    c.series('a,b', 'c').inc();
    c.series('a', 'b,c').inc();
    expect(readExposition(c.render()).samples).toHaveLength(2);
  });

  it('any label value survives the escaping: a reader gets back exactly what was counted', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 6 }), (values) => {
        const c = counter({ name: 'x', help: 'line one\nback\\slash', labelNames: ['v'] });
        values.forEach((v, i) => c.series(v).inc(i + 1));
        const { samples, types } = readExposition(c.render());
        expect(types).toEqual({ x: 'counter' });
        expect(samples.map((s) => [s.labels.v, Number(s.value)])).toEqual(values.map((v, i) => [v, i + 1]));
      }),
    );
  });
});

describe('histogram', () => {
  it('renders cumulative buckets, +Inf, sum and count per series', () => {
    const h = histogram({ name: 'd', help: 'Durations.', labelNames: ['w'], buckets: [0.1, 1] });
    const s = h.series('a');
    s.observe(0.05);
    s.observe(0.5);
    s.observe(7);
    expect(h.render()).toBe(
      [
        '# HELP d Durations.',
        '# TYPE d histogram',
        'd_bucket{w="a",le="0.1"} 1',
        'd_bucket{w="a",le="1"} 2',
        'd_bucket{w="a",le="+Inf"} 3',
        'd_sum{w="a"} 7.55',
        'd_count{w="a"} 3',
        '',
      ].join('\n'),
    );
  });

  it('every bucket counts the observations at or below its bound, whatever the order of the bounds', () => {
    const bound = fc.double({ min: -100, max: 100, noNaN: true });
    fc.assert(
      fc.property(fc.uniqueArray(bound, { minLength: 1, maxLength: 6 }), fc.array(fc.double({ min: -200, max: 200, noNaN: true }), { maxLength: 40 }), (buckets, observations) => {
        const h = histogram({ name: 'h', help: 'h', labelNames: [], buckets });
        const s = h.series();
        for (const o of observations) s.observe(o);
        const { samples } = readExposition(h.render());
        const le = (b: string) => samples.find((x) => x.name === 'h_bucket' && x.labels.le === b)!;
        for (const b of buckets) expect(Number(le(formatValue(b)).value)).toBe(observations.filter((o) => o <= b).length);
        expect(Number(le('+Inf').value)).toBe(observations.length);
        expect(Number(samples.find((x) => x.name === 'h_count')!.value)).toBe(observations.length);
        expect(Number(samples.find((x) => x.name === 'h_sum')!.value)).toBeCloseTo(
          observations.reduce((a, b) => a + b, 0),
          6,
        );
        // Bucket lines ascend by bound, as Prometheus expects.
        const bounds = samples.filter((x) => x.name === 'h_bucket' && x.labels.le !== '+Inf').map((x) => Number(x.labels.le));
        expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
      }),
    );
  });
});

describe('gauge', () => {
  it('reads its value when rendered, and has no sample while there is none', () => {
    let value: number | undefined;
    const g = gauge({ name: 'g', help: 'A gauge.', read: () => value });
    expect(g.render()).toBe('# HELP g A gauge.\n# TYPE g gauge\n');
    value = 12.5;
    expect(g.render()).toBe('# HELP g A gauge.\n# TYPE g gauge\ng 12.5\n');
  });
});

describe('values and escapes', () => {
  it('spells infinities and NaN as the format does', () => {
    expect([Infinity, -Infinity, Number.NaN, 0, 2.5, 1e21].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0', '2.5', '1e+21']);
  });

  it('escapes backslash, double quote and line feed in label values, nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
  });
});
