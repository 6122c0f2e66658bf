import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args.js';
import { readCommandLine } from '../src/command-line.js';
import { COMMANDS, SUBCOMMANDS, type CommandName, type CommandSpec } from '../src/commands.js';
import { helpText } from '../src/help.js';

const allFlags = (Object.entries(COMMANDS) as [CommandName, CommandSpec][]).flatMap(([command, spec]) => spec.flags.map((flag) => ({ command, flag })));

describe('the command declaration', () => {
  it('gives a flag name one meaning in every command (one tokenizer reads them all)', () => {
    for (const { command, flag } of allFlags) {
      for (const other of allFlags.filter((o) => o.flag.long === flag.long)) {
        expect({ takesValue: Boolean(other.flag.value), short: other.flag.short }, `--${flag.long} in ${command} and ${other.command}`).toEqual({
          takesValue: Boolean(flag.value),
          short: flag.short,
        });
      }
    }
  });

  it('gives every subcommand a help text and a usage', () => {
    for (const name of SUBCOMMANDS) {
      expect(parseArgs([name, '--help'])).toEqual({ kind: 'help', subcommand: name });
      expect(helpText('dd-mutate', name)).toMatch(new RegExp(`^Usage: dd-mutate ${name}`));
    }
  });

  it('reads every flag of every command, in the separate and = forms', () => {
    for (const { command, flag } of allFlags) {
      const value = flag.value?.kind === 'choice' ? flag.value.choices[0]! : 'v';
      const args = flag.value ? [`--${flag.long}`, value] : [`--${flag.long}`];
      const expected = flag.value ? [value] : true;
      expect(readCommandLine(command, args).values[flag.key], `${command} ${args.join(' ')}`).toEqual(expected);
      if (flag.value) expect(readCommandLine(command, [`--${flag.long}=${value}`]).values[flag.key]).toEqual(expected);
    }
  });
});
