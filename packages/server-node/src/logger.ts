import type { Clock } from './clock.js';

/** Log levels of the cluster agent, least to most severe; `off` silences everything. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Levels a line can be written at. */
export type LineLevel = Exclude<LogLevel, 'off'>;

export type LogFormat = 'text' | 'json';

/** Where a line comes from, printed as `(file:line in func)` like the cluster agent. */
export interface LogSite {
  file: string;
  line: number;
  func: string;
}

/** A level-filtered logger writing whole lines to an injected sink. */
export interface Logger {
  /** Whether a line at `level` would be written: check before building costly messages. */
  enabled(level: LineLevel): boolean;
  log(level: LineLevel, site: LogSite, message: string): void;
  trace(site: LogSite, message: string): void;
  debug(site: LogSite, message: string): void;
  info(site: LogSite, message: string): void;
  warn(site: LogSite, message: string): void;
  error(site: LogSite, message: string): void;
  critical(site: LogSite, message: string): void;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Receives one complete line, without the trailing newline. */
  sink: (line: string) => void;
  clock: Clock;
}

const RANK: Readonly<Record<LogLevel, number>> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, critical: 5, off: 6 };

/** Maps a configured `log_level` (the agent also accepts `warning`) to a level. */
export function toLogLevel(value: string): LogLevel {
  const v = value.toLowerCase();
  if (v === 'warning') return 'warn';
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : 'info';
}

/** Creates a logger; nothing is global, each server or test makes its own. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const render = options.format === 'json' ? jsonLine : textLine;
  const enabled = (level: LineLevel) => RANK[level] >= threshold;
  const log = (level: LineLevel, site: LogSite, message: string) => {
    if (!enabled(level)) return;
    options.sink(render(formatTimestamp(options.clock.now()), level, site, message));
  };
  return {
    enabled,
    log,
    trace: (site, message) => log('trace', site, message),
    debug: (site, message) => log('debug', site, message),
    info: (site, message) => log('info', site, message),
    warn: (site, message) => log('warn', site, message),
    error: (site, message) => log('error', site, message),
    critical: (site, message) => log('critical', site, message),
  };
}

/** `2026-11-27 10:00:00 UTC`: the cluster agent's `2006-01-02 15:04:05 MST` layout, always in UTC. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `<TIMESTAMP> | CLUSTER | LEVEL | (file:line in func) | message`. */
function textLine(time: string, level: LineLevel, site: LogSite, message: string): string {
  return `${time} | CLUSTER | ${level.toUpperCase()} | (${site.file}:${site.line} in ${site.func}) | ${oneLine(message)}`;
}

/** The cluster agent's JSON log layout (`log_format_json`): one object per line. */
function jsonLine(time: string, level: LineLevel, site: LogSite, message: string): string {
  return JSON.stringify({
    agent: 'cluster',
    time,
    level: level.toUpperCase(),
    file: site.file,
    line: String(site.line),
    func: site.func,
    msg: message,
  });
}

// A message carrying a newline (an error from a body, say) must not forge a second log line.
function oneLine(message: string): string {
  return /[\r\n]/.test(message) ? message.replace(/\r?\n|\r/g, '\\n') : message;
}
