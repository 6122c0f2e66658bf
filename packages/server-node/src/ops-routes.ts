import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookMetrics } from './metrics.js';
import { sendBody, sendText } from './respond.js';

/** The operational paths. */
export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Serves /healthz (alive), /readyz (alive and not shutting down) and /metrics (Prometheus text). */
export async function handleOps(req: IncomingMessage, res: ServerResponse, path: string, metrics: WebhookMetrics, closing: boolean): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, `method ${req.method ?? ''} not allowed`, { Allow: 'GET, HEAD' });
  if (path === '/healthz') return sendText(res, 200, 'ok');
  if (path === '/readyz') return closing ? sendText(res, 503, 'shutting down') : sendText(res, 200, 'ok');
  const { contentType, body } = await metrics.render();
  sendBody(res, 200, contentType, body);
}
