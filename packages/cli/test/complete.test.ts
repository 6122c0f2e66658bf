import { CONFIG_KEYS } from '@dd-admission/core';
import { describe, expect, it } from 'vitest';
import { COMMANDS, SUBCOMMANDS, type CommandName, type CommandSpec } from '../src/commands.js';
import { complete, DIRECTIVE, formatCompletion } from '../src/complete.js';

const values = (words: string[]) => complete(words).candidates.map((c) => c.value);
const directive = (words: string[]) => complete(words).directive;
/** The words that put `name` in charge: the preview needs none. */
const typed = (name: CommandName) => (name === 'preview' ? [] : [name]);

describe('complete', () => {
  it('offers the subcommands first, files once what is typed names none', () => {
    expect(values([''])).toEqual([...SUBCOMMANDS]);
    expect(values(['c'])).toEqual(['config', 'completion']);
    expect(complete(['deploy'])).toEqual({ candidates: [], directive: DIRECTIVE.default });
    // The preview takes one file: nothing more to offer after it.
    expect(complete(['pod.yaml', ''])).toEqual({ candidates: [], directive: DIRECTIVE.noFileComp });
  });

  it("offers every command's visible flags, each described; hidden aliases stay hidden", () => {
    for (const [name, spec] of Object.entries(COMMANDS) as [CommandName, CommandSpec][]) {
      const offered = complete([...typed(name), '--']);
      expect(offered.candidates.map((c) => c.value)).toEqual(spec.flags.filter((f) => !f.hidden).map((f) => `--${f.long}`));
      expect(offered.candidates.every((c) => c.description)).toBe(true);
      expect(offered.directive).toBe(DIRECTIVE.noFileComp);
    }
    // config spells the install namespace -n/--namespace; its --agent-namespace alias stays hidden.
    expect(values(['config', '--agent-n'])).toEqual([]);
  });

  it('offers a flag given once no more, a repeatable one again', () => {
    expect(values(['-o', 'yaml', '--o'])).toEqual([]);
    expect(values(['--webhook', 'tags', '--web'])).toEqual(['--webhook']);
    // A lone - starts a flag, as in cobra (standard input is still typed as -).
    expect(values(['-'])).toContain('-o');
    expect(values(['-', '--st'])).toEqual(['--strict']);
  });

  it("offers every choice of every command's choice flags, after the flag or its =", () => {
    for (const [name, spec] of Object.entries(COMMANDS) as [CommandName, CommandSpec][]) {
      for (const flag of spec.flags.filter((f) => f.value?.kind === 'choice' && !f.hidden)) {
        const choices = flag.value?.kind === 'choice' ? [...flag.value.choices] : [];
        expect(values([...typed(name), `--${flag.long}`, '']), `${name} --${flag.long}`).toEqual(choices);
        expect(values([...typed(name), `--${flag.long}=`]), `${name} --${flag.long}=`).toEqual(choices);
        if (flag.short) expect(values([...typed(name), `-${flag.short}`, ''])).toEqual(choices);
      }
    }
    expect(values(['config', '-o', 'j'])).toEqual(['json']);
    expect(values(['--output=ya'])).toEqual(['yaml']);
    expect(values(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes the last item of a comma list, without repeating the ones before', () => {
    expect(values(['--webhook', 'config,'])).toEqual(['config,tags', 'config,auto-instrumentation']);
    expect(values(['--distribution', 'eks,gke-'])).toEqual(['eks,gke-autopilot', 'eks,gke-private']);
  });

  it('doctor: its own flags, the distributions it knows, files for --from', () => {
    expect(values(['doctor', '--no'])).toEqual(['--no-probe']);
    expect(values(['doctor', '-'])).toEqual(expect.arrayContaining(['-n', '-A', '-o']));
    expect(values(['doctor', '--distribution', 'rancher,gke-'])).toEqual(['rancher,gke-autopilot', 'rancher,gke-private']);
    expect(complete(['doctor', '--from', ''])).toEqual({ candidates: [], directive: DIRECTIVE.default });
    expect(complete(['doctor', '--from', 'a.yaml', '--fr'])).toEqual(complete(['doctor', '--fr']));
  });

  it('leaves files to the shell for file flags, offers nothing for free text', () => {
    expect(complete(['--helm-values', ''])).toEqual({ candidates: [], directive: DIRECTIVE.default });
    expect(complete(['status', '--kubeconfig', 'k'])).toEqual({ candidates: [], directive: DIRECTIVE.default });
    expect(complete(['-n', ''])).toEqual({ candidates: [], directive: DIRECTIVE.noFileComp });
  });

  it('--set: configuration keys (or DD_* names) with =, then true/false for a boolean', () => {
    const keys = complete(['--set', 'admission_controller.inject_config.']);
    expect(keys.directive).toBe(DIRECTIVE.noFileComp | DIRECTIVE.noSpace);
    expect(keys.candidates).toContainEqual({ value: 'admission_controller.inject_config.mode=', description: 'string, default "hostip"' });
    expect(values(['--set', ''])).toHaveLength(CONFIG_KEYS.length);
    expect(values(['--set', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MO'])).toEqual(['DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE=']);
    expect(values(['--set', 'admission_controller.enabled='])).toEqual(['admission_controller.enabled=true', 'admission_controller.enabled=false']);
    expect(values(['--set', 'DD_ADMISSION_CONTROLLER_ENABLED=f'])).toEqual(['DD_ADMISSION_CONTROLLER_ENABLED=false']);
    expect(directive(['--set', 'admission_controller.port='])).toBe(DIRECTIVE.noFileComp);
  });

  it('completes after -- as positionals only', () => {
    expect(complete(['--', '-'])).toEqual({ candidates: [], directive: DIRECTIVE.default });
  });
});

describe('formatCompletion', () => {
  it("prints cobra's format: value<TAB>description lines, then :directive", () => {
    const completion = { candidates: [{ value: 'yaml', description: 'YAML' }, { value: 'json' }], directive: 6 };
    expect(formatCompletion(completion, true)).toBe('yaml\tYAML\njson\n:6\n');
    expect(formatCompletion(completion, false)).toBe('yaml\njson\n:6\n');
  });
});
