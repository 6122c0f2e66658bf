// The HTTP surface of the server: methods, content types, sizes, bad bodies, routes, and input that must not crash it.
import { connect as netConnect } from 'node:net';
import { Readable } from 'node:stream';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionReview, review, send, startServer, type TestServer } from './helpers.js';

const MiB = 1024 * 1024;
const VALID = JSON.stringify(admissionReview('admission.k8s.io/v1', { name: 'p', labels: { 'admission.datadoghq.com/enabled': 'true' } }));

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

describe('method and content type', () => {
  it.each(['GET', 'PUT', 'DELETE'])('%s on a webhook path is 405', async (method) => {
    const reply = await send(t, '/injectconfig', { method, ...(method === 'GET' ? { contentType: null } : { body: VALID }) });
    expect(reply.status).toBe(405);
    expect(reply.headers['allow']).toBe('POST');
    expect(t.logs.some((l) => l.includes(`| WARN |`) && l.endsWith(`| Invalid method ${method}, only POST requests are allowed`))).toBe(true);
  });

  it('rejects a content type that is not exactly application/json', async () => {
    const reply = await send(t, '/injectconfig', { body: VALID, contentType: 'application/json; charset=utf-8' });
    expect(reply.status).toBe(400);
    expect(reply.text).toBe('Unsupported content type application/json; charset=utf-8, only application/json is supported\n');
  });

  it('rejects a request without a content type', async () => {
    const reply = await send(t, '/injecttags', { body: VALID, contentType: null });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('Unsupported content type , only application/json is supported');
  });
});

describe('bodies that are not AdmissionReviews', () => {
  const cases: [string, string, string][] = [
    ['malformed JSON', '{"apiVersion": "admission.k8s.io/v1", ', 'Could not deserialize request: invalid JSON: '],
    ['a review without a request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'Could not deserialize request: the review has no request'],
    ['the wrong kind', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'u' } }), 'Could not deserialize request: kind must be AdmissionReview'],
    [
      'the wrong apiVersion',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: { uid: 'u' } }),
      'Could not deserialize request: apiVersion must be admission.k8s.io/v1 or v1beta1, got "admission.k8s.io/v2"',
    ],
    ['a request without uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }), 'Could not deserialize request: request.uid must be a string'],
    ['an empty body', '', 'Could not deserialize request: invalid JSON: '],
  ];
  it.each(cases)('%s is a 400 saying what is wrong', async (_, body, message) => {
    const reply = await send(t, '/injectconfig', { body });
    expect(reply.status).toBe(400);
    expect(reply.text.startsWith(message)).toBe(true);
  });
});

describe('body size', () => {
  it('answers 413 for a 4 MiB body announced by Content-Length, and closes the connection', async () => {
    const reply = await send(t, '/injectconfig', { body: Buffer.alloc(4 * MiB, 0x20) });
    expect(reply.status).toBe(413);
    expect(reply.headers['connection']).toBe('close');
    expect(reply.text).toBe(`request body larger than ${3 * MiB} bytes\n`);
  });

  it('answers 413 for a streamed (chunked) body once it passes the limit', async () => {
    const { request } = await import('undici');
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 0x20);
    }
    const res = await request(`${t.base}/injectconfig`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Readable.from(chunks()), dispatcher: t.client });
    expect(res.statusCode).toBe(413);
    expect(await res.body.text()).toBe(`request body larger than ${3 * MiB} bytes\n`);
  });

  it('honours a configured limit', async () => {
    const small = await startServer({ maxBodyBytes: 600 });
    try {
      expect(VALID.length).toBeLessThan(600);
      expect((await send(small, '/injectconfig', { body: VALID })).status).toBe(200);
      expect((await send(small, '/injectconfig', { body: VALID + ' '.repeat(600) })).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('routes', () => {
  it('serves /healthz and /readyz', async () => {
    expect(await send(t, '/healthz', { method: 'GET', contentType: null })).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await send(t, '/readyz', { method: 'GET', contentType: null })).toMatchObject({ status: 200, text: 'ok\n' });
  });

  it('answers 404 for any other path, and 405 for a POST to /healthz', async () => {
    expect((await send(t, '/', { body: VALID })).status).toBe(404);
    expect((await send(t, '/injectconfig/extra', { body: VALID })).status).toBe(404);
    expect((await send(t, '/healthz', { body: VALID })).status).toBe(405);
  });

  it('serves the webhook paths named in the configuration', async () => {
    const { config } = await import('./helpers.js');
    const custom = await startServer({ config: config({ admission_controller: { inject_config: { endpoint: '/config-please' } } }) });
    try {
      expect((await review(custom, '/config-please', JSON.parse(VALID) as object)).response.allowed).toBe(true);
      expect((await send(custom, '/injectconfig', { body: VALID })).status).toBe(404);
    } finally {
      await custom.close();
    }
  });
});

describe('robustness', () => {
  it('answers 400 to a request that is not HTTP and keeps serving', async () => {
    const raw = await rawTls(t, 'THIS IS NOT HTTP\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
    expect((await send(t, '/healthz', { method: 'GET', contentType: null })).status).toBe(200);
  });

  it('survives a client that aborts in the middle of a body, and one that is not TLS', async () => {
    const head = `POST /injectconfig HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":`;
    await rawTls(t, head, { abortAfterWrite: true });
    await new Promise<void>((resolve) => {
      const plain = netConnect(t.port, '127.0.0.1', () => plain.end('GET /healthz HTTP/1.1\r\n\r\n'));
      plain.on('close', () => resolve());
      plain.on('error', () => resolve());
    });
    expect((await send(t, '/healthz', { method: 'GET', contentType: null })).status).toBe(200);
    expect((await review(t, '/injectconfig', JSON.parse(VALID) as object)).response.allowed).toBe(true);
  });

  it('answers 500 when a handler throws, and keeps serving', async () => {
    let explode = true;
    const fragile = await startServer({
      wrapMetrics: (m) => ({
        ...m,
        received(w) {
          if (explode) throw new Error('boom');
          m.received(w);
        },
      }),
    });
    try {
      const reply = await send(fragile, '/injectconfig', { body: VALID });
      expect(reply.status).toBe(500);
      expect(fragile.logs.some((l) => l.includes('| ERROR |') && l.includes('Internal error while handling POST /injectconfig: Error: boom'))).toBe(true);
      explode = false;
      expect((await send(fragile, '/injectconfig', { body: VALID })).status).toBe(200);
    } finally {
      await fragile.close();
    }
  });
});

/** Writes raw bytes over a TLS connection that trusts the server, and returns what came back. */
function rawTls(server: TestServer, payload: string, options: { abortAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: server.ca, servername: 'localhost' }, () => {
      socket.write(payload);
      if (options.abortAfterWrite) socket.destroy();
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', () => {});
  });
}
