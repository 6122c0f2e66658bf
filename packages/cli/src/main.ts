import { readFile } from 'node:fs/promises';
import { run } from './run.js';

// The only module that touches `process`: everything else gets an injected Io.

// `dd-mutate ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

run(process.argv, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path, 'utf8'),
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  env: process.env,
}).then(
  (status) => {
    // exitCode rather than exit(): let buffered output to a pipe drain first.
    process.exitCode = status;
  },
  (e: unknown) => {
    process.stderr.write(`dd-mutate: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
