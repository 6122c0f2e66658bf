import { InputError } from './errors.js';

/** Everything the CLI needs from the outside world, injected so tests can run it in-process. */
export interface Io {
  stdin: AsyncIterable<string | Uint8Array>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readFile(path: string): Promise<string>;
  isTTY: { stdout: boolean; stderr: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** The name used for standard input in messages. */
export const STDIN_NAME = '<stdin>';

/** Reads a file, or standard input for `-`; an unreadable file becomes an InputError naming it. */
export async function readText(path: string, io: Io): Promise<string> {
  if (path === '-') return readStdin(io.stdin);
  try {
    return await io.readFile(path);
  } catch (e) {
    throw new InputError([{ location: { file: path }, message: `cannot read: ${describeFsError(e)}` }]);
  }
}

/** The display name of an input path. */
export function displayName(path: string): string {
  return path === '-' ? STDIN_NAME : path;
}

async function readStdin(stdin: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

// Node's messages embed the path (possibly absolute); the caller already names the file.
function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}
