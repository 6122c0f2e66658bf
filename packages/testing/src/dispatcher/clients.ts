import { Agent, type Dispatcher } from 'undici';

// The API server keeps one HTTP client per webhook client configuration and reuses
// its keep-alive connections across requests; this is the same cache, keyed by the
// CA bundle (the only TLS setting a webhook registration carries).

/** Keep-alive HTTPS clients for webhook calls, one per CA bundle. */
export interface WebhookClients {
  /** The client that trusts exactly `caPem` (the system roots when undefined). */
  agentFor(caPem: string | undefined): Dispatcher;
  /** Closes every connection; the clients must not be used afterwards. */
  close(): Promise<void>;
}

/** Creates an empty client cache; close it when the test is done. */
export function createWebhookClients(): WebhookClients {
  const agents = new Map<string, Agent>();
  return {
    agentFor(caPem) {
      const key = caPem ?? '';
      const existing = agents.get(key);
      if (existing) return existing;
      // rejectUnauthorized stays at its default (true): the whole point is to verify against the bundle.
      const agent = new Agent({ connect: caPem === undefined ? {} : { ca: caPem }, keepAliveTimeout: 30_000 });
      agents.set(key, agent);
      return agent;
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      // destroy, not close: a call abandoned at its deadline may still be connecting to an address that never answers.
      await Promise.all(all.map((a) => a.destroy()));
    },
  };
}
