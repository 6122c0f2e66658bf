// Certificate hot reload: new handshakes get the new pair, open keep-alive connections keep working, bad pairs are refused.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createLogger } from '../src/logger.js';
import { watchTlsFiles, type TlsMaterial, type TlsSource } from '../src/tls.js';
import { certificate, startServer, type TestServer } from './helpers.js';

let dir: string;
let first: TlsMaterial;
let second: TlsMaterial;
let tls: TlsSource;
let t: TestServer;
const tlsLogs: string[] = [];

/** Replaces a file in one step, as a Secret volume update does. */
async function replace(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-tls-reload-'));
  [first, second] = await Promise.all([certificate('first'), certificate('second')]);
  await replace(join(dir, 'cert.pem'), first.cert);
  await replace(join(dir, 'key.pem'), first.key);
  const logger = createLogger({ level: 'info', format: 'text', sink: (l) => tlsLogs.push(l), clock: systemClock });
  tls = await watchTlsFiles({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), pollMs: 20, logger });
  t = await startServer({ tls });
});

afterAll(async () => {
  tls.close();
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

interface Seen {
  status: number;
  fingerprint: string;
  reused: boolean;
}

/** GET /healthz and report which certificate the server presented on that connection. */
function get(agent: Agent): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path: '/healthz', agent, ca: [first.cert, second.cert] }, (res: IncomingMessage) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls with fresh connections until `done` holds (bounded: the watcher checks every 20 ms). */
async function eventually(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition never held');
}

it('serves a new certificate on new connections while an open keep-alive connection keeps working', async () => {
  const kept = new Agent({ keepAlive: true, maxSockets: 1, ca: [first.cert, second.cert] });
  try {
    const before = await get(kept);
    expect(before).toEqual({ status: 200, fingerprint: first.fingerprint, reused: false });

    await replace(join(dir, 'key.pem'), second.key);
    await replace(join(dir, 'cert.pem'), second.cert);
    await eventually(async () => (await get(new Agent({ keepAlive: false, ca: [first.cert, second.cert] }))).fingerprint === second.fingerprint);
    expect(tls.current().fingerprint).toBe(second.fingerprint);
    expect(tlsLogs.some((l) => l.includes('| INFO |') && l.includes(`Reloaded the TLS certificate from ${join(dir, 'cert.pem')} (SHA-256 ${second.fingerprint}`))).toBe(true);

    // The connection opened before the reload is still alive and still speaks with the first certificate.
    const after = await get(kept);
    expect(after).toEqual({ status: 200, fingerprint: first.fingerprint, reused: true });
  } finally {
    kept.destroy();
  }
});

it('keeps the current pair and logs an error when the new files do not form a valid pair', async () => {
  const third = await certificate('third');
  await replace(join(dir, 'cert.pem'), third.cert); // the key on disk is still the second one
  await eventually(async () => tlsLogs.some((l) => l.includes('| ERROR |') && l.includes('the private key does not match the certificate')));
  expect(tls.current().fingerprint).toBe(second.fingerprint);
  expect((await get(new Agent({ keepAlive: false, ca: [first.cert, second.cert] }))).fingerprint).toBe(second.fingerprint);

  await replace(join(dir, 'cert.pem'), 'not a certificate');
  await eventually(async () => tlsLogs.some((l) => l.includes('| ERROR |') && l.includes('invalid certificate')));
  expect((await get(new Agent({ keepAlive: false, ca: [first.cert, second.cert] }))).status).toBe(200);
});
