import { CONFIG_KEYS } from '@dd-admission/core';
import { splitCommand, tokenize, type Token } from './command-line.js';
import { COMMANDS, SUBCOMMANDS, type CommandName, type FlagSpec, type ValueSpec } from './commands.js';

// Completion from the command declaration, answered in cobra's `__complete`
// format: one candidate a line (`value<TAB>description`), then `:<directive>`.
// kubectl (1.26+) runs kubectl_complete-dd_mutate with the words after
// `kubectl dd-mutate` and reads this format; our own shell scripts read it too.

/** Cobra's ShellCompDirective bits. */
export const DIRECTIVE = { default: 0, error: 1, noSpace: 2, noFileComp: 4 } as const;

/** One completion: the text to insert and, for menus, what it is. */
export interface Candidate {
  value: string;
  description?: string;
}

/** What to offer, and how the shell should treat it (a DIRECTIVE sum; default lets the shell complete file names when there are no candidates). */
export interface Completion {
  candidates: Candidate[];
  directive: number;
}

const NOTHING: Completion = { candidates: [], directive: DIRECTIVE.noFileComp };
const FILES: Completion = { candidates: [], directive: DIRECTIVE.default };

/** Completes the last of `words` (the words after the program name; the last is the one being typed, maybe empty). */
export function complete(words: readonly string[]): Completion {
  const current = words.at(-1) ?? '';
  const { name, rest } = splitCommand(words.slice(0, -1));
  const tokens = tokenize(rest);
  if (tokens.some((t) => t.kind === 'option-terminator')) return completeArgument(name, tokens, current);
  const last = tokens.at(-1);
  const pending = last?.kind === 'option' && last.value === undefined ? flagOf(name, last.name) : undefined;
  if (pending?.value) return completeValue(pending.value, current);
  if (current.startsWith('--') && current.includes('=')) {
    // `--output=ya`: as cobra, the candidates are values; the shell keeps the `--output=` in front.
    const at = current.indexOf('=');
    const flag = flagOf(name, current.slice(2, at));
    return flag?.value ? completeValue(flag.value, current.slice(at + 1)) : NOTHING;
  }
  if (current.startsWith('-')) return completeFlags(name, tokens, current);
  return completeArgument(name, tokens, current);
}

/** The completion as cobra's `__complete` prints it; without descriptions for shells that show none. */
export function formatCompletion(completion: Completion, descriptions: boolean): string {
  const lines = completion.candidates.map((c) => (descriptions && c.description ? `${c.value}\t${c.description}` : c.value));
  return [...lines, `:${completion.directive}`].join('\n') + '\n';
}

function flagOf(name: CommandName, long: string): FlagSpec | undefined {
  return COMMANDS[name].flags.find((f) => f.long === long && !f.hidden);
}

/** The command's flags that start with what is typed; a flag already given is offered again only when it repeats. */
function completeFlags(name: CommandName, tokens: readonly Token[], current: string): Completion {
  const given = new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  const candidates = COMMANDS[name].flags
    .filter((f) => !f.hidden && (f.repeatable || !given.has(f.long)))
    .flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])].map((value) => ({ value, description: f.summary })))
    .filter((c) => c.value.startsWith(current));
  return { candidates, directive: DIRECTIVE.noFileComp };
}

/** A positional argument: the preview's subcommands, else files; a subcommand's own argument; nothing more once given. */
function completeArgument(name: CommandName, tokens: readonly Token[], current: string): Completion {
  const given = tokens.filter((t) => t.kind === 'positional').length;
  if (name === 'preview' && given === 0) {
    // Files would hide the subcommands: they are offered once what is typed names no subcommand.
    const subcommands = SUBCOMMANDS.filter((s) => s.startsWith(current)).map((s) => ({ value: s, description: COMMANDS[s].summary }));
    return subcommands.length > 0 ? { candidates: subcommands, directive: DIRECTIVE.noFileComp } : FILES;
  }
  const argument = COMMANDS[name].argument;
  return argument && given === 0 ? completeValue(argument.value, current) : NOTHING;
}

function completeValue(value: ValueSpec, current: string): Completion {
  switch (value.kind) {
    case 'file':
      return FILES;
    case 'text':
      return NOTHING;
    case 'setting':
      return completeSetting(current);
    case 'choice': {
      // A comma list completes its last item; the items before stay.
      const head = value.list ? current.slice(0, current.lastIndexOf(',') + 1) : '';
      const taken = new Set(head.split(','));
      const candidates = value.choices.filter((c) => !taken.has(c) && (head + c).startsWith(current)).map((c) => ({ value: head + c }));
      return { candidates, directive: DIRECTIVE.noFileComp };
    }
  }
}

/** `--set`: configuration keys (dotted, or DD_* names once typed so), then true/false for a boolean key. */
function completeSetting(current: string): Completion {
  const at = current.indexOf('=');
  if (at >= 0) {
    const key = current.slice(0, at);
    const info = CONFIG_KEYS.find((k) => k.key === key || k.env === key);
    const values = info?.type === 'boolean' ? ['true', 'false'] : [];
    return { candidates: values.map((v) => ({ value: `${key}=${v}` })).filter((c) => c.value.startsWith(current)), directive: DIRECTIVE.noFileComp };
  }
  const byEnv = current.startsWith('DD_');
  const candidates = CONFIG_KEYS.map((k) => ({ value: `${byEnv ? k.env : k.key}=`, description: k.default === undefined ? k.type : `${k.type}, default ${JSON.stringify(k.default)}` })).filter(
    (c) => c.value.startsWith(current),
  );
  return { candidates, directive: DIRECTIVE.noFileComp | DIRECTIVE.noSpace };
}
