// Spec conformance: spec/lib-injection.md §5.1 (`…-lib.config.v1` JSON → env vars).
import { describe, expect, it } from 'vitest';
import { libConfigToEnv, formatFixed2, injectAutoInstrumentation, LibConfigError } from '@dd-admission/core';
import { config, makePod, OPT_IN, envOf, envNames, envValue, expectPatchGivesPod } from '../helpers.js';

const cfg = config();
const A = 'admission.datadoghq.com/';

function one(json: string): { name: string; value: string }[] {
  return libConfigToEnv(json) as { name: string; value: string }[];
}

describe('lib-injection §5.1 fields and formatting', () => {
  const rows: [string, unknown, string, string][] = [
    ['service_name', 'checkout', 'DD_SERVICE', 'checkout'],
    ['env', 'prod', 'DD_ENV', 'prod'],
    ['tracing_enabled', true, 'DD_TRACE_ENABLED', 'true'],
    ['tracing_enabled', false, 'DD_TRACE_ENABLED', 'false'],
    ['log_injection_enabled', true, 'DD_LOGS_INJECTION', 'true'],
    ['health_metrics_enabled', false, 'DD_TRACE_HEALTH_METRICS_ENABLED', 'false'],
    ['runtime_metrics_enabled', true, 'DD_RUNTIME_METRICS_ENABLED', 'true'],
    ['tracing_sampling_rate', 0.4, 'DD_TRACE_SAMPLE_RATE', '0.40'],
    ['tracing_sampling_rate', 1, 'DD_TRACE_SAMPLE_RATE', '1.00'],
    ['tracing_rate_limit', 100, 'DD_TRACE_RATE_LIMIT', '100'],
    ['tracing_tags', ['team:shop', 'tier:web'], 'DD_TAGS', 'team:shop,tier:web'],
    [
      'tracing_service_mapping',
      [{ from_key: 'mysql', to_name: 'orders-db' }, { from_key: 'redis', to_name: 'cache' }],
      'DD_TRACE_SERVICE_MAPPING',
      'mysql:orders-db, redis:cache',
    ],
    ['tracing_agent_timeout', 5, 'DD_TRACE_AGENT_TIMEOUT', '5'],
    [
      'tracing_header_tags',
      [{ header: 'X-Request-Id', tag_name: 'http.request_id' }, { header: 'User-Agent', tag_name: 'http.ua' }],
      'DD_TRACE_HEADER_TAGS',
      'X-Request-Id:http.request_id, User-Agent:http.ua',
    ],
    ['tracing_partial_flush_min_spans', 500, 'DD_TRACE_PARTIAL_FLUSH_MIN_SPANS', '500'],
    ['tracing_debug', true, 'DD_TRACE_DEBUG', 'true'],
    ['tracing_log_level', 'debug', 'DD_TRACE_LOG_LEVEL', 'debug'],
    ['tracing_methods', ['com.example.A[run]', 'com.example.B[*]'], 'DD_TRACE_METHODS', 'com.example.A[run];com.example.B[*]'],
    ['tracing_propagation_style_inject', ['datadog', 'b3multi'], 'DD_PROPAGATION_STYLE_INJECT', 'datadog,b3multi'],
    ['tracing_propagation_style_extract', ['tracecontext', 'datadog'], 'DD_PROPAGATION_STYLE_EXTRACT', 'tracecontext,datadog'],
  ];
  for (const [field, value, env, expected] of rows) {
    it(`${field} ${JSON.stringify(value)} → ${env}="${expected}"`, () => {
      expect(one(JSON.stringify({ [field]: value }))).toEqual([{ name: env, value: expected }]);
    });
  }

  it('tracing_sampling_rate: float with two decimals (0.4 → 0.40, 1 → 1.00, also 0.5 → 0.50 and 0 → 0.00)', () => {
    expect(formatFixed2(0.4)).toBe('0.40');
    expect(formatFixed2(1)).toBe('1.00');
    expect(formatFixed2(0.5)).toBe('0.50');
    expect(formatFixed2(0)).toBe('0.00');
    expect(one('{"tracing_sampling_rate": 1.0}')).toEqual([{ name: 'DD_TRACE_SAMPLE_RATE', value: '1.00' }]);
  });

  it('vars are produced in the table order', () => {
    const all = {
      tracing_propagation_style_extract: ['e'],
      tracing_propagation_style_inject: ['i'],
      tracing_methods: ['m'],
      tracing_log_level: 'info',
      tracing_debug: false,
      tracing_partial_flush_min_spans: 1,
      tracing_header_tags: [{ header: 'h', tag_name: 't' }],
      tracing_agent_timeout: 2,
      tracing_service_mapping: [{ from_key: 'a', to_name: 'b' }],
      tracing_tags: ['x:y'],
      tracing_rate_limit: 3,
      tracing_sampling_rate: 0.5,
      runtime_metrics_enabled: true,
      health_metrics_enabled: true,
      log_injection_enabled: true,
      tracing_enabled: true,
      env: 'e',
      service_name: 's',
    };
    expect(libConfigToEnv(JSON.stringify(all)).map((e) => e.name)).toEqual([
      'DD_SERVICE',
      'DD_ENV',
      'DD_TRACE_ENABLED',
      'DD_LOGS_INJECTION',
      'DD_TRACE_HEALTH_METRICS_ENABLED',
      'DD_RUNTIME_METRICS_ENABLED',
      'DD_TRACE_SAMPLE_RATE',
      'DD_TRACE_RATE_LIMIT',
      'DD_TAGS',
      'DD_TRACE_SERVICE_MAPPING',
      'DD_TRACE_AGENT_TIMEOUT',
      'DD_TRACE_HEADER_TAGS',
      'DD_TRACE_PARTIAL_FLUSH_MIN_SPANS',
      'DD_TRACE_DEBUG',
      'DD_TRACE_LOG_LEVEL',
      'DD_TRACE_METHODS',
      'DD_PROPAGATION_STYLE_INJECT',
      'DD_PROPAGATION_STYLE_EXTRACT',
    ]);
  });

  it('library_language and library_version produce no env var; unknown fields are ignored', () => {
    expect(one('{"library_language":"java","library_version":"v1.20.0","unknown_field":42,"nested":{"a":1}}')).toEqual([]);
    expect(one('{"library_language":"java","service_name":"svc","whatever":[1,2]}')).toEqual([{ name: 'DD_SERVICE', value: 'svc' }]);
  });
});

describe('lib-injection §5.1 decoding rules', () => {
  it('invalid JSON → error', () => {
    for (const bad of ['{not json', '', '{"service_name": "x",}', "{'env':'x'}"]) expect(() => libConfigToEnv(bad)).toThrow();
  });

  it('integer fields reject fractional or exponent-form numbers: 1.5, 100.0, 1e2', () => {
    for (const field of ['tracing_rate_limit', 'tracing_agent_timeout', 'tracing_partial_flush_min_spans']) {
      for (const literal of ['1.5', '100.0', '1e2']) {
        expect(() => libConfigToEnv(`{"${field}": ${literal}}`), `${field}: ${literal}`).toThrow();
      }
    }
  });

  it('a string where a bool or number is expected is a decode error', () => {
    for (const json of [
      '{"tracing_enabled":"true"}',
      '{"tracing_debug":"false"}',
      '{"tracing_sampling_rate":"0.4"}',
      '{"tracing_rate_limit":"100"}',
      '{"log_injection_enabled":1}',
    ]) {
      expect(() => libConfigToEnv(json), json).toThrow();
    }
  });

  it('a non-array for a list field is a decode error', () => {
    for (const json of [
      '{"tracing_tags":"a:b"}',
      '{"tracing_methods":"m"}',
      '{"tracing_propagation_style_inject":"datadog"}',
      '{"tracing_propagation_style_extract":{}}',
      '{"tracing_service_mapping":{"from_key":"a","to_name":"b"}}',
      '{"tracing_header_tags":"X:y"}',
    ]) {
      expect(() => libConfigToEnv(json), json).toThrow();
    }
  });

  it('a field set to null counts as absent', () => {
    expect(one('{"service_name":null,"tracing_rate_limit":null,"tracing_tags":null,"tracing_enabled":null,"env":"prod"}')).toEqual([{ name: 'DD_ENV', value: 'prod' }]);
  });

  it('an empty list ([]) is present and gives the var with an empty value', () => {
    expect(one('{"tracing_tags":[]}')).toEqual([{ name: 'DD_TAGS', value: '' }]);
    expect(one('{"tracing_methods":[],"tracing_header_tags":[]}')).toEqual([
      { name: 'DD_TRACE_HEADER_TAGS', value: '' },
      { name: 'DD_TRACE_METHODS', value: '' },
    ]);
  });

  it('a top-level null gives no vars and no error', () => {
    expect(libConfigToEnv('null')).toEqual([]);
  });

  it('an empty object gives no vars', () => {
    expect(libConfigToEnv('{}')).toEqual([]);
  });
});

describe('lib-injection §5.1 injection into the pod', () => {
  it('vars are prepended with the shared rule, so they end up in reverse order before user vars', () => {
    const input = makePod({
      labels: OPT_IN,
      annotations: {
        [`${A}java-lib.version`]: 'v1',
        [`${A}java-lib.config.v1`]: '{"service_name":"svc","env":"prod","tracing_sampling_rate":0.4}',
      },
      containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }],
    });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(envOf(r.pod, 'app').slice(0, 4)).toEqual([
      { name: 'DD_TRACE_SAMPLE_RATE', value: '0.40' },
      { name: 'DD_ENV', value: 'prod' },
      { name: 'DD_SERVICE', value: 'svc' },
      { name: 'A', value: 'a' },
    ]);
    expectPatchGivesPod(input, r);
  });

  it('never overwrites an existing var of the same name', () => {
    const r = injectAutoInstrumentation(
      makePod({
        labels: OPT_IN,
        annotations: { [`${A}js-lib.version`]: 'v1', [`${A}js-lib.config.v1`]: '{"service_name":"svc","env":"prod"}' },
        containers: [{ name: 'app', env: [{ name: 'DD_SERVICE', value: 'mine' }] }],
      }),
      {},
      cfg,
    );
    expect(envValue(r.pod, 'app', 'DD_SERVICE')).toBe('mine');
    expect(envValue(r.pod, 'app', 'DD_ENV')).toBe('prod');
  });

  it('applied to containers and init containers, including the datadog-lib-* ones', () => {
    const r = injectAutoInstrumentation(
      makePod({
        labels: OPT_IN,
        annotations: { [`${A}python-lib.version`]: 'v1.18.0', [`${A}python-lib.config.v1`]: '{"tracing_rate_limit":50}' },
        initContainers: [{ name: 'migrate' }],
      }),
      {},
      cfg,
    );
    for (const c of ['app', 'migrate', 'datadog-lib-python-init']) expect(envValue(r.pod, c, 'DD_TRACE_RATE_LIMIT')).toBe('50');
  });

  it('an empty list in the annotation injects the var with an empty value', () => {
    const r = injectAutoInstrumentation(
      makePod({ labels: OPT_IN, annotations: { [`${A}ruby-lib.version`]: 'v1', [`${A}ruby-lib.config.v1`]: '{"tracing_tags":[]}' } }),
      {},
      cfg,
    );
    expect(envNames(r.pod, 'app')).toContain('DD_TAGS');
    expect(envValue(r.pod, 'app', 'DD_TAGS')).toBe('');
  });

  it('a top-level null annotation: no vars, no error, the library is still injected', () => {
    const r = injectAutoInstrumentation(
      makePod({ labels: OPT_IN, annotations: { [`${A}ruby-lib.version`]: 'v1', [`${A}ruby-lib.config.v1`]: 'null' } }),
      {},
      cfg,
    );
    expect(r.failure).toBeUndefined();
    expect(envNames(r.pod, 'app')).toEqual(['RUBYOPT']);
  });

  for (const [what, json] of [
    ['invalid JSON', '{"service_name": '],
    ['an integer field with 1.5', '{"tracing_rate_limit": 1.5}'],
    ['an integer field with 100.0', '{"tracing_agent_timeout": 100.0}'],
    ['an integer field with 1e2', '{"tracing_partial_flush_min_spans": 1e2}'],
    ['a string for a bool', '{"tracing_enabled": "yes"}'],
    ['a non-array list field', '{"tracing_tags": "a:b"}'],
  ] as const) {
    it(`${what} in the annotation → webhook failure, no patch at all`, () => {
      const input = makePod({ labels: OPT_IN, annotations: { [`${A}java-lib.version`]: 'v1', [`${A}java-lib.config.v1`]: json } });
      const r = injectAutoInstrumentation(input, {}, cfg);
      expect(r.failure).toBeDefined();
      expect(r.patch).toEqual([]);
      expect(r.pod).toEqual(input);
    });
  }

  it('invalid all-lib.config.v1 JSON → webhook failure, no patch at all', () => {
    const input = makePod({ labels: OPT_IN, annotations: { [`${A}java-lib.version`]: 'v1', [`${A}all-lib.config.v1`]: '[' } });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(r.failure).toBeDefined();
    expect(r.patch).toEqual([]);
  });
});

describe('lib-injection §5.1 decoding as Go encoding/json does (review findings)', () => {
  it('a float out of the float64 range is a decode error, not Infinity', () => {
    expect(() => libConfigToEnv('{"tracing_sampling_rate":1e400}')).toThrow(LibConfigError);
  });

  it('a huge float is printed like %.2f, never in exponent form', () => {
    expect(libConfigToEnv('{"tracing_sampling_rate":1e21}')).toEqual([{ name: 'DD_TRACE_SAMPLE_RATE', value: '1000000000000000000000.00' }]);
  });

  it('duplicate members: the last one in document order wins, whatever its case', () => {
    expect(libConfigToEnv('{"env":"a","ENV":"b","env":"c"}')).toEqual([{ name: 'DD_ENV', value: 'c' }]);
    expect(libConfigToEnv('{"ENV":"b","env":"c","Env":"d"}')).toEqual([{ name: 'DD_ENV', value: 'd' }]);
  });

  it('a type error in any occurrence fails the whole decode, even if a later one is valid', () => {
    expect(() => libConfigToEnv('{"tracing_rate_limit":1.5,"tracing_rate_limit":100}')).toThrow(/tracing_rate_limit/);
  });

  it('null resets a field set earlier in the object', () => {
    expect(libConfigToEnv('{"env":"a","env":null}')).toEqual([]);
  });

  it('integers are int64: beyond 2^53 kept exactly, beyond 2^63 rejected', () => {
    expect(libConfigToEnv('{"tracing_rate_limit":9007199254740993}')).toEqual([{ name: 'DD_TRACE_RATE_LIMIT', value: '9007199254740993' }]);
    expect(() => libConfigToEnv('{"tracing_rate_limit":9223372036854775808}')).toThrow(/64-bit integer/);
  });

  it('nested objects and strings with braces do not confuse member boundaries', () => {
    const text = '{"x":{"env":"no","a":[1,{"b":"}"}]},"service_name":"svc, {x}","tracing_service_mapping":[{"from_key":"a","to_name":"b"}]}';
    expect(libConfigToEnv(text)).toEqual([
      { name: 'DD_SERVICE', value: 'svc, {x}' },
      { name: 'DD_TRACE_SERVICE_MAPPING', value: 'a:b' },
    ]);
  });
});
