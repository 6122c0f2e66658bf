import type { ChildProcess } from 'node:child_process';

// A child process's output as lines, as they come, with a way to wait for one: tests
// synchronise on what a server says (its port, a log line), never on time.

export type OutputStream = 'stdout' | 'stderr';

/** A watched process: its lines so far, a wait for a line, and its exit code (null after a signal). */
export interface WatchedProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** The first line (past or future) of `stream` matching `match`; rejects if the process exits first. */
  waitFor(stream: OutputStream, match: RegExp): Promise<RegExpExecArray>;
  exit: Promise<number | null>;
}

interface Waiter {
  stream: OutputStream;
  match: RegExp;
  resolve: (m: RegExpExecArray) => void;
  reject: (e: Error) => void;
}

/** Starts collecting the lines of a child spawned with piped stdout and stderr. */
export function watchProcess(child: ChildProcess): WatchedProcess {
  const lines: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const waiters: Waiter[] = [];
  const feed = (stream: OutputStream) => {
    let rest = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines[stream].push(line);
        for (const w of [...waiters]) {
          const m = w.stream === stream ? w.match.exec(line) : null;
          if (!m) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  };
  feed('stdout');
  feed('stderr');
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      const output = [...lines.stdout, ...lines.stderr].slice(-40).join('\n');
      for (const w of waiters.splice(0)) w.reject(new Error(`the process exited (${code ?? 'signal'}) before printing ${w.match} on ${w.stream}; its last lines:\n${output}`));
      resolve(code);
    });
  });
  return {
    child,
    ...lines,
    exit,
    waitFor(stream, match) {
      const found = lines[stream].map((l) => match.exec(l)).find((m) => m !== null);
      if (found) return Promise.resolve(found);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`the process has exited; nothing on ${stream} matched ${match}`));
      return new Promise((resolve, reject) => waiters.push({ stream, match, resolve, reject }));
    },
  };
}
