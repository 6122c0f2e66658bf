import type { IncomingMessage } from 'node:http';

/** 3 MiB: the API server's own request limit, well above any pod the API server accepts. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The body is over the limit (answered 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body could not be read: the client aborted or the connection broke (nobody to answer). */
export class BodyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyReadError';
  }
}

/** Whether the request announces a body over `limit` (checked before reading anything). */
export function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const header = req.headers['content-length'];
  if (header === undefined) return false;
  const length = Number(header);
  return Number.isFinite(length) && length > limit;
}

/**
 * Reads the whole body, counting bytes as they stream in: past `limit` it stops
 * listening (nothing more is buffered) and rejects with BodyTooLargeError.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new BodyReadError(`could not read the request body: ${error.message}`));
    };
    // 'close' before 'end' means the client went away mid-body.
    const onClose = () => {
      cleanup();
      reject(new BodyReadError('the client closed the connection before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * After a 413 the rest of the body is not wanted, but closing at once makes many
 * clients lose the answer to a reset. Discard at most `maxBytes` more (never
 * buffered) for at most `maxMs`, then close the connection.
 */
export function discardThenClose(req: IncomingMessage, maxBytes: number, maxMs: number): void {
  const socket = req.socket;
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, maxMs);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) close();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  req.resume();
}
