import { parseArgs } from 'node:util';
import { nearest } from '@dd-admission/core';
import type { z } from 'zod';
import { COMMANDS, flagLabel, isSubcommand, SUBCOMMANDS, valueSynopsis, type CommandName, type FlagSpec, type Subcommand } from './commands.js';
import { UsageError } from './errors.js';

/** A command line read against its command's flags. */
export interface CommandLine {
  /** Option values by key: every value given, in order, or true for a switch. */
  values: Record<string, string[] | true>;
  positionals: string[];
}

/** One flag or argument, as node:util's tokenizer saw it. */
export type Token = ReturnType<typeof tokenize>[number];

// A flag name means the same in every command (a test checks it), so one tokenizer serves all.
const TOKEN_OPTIONS = Object.fromEntries(
  Object.values(COMMANDS).flatMap((c) => c.flags.map((f) => [f.long, { type: f.value ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}) }] as const)),
);

/** Splits arguments into flags (with their values) and positionals; unknown flags come out as switches, never as errors. */
export function tokenize(args: readonly string[]) {
  return parseArgs({ args: [...args], options: TOKEN_OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** The command the arguments run (the first positional names a subcommand, else the preview) and the arguments without that name. */
export function splitCommand(args: readonly string[]): { name: CommandName; rest: string[] } {
  const first = tokenize(args).find((t) => t.kind === 'positional');
  if (first?.kind !== 'positional' || !isSubcommand(first.value)) return { name: 'preview', rest: [...args] };
  return { name: first.value, rest: args.filter((_, i) => i !== first.index) };
}

/** Reads the arguments of command `name` (its own name already removed); throws UsageError on a flag it cannot accept. */
export function readCommandLine(name: CommandName, args: readonly string[]): CommandLine {
  const line: CommandLine = { values: {}, positionals: [] };
  const firstFlag = new Map<string, { flag: FlagSpec; value: string }>();
  for (const token of tokenize(args)) {
    if (token.kind === 'positional') line.positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const flag = findFlag(name, token.name);
    if (!flag) throw new UsageError(notAnOption(name, token));
    if (!flag.value) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      line.values[flag.key] = true;
      continue;
    }
    const value = valueOf(token);
    if (value === undefined) throw new UsageError(`${token.rawName} needs a value`);
    const first = firstFlag.get(flag.key);
    if (first && !flag.repeatable && first.value !== value) {
      // The same flag twice names it as typed; two spellings of one option name the option.
      throw new UsageError(`${first.flag === flag ? token.rawName : flagLabel(first.flag)} given twice (${first.value} and ${value})`);
    }
    if (!first) firstFlag.set(flag.key, { flag, value });
    const values = line.values[flag.key];
    line.values[flag.key] = Array.isArray(values) ? [...values, value] : [value];
  }
  return line;
}

/** The values of a command line shaped for its command's schema: a repeatable flag's list (comma lists split), else the last value; true for a switch. */
export function optionValues(name: CommandName, line: CommandLine): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of COMMANDS[name].flags) {
    const given = line.values[flag.key];
    if (given === undefined || flag.key in out) continue;
    if (given === true) {
      out[flag.key] = true;
      continue;
    }
    const list = flag.value?.kind === 'choice' && flag.value.list ? given.flatMap((v) => v.split(',')).map((v) => v.trim()) : given;
    out[flag.key] = flag.repeatable ? list : list.at(-1);
  }
  return out;
}

/** The option values of a subcommand that takes no positional argument; throws UsageError when one is given. */
export function optionsWithoutFile(name: Subcommand, line: CommandLine): Record<string, unknown> {
  if (line.positionals.length > 0) {
    throw new UsageError(`'${name}' takes no file argument, got: ${line.positionals.join(' ')} (to preview a file named ${name}, write ./${name})`);
  }
  return optionValues(name, line);
}

/** The options of subcommand `name` (which takes no file) validated by `schema`; every error is a UsageError naming the subcommand. */
export function subcommandOptions<T extends z.ZodType>(name: Subcommand, argv: readonly string[], schema: T): z.output<T> {
  let values: Record<string, unknown>;
  try {
    values = optionsWithoutFile(name, readCommandLine(name, argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${name}: ${error.message}`);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new UsageError(`${name}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** The value a flag token carries; `-o=yaml` counts as `-o yaml`, as kubectl users type it. */
function valueOf(token: { rawName: string; value?: string | undefined; inlineValue?: boolean | undefined }): string | undefined {
  const shortWithEquals = token.inlineValue && !token.rawName.startsWith('--') && token.value?.startsWith('=');
  return shortWithEquals ? token.value!.slice(1) : token.value;
}

/** The flag of command `name` a token names (node:util gives a known short flag its long name). */
function findFlag(name: CommandName, long: string): FlagSpec | undefined {
  return COMMANDS[name].flags.find((f) => f.long === long);
}

/** Why a flag is refused: another command's (named), or unknown (with the nearest flag of this command). */
function notAnOption(name: CommandName, token: { name: string; rawName: string }): string {
  const owner = SUBCOMMANDS.find((s) => findFlag(s, token.name));
  const flag = owner && findFlag(owner, token.name);
  if (flag && name === 'preview') return `${token.rawName} is an option of '${owner}' (${owner} ${token.rawName}${flag.value ? ` ${valueSynopsis(flag.value)}` : ''})`;
  if (flag || findFlag('preview', token.name)) return `${token.rawName} is not an option of '${name}'`;
  const visible = COMMANDS[name].flags.filter((f) => !f.hidden).map((f) => `--${f.long}`);
  const hint = nearest(token.rawName, visible);
  return `unknown flag ${token.rawName}${hint ? ` (did you mean ${hint}?)` : ''}`;
}
