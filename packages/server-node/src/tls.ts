import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from './logger.js';
import { SITES } from './log-lines.js';

/** A validated certificate and key pair in PEM, with what metrics and logs need. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** notAfter of the (first) certificate, epoch ms. */
  notAfter: number;
  /** SHA-256 fingerprint, to tell pairs apart in logs. */
  fingerprint: string;
}

/** Where the server gets its certificate: fixed (dev), file-backed with reload, or the controllers' Secret. */
export interface TlsSource {
  current(): TlsMaterial;
  /** Calls `listener` with each new valid pair; returns the unsubscribe function. */
  onChange(listener: (material: TlsMaterial) => void): () => void;
  /** Stops watching. */
  close(): void;
}

/** The pair is unusable (bad PEM, key not matching the certificate). */
export class TlsMaterialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsMaterialError';
  }
}

/** Validates a PEM pair the way the TLS stack will use it. */
export function tlsMaterial(cert: string, key: string): TlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new TlsMaterialError(`invalid certificate: ${(error as Error).message}`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new TlsMaterialError('the private key does not match the certificate');
    createSecureContext({ cert, key });
  } catch (error) {
    if (error instanceof TlsMaterialError) throw error;
    throw new TlsMaterialError(`invalid private key: ${(error as Error).message}`);
  }
  return { cert, key, notAfter: Date.parse(x509.validTo), fingerprint: x509.fingerprint256 };
}

/** The TLS options of the webhook server: TLS 1.3 minimum, 1.0 with `cluster_agent.allow_legacy_tls`. */
export function secureContextOptions(material: TlsMaterial, allowLegacyTls: boolean): SecureContextOptions {
  return { cert: material.cert, key: material.key, minVersion: allowLegacyTls ? 'TLSv1' : 'TLSv1.3' };
}

/** A source that never changes (the in-memory dev certificate). */
export function staticTls(material: TlsMaterial): TlsSource {
  return { current: () => material, onChange: () => () => {}, close: () => {} };
}

/** A source its owner switches to a new pair (the Secret-backed certificate of the controllers). */
export interface TlsHolder extends TlsSource {
  /** Serves `material` from now on (new handshakes); a pair with the same fingerprint changes nothing. */
  set(material: TlsMaterial): void;
}

/** A source that starts with `initial` and changes when told to. */
export function tlsHolder(initial: TlsMaterial): TlsHolder {
  let material = initial;
  const listeners = new Set<(m: TlsMaterial) => void>();
  return {
    current: () => material,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => listeners.clear(),
    set(next) {
      if (next.fingerprint === material.fingerprint && next.key === material.key) return;
      material = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}

export interface TlsFilesOptions {
  certFile: string;
  keyFile: string;
  /** How often the files' metadata is checked. */
  pollMs: number;
  logger: Logger;
}

/**
 * Loads the pair from files (throws when the first load fails), then polls the
 * files' metadata. Polling, not fs.watch: a mounted Secret is updated by swapping
 * a symlinked directory, which watchers on the old inode never see. A new pair
 * that does not validate keeps the old one in service and logs an error.
 */
export async function watchTlsFiles(options: TlsFilesOptions): Promise<TlsSource> {
  const { certFile, keyFile, logger } = options;
  let material = await loadPair(certFile, keyFile);
  let seen = await signature(certFile, keyFile);
  let checking = false;
  const listeners = new Set<(m: TlsMaterial) => void>();

  const check = async () => {
    const now = await signature(certFile, keyFile).catch((e: Error) => `unreadable: ${e.message}`);
    if (now === seen) return;
    seen = now;
    try {
      material = await loadPair(certFile, keyFile);
    } catch (error) {
      logger.error(SITES.tls, `Could not reload the TLS certificate from ${certFile} and ${keyFile}, keeping the current one: ${(error as Error).message}`);
      return;
    }
    logger.info(SITES.tls, `Reloaded the TLS certificate from ${certFile} (SHA-256 ${material.fingerprint}, valid until ${new Date(material.notAfter).toISOString()})`);
    for (const listener of listeners) listener(material);
  };

  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check().finally(() => (checking = false));
  }, options.pollMs);
  timer.unref();

  return {
    current: () => material,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => clearInterval(timer),
  };
}

async function loadPair(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return tlsMaterial(cert, key);
}

async function signature(certFile: string, keyFile: string): Promise<string> {
  const [c, k] = await Promise.all([stat(certFile), stat(keyFile)]);
  return `${c.ino}:${c.size}:${c.mtimeMs}|${k.ino}:${k.size}:${k.mtimeMs}`;
}
