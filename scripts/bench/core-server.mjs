// A reference for the server benchmark: the bare node:https server of bare-server.mjs,
// but answering with what the core computes (JSON decode, review validation, the
// config webhook, JSON encode) and nothing else: no routing, limits, deadline, metrics
// or logs. Our server / this one is the cost of our adapter; this one / the bare
// server is the most any server built on the core can reach. Prints its port.
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const core = await import(new URL('../../packages/core/dist/index.js', import.meta.url).href);
const config = core.parseConfigOrThrow({ origin: 'bench', values: {} });
const context = { agentNamespace: 'datadog', owners: [], ownerErrors: {} };

const [certFile, keyFile] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.3', keepAliveTimeout: 120_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const review = core.parseAdmissionReview(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    const answer = core.encodeReviewResponse(core.reviewWebhook(review, 'config', context, config).response);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(answer)) });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on port ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
