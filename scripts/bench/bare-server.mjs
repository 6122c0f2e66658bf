// The baseline of the server benchmark: a bare node:https server that reads the
// request body and answers one constant AdmissionReview. Prints its port.
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [certFile, keyFile] = process.argv.slice(2);
const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
});
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.3', keepAliveTimeout: 120_000 }, (req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on port ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
