import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

// An address that swallows connections: it accepts them and never answers, not
// even the TLS handshake, as a firewall that drops the control plane's packets
// looks to a caller. A webhook call there waits out its timeout; a test sees the
// connection arrive and can then fire the deadline itself instead of sleeping.

/** A running black hole on 127.0.0.1. */
export interface Blackhole {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections received so far. */
  connections(): number;
  /** Resolves once `count` connections have arrived (default: one more than now). */
  connected(count?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a black hole on an ephemeral port. */
export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let received = 0;
  const server = createServer((socket) => {
    received++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    for (const w of waiters.filter((w) => received >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => received,
    connected(count = received + 1) {
      if (received >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
