import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A pod CREATE review like the API server sends for a Deployment's pod, opted in by label. */
export function sampleReview(uid: string): object {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'default',
      operation: 'CREATE',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: 'example-pod-123456789-',
          namespace: 'default',
          labels: {
            'admission.datadoghq.com/enabled': 'true',
            'tags.datadoghq.com/env': 'dev',
            'tags.datadoghq.com/service': 'example',
            'tags.datadoghq.com/version': '1.0.0',
          },
          annotations: { 'admission.datadoghq.com/python-lib.version': 'v1.18.0' },
        },
        spec: { containers: [{ name: 'app', image: 'python:3.12' }] },
      },
      dryRun: false,
    },
  };
}

/** Files a dev user points curl at. */
export interface DevFiles {
  caFile: string;
  reviewFile: string;
}

/** Writes the CA bundle and the sample review under the temp directory (the only writable place in the image). */
export async function writeDevFiles(caPem: string, review: object): Promise<DevFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'dd-admission-webhook-'));
  const files = { caFile: join(dir, 'ca.pem'), reviewFile: join(dir, 'review.json') };
  await writeFile(files.caFile, caPem);
  await writeFile(files.reviewFile, `${JSON.stringify(review, null, 2)}\n`);
  return files;
}

export interface BannerInput {
  caPem: string;
  port: number;
  files?: DevFiles;
  paths: readonly string[];
}

/** What `--dev` prints: the CA bundle (PEM and base64, as a caBundle field wants it) and ready-to-use curl lines. */
export function devBanner(input: BannerInput): string {
  const base = `https://localhost:${input.port}`;
  const ca = input.files?.caFile ?? 'ca.pem';
  const review = input.files?.reviewFile ?? 'review.json';
  const curl = (path: string) => `curl --cacert ${ca} -H 'Content-Type: application/json' --data @${review} ${base}${path}`;
  return [
    `dd-admission-webhook (dev) listening on port ${input.port}`,
    '',
    'CA bundle (PEM):',
    input.caPem.trimEnd(),
    '',
    'CA bundle (base64, for a webhook caBundle):',
    Buffer.from(input.caPem).toString('base64'),
    '',
    input.files ? `Sample AdmissionReview: ${input.files.reviewFile}` : 'Save the CA bundle above as ca.pem and an AdmissionReview as review.json, then:',
    'Try it:',
    ...input.paths.map(curl),
    `curl --cacert ${ca} ${base}/metrics`,
    '',
  ].join('\n');
}
