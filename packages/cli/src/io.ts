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

/** The most an input file may hold: parsing takes about a hundred times the text in memory. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Reads a file, or standard input for `-`; an unreadable or oversized input becomes an InputError naming it. */
export async function readText(path: string, io: Io): Promise<string> {
  const text = await (path === '-' ? readStdin(io.stdin) : readFileText(path, io));
  if (text === undefined || Buffer.byteLength(text) > MAX_INPUT_BYTES) throw tooLarge(path);
  return text;
}

async function readFileText(path: string, io: Io): Promise<string | undefined> {
  try {
    return await io.readFile(path);
  } catch (e) {
    // Node refuses files over 2 GiB, or strings over about 512 MiB, before our limit can.
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_FS_FILE_TOO_LARGE' || code === 'ERR_STRING_TOO_LONG') return undefined;
    throw new InputError([{ location: { file: path }, message: `cannot read: ${describeFsError(e)}` }]);
  }
}

function tooLarge(path: string): InputError {
  const limit = `${MAX_INPUT_BYTES / 1024 / 1024} MiB`;
  return new InputError([{ location: { file: displayName(path) }, message: `refused: larger than ${limit}, the most dd-mutate reads (split the input into smaller files)` }]);
}

/** The display name of an input path. */
export function displayName(path: string): string {
  return path === '-' ? STDIN_NAME : path;
}

/** Standard input, or undefined as soon as it grows past MAX_INPUT_BYTES (the rest is not read). */
async function readStdin(stdin: AsyncIterable<string | Uint8Array>): Promise<string | undefined> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of stdin) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (bytes > MAX_INPUT_BYTES) return undefined;
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
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
