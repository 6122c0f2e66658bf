import { accessSync, constants, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, KUBECTL_COMPLETE, spawnCli, tempDir } from './helpers.js';

// Completion through the real executables and the real shells: the engine answers
// `dd-mutate __complete`, kubectl runs kubectl_complete-dd_mutate, and each shell's
// script (from `dd-mutate completion <shell>`) calls the engine. A shell that is not
// installed is skipped, saying so.

/** PATH with the installed executables first, as after `export PATH=node_modules/.bin:$PATH`. */
const PATH = [dirname(BIN), process.env.PATH ?? ''].join(delimiter);

function installed(command: string): boolean {
  return PATH.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let dir: string;
const run = (bin: string, args: string[]) => spawnCli(args, { cwd: dir, bin, env: { PATH } });

beforeAll(() => {
  assertBuilt();
  dir = tempDir({ 'deployment.yaml': 'kind: Deployment\n' });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the completion engine, through the real executable', () => {
  it("answers __complete in cobra's format: candidates, descriptions after a tab, then :directive", async () => {
    const r = await run(BIN, ['__complete', 'c']);
    expect(r.stdout).toBe('config\tprint the effective admission configuration and where each value comes from\ncompletion\tprint the shell completion script\n:4\n');
    expect(r.status).toBe(0);
    expect((await run(BIN, ['__completeNoDesc', 'c'])).stdout).toBe('config\ncompletion\n:4\n');
    expect((await run(BIN, ['__complete', '--output=ya'])).stdout).toBe('yaml\n:4\n');
    expect((await run(BIN, ['__complete', 'deploy'])).stdout).toBe(':0\n');
  });

  it('kubectl_complete-dd_mutate answers the words after the plugin name', async () => {
    const r = await run(KUBECTL_COMPLETE, ['manifests', '--network-policy', '']);
    expect(r.stdout).toBe('kubernetes\ncilium\n:4\n');
    expect(r.status).toBe(0);
  });

  it('kubectl dd-mutate <TAB>: kubectl finds kubectl_complete-dd_mutate on PATH', async (ctx) => {
    ctx.skip(!installed('kubectl'), 'kubectl is not installed');
    const r = await run('kubectl', ['__complete', 'dd-mutate', '--webhook', 'config,']);
    expect(r.stdout).toBe('config,tags\nconfig,auto-instrumentation\n:4\n');
    expect((await run('kubectl', ['__completeNoDesc', 'dd-mutate', 'st'])).stdout).toBe('status\n:4\n');
  });

  it('completion: a script per shell; an unknown shell is a usage error', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await run(BIN, ['completion', shell]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^(#compdef dd-mutate\\n)?# ${shell} completion for dd-mutate`));
    }
    const bad = await run(BIN, ['completion', 'powershell']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('dd-mutate: completion: unknown shell "powershell" (expected bash, zsh, fish)\nUsage: dd-mutate completion bash|zsh|fish\n');
  });
});

// Bash calls the function with COMP_LINE/COMP_POINT and COMP_WORDS split at blanks, = and :,
// as readline does; compopt only works inside a real completion, so it is recorded instead.
const BASH_HARNESS = `source <(dd-mutate completion bash)
compopt() { options+=("$*"); }
complete_line() {
  COMP_LINE=$1 COMP_POINT=\${#1} options=() COMPREPLY=()
  read -r -a COMP_WORDS <<< "$(sed -E 's/([=:])/ \\1 /g' <<< "$1")"
  [[ $1 == *[[:space:]] ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
  _dd_mutate
  echo "\${COMPREPLY[*]} | \${options[*]}"
}
`;

describe('bash: the script run by bash', () => {
  const bash = async (lines: string[]) => {
    const r = await run('bash', ['--norc', '--noprofile', '-c', BASH_HARNESS + lines.map((l) => `complete_line ${JSON.stringify(l)}`).join('\n')]);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').slice(0, -1);
  };

  it('completes subcommands, flags and values, and leaves file names to bash', async (ctx) => {
    ctx.skip(!installed('bash'), 'bash is not installed');
    expect(
      await bash([
        'dd-mutate ',
        'dd-mutate --we',
        'dd-mutate -o ',
        'dd-mutate --output=ya',
        'dd-mutate --distribution=eks,gke-p',
        'dd-mutate --set admission_controller.inject_config.mo',
        'dd-mutate --set admission_controller.enabled=t',
        'dd-mutate deployment.yaml --strict -n ',
        'dd-mutate deploy',
      ]),
    ).toEqual([
      'config manifests status doctor completion | +o default',
      '--webhook | +o default',
      'diff yaml json patch | +o default',
      // Readline replaces the text after the last =: only the value is inserted.
      'yaml | +o default',
      'eks,gke-private | +o default',
      'admission_controller.inject_config.mode= | -o nospace +o default',
      'true | +o default',
      // Nothing to offer for a namespace, and no file names either.
      ' | +o default',
      // No candidates and no +o default: bash completes file names (complete -o default).
      ' | ',
    ]);
  });
});

// zsh completes inside its line editor only; the script's function runs with the completion
// system's _describe and _files replaced by recorders, on the words zsh would give it.
const ZSH_HARNESS = `compdef() { :; }
source <(dd-mutate completion zsh)
_describe() { print -r -- "\${(j:, :)\${(P)4}} | \${(j: :)\${(q-)@[5,-1]}}"; }
_files() { print -r -- 'files'; }
complete_words() { words=("$@"); CURRENT=$#words; _dd_mutate; }
`;

describe('zsh: the script run by zsh', () => {
  it('describes each candidate, keeps --flag= in front of values, falls back to files', async (ctx) => {
    ctx.skip(!installed('zsh'), 'zsh is not installed');
    const calls = [['dd-mutate', 'st'], ['dd-mutate', '--output=ya'], ['dd-mutate', '--set', 'admission_controller.enabled'], ['dd-mutate', 'deploy'], ['dd-mutate', '-n', '']];
    const r = await run('zsh', ['-f', '-c', ZSH_HARNESS + calls.map((words) => `complete_words ${words.map((w) => `'${w}'`).join(' ')}`).join('\n')]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, -1)).toEqual([
      'status:read the webhook configuration and certificate Secret from the cluster | ',
      "yaml | -P --output=",
      "admission_controller.enabled=:boolean, default false | -S ''",
      'files',
    ]);
  });
});

describe('fish: the script loaded by fish', () => {
  it('completes through fish itself (complete -C)', async (ctx) => {
    ctx.skip(!installed('fish'), 'fish is not installed');
    const lines = ['dd-mutate st', 'dd-mutate --output=ya', 'dd-mutate config -o ', 'dd-mutate deploy', 'dd-mutate -n '];
    const r = await run('fish', ['--no-config', '-c', ['dd-mutate completion fish | source', ...lines.map((l) => `complete -C ${JSON.stringify(l)}; echo ==`)].join('\n')]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('==\n')).toEqual([
      'status\tread the webhook configuration and certificate Secret from the cluster\n',
      '--output=yaml\n',
      'json\nyaml\n',
      'deployment.yaml\n',
      '',
      '',
    ]);
  });
});
