import { distributionChecks } from '@dd-admission/core';
import type { Document } from 'yaml';
import packageJson from '../package.json' with { type: 'json' };
import { parseArgs, type Options } from './args.js';
import { splitCommand } from './command-line.js';
import { complete, formatCompletion } from './complete.js';
import { completionScript } from './completion-scripts.js';
import { parseDocuments, type Input } from './documents.js';
import { configCommand } from './config-command.js';
import { formatProblem, InputError, UsageError } from './errors.js';
import { helpText, usageLine } from './help.js';
import { instrumentationFacts } from './instrumentation-facts.js';
import { displayName, readText, type Io } from './io.js';
import { requireConfig } from './load-config.js';
import { manifestsCommand } from './manifests-command.js';
import { runStatus } from './status-command.js';
import { namespaceLabels, preview, type UnitPreview } from './preview.js';
import { renderDiff } from './render-diff.js';
import { explainAgentVersion, explainConfigWarnings, explainSummary, explainUnit, strictFailure, summarize } from './render-explain.js';
import { explainFindings } from './render-findings.js';
import { diffInputs, patchedDocuments, renderJson, renderPatch, renderYaml } from './render-output.js';
import { styleFor, type Style } from './style.js';

export type { Io } from './io.js';

/** Exit statuses: 0 done, 1 bad input / config / --strict finding, 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

// kubectl finds its plugin, and the plugin's completion, by these executable names.
const KUBECTL_EXECUTABLES = ['kubectl-dd_mutate', 'kubectl_complete-dd_mutate'];

/** How the user invoked us: `kubectl dd-mutate` when run as the kubectl plugin executable (or its completion). */
export function programName(scriptPath: string | undefined): string {
  return KUBECTL_EXECUTABLES.includes(executableName(scriptPath)) ? 'kubectl dd-mutate' : 'dd-mutate';
}

function executableName(scriptPath: string | undefined): string {
  const base = (scriptPath ?? '').split(/[\\/]/).at(-1) ?? '';
  return base.replace(/\.[cm]?js$/, '');
}

/** Runs the CLI for `argv` (shaped like process.argv) against `io`; resolves to the exit status. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = programName(argv[1]);
  const args = argv.slice(2);
  // kubectl runs its plugin's completion executable with the words only; our shell scripts call the hidden __complete.
  if (executableName(argv[1]) === 'kubectl_complete-dd_mutate') return write(io.stdout, formatCompletion(complete(args), true), EXIT.ok);
  if (args[0] === '__complete' || args[0] === '__completeNoDesc') return write(io.stdout, formatCompletion(complete(args.slice(1)), args[0] === '__complete'), EXIT.ok);
  try {
    const command = parseArgs(args);
    switch (command.kind) {
      case 'help':
        return write(io.stdout, helpText(program, command.subcommand), EXIT.ok);
      case 'version':
        return write(io.stdout, `${program} ${packageJson.version}\n`, EXIT.ok);
      case 'completion':
        return write(io.stdout, completionScript(command.shell), EXIT.ok);
      case 'config':
        return await configCommand(command.options, io);
      case 'manifests':
        return await manifestsCommand(command.options, io);
      // `status` and `doctor` talk to a cluster; they load the Kubernetes client lazily.
      case 'status':
        return await runStatus(command.options, io);
      // The doctor's checks are loaded when it runs: the preview does not pay for them at startup.
      case 'doctor':
        return await (await import('./doctor/command.js')).doctorCommand(command.options, io);
      case 'preview':
        return await previewCommand(command.options, io);
    }
  } catch (e) {
    if (e instanceof UsageError) return write(io.stderr, usageError(program, args, e), EXIT.usage);
    if (e instanceof InputError) return write(io.stderr, e.problems.map((p) => `${program}: error: ${formatProblem(p)}\n`).join(''), EXIT.failed);
    throw e;
  }
}

/** The error, the usage of the command it concerns, and where to read more. */
function usageError(program: string, args: readonly string[], error: UsageError): string {
  const { name } = splitCommand(args);
  const subcommand = name === 'preview' ? undefined : name;
  const help = subcommand ? `${program} ${subcommand} --help` : `${program} --help`;
  return `${program}: ${error.message}\n${usageLine(program, subcommand)}\nRun '${help}' for details.\n`;
}

async function previewCommand(options: Options, io: Io): Promise<number> {
  const errStyle = styleFor(io.isTTY.stderr, io.env);
  const loaded = await requireConfig(options, io, (w) => io.stderr.write(explainConfigWarnings(w, errStyle)));
  const input = parseDocuments(await readText(options.file, io), displayName(options.file), options.namespace);
  const namespaces = Object.fromEntries(namespaceLabels(input.units));
  io.stderr.write(explainFindings(distributionChecks({ ...loaded, distributions: options.distributions, namespaces }), errStyle));
  // The Cluster Agent runs in the Helm release namespace or the DatadogAgent's: the service-mode host names it.
  const agentNamespace = loaded.deployment.surface === 'config' ? (options.agentNamespace ?? 'default') : loaded.deployment.namespace;
  const facts = instrumentationFacts(io.env, Date.now());
  const previews = preview(input.units, loaded.config, { ...options, agentNamespace, facts });
  const patched = patchedDocuments(input, previews);
  io.stderr.write(explainAgentVersion(loaded.agentVersion, errStyle));

  io.stdout.write(renderStdout(options, input, previews, patched, styleFor(io.isTTY.stdout, io.env)));
  for (const p of previews) io.stderr.write(explainUnit(p, errStyle, loaded.origins, options.strict));
  const summary = summarize(previews, options.strict);
  io.stderr.write(explainSummary(summary, errStyle));
  return strictFailure(summary) ? EXIT.failed : EXIT.ok;
}

function renderStdout(options: Options, input: Input, previews: readonly UnitPreview[], patched: readonly Document[], style: Style): string {
  switch (options.output) {
    case 'yaml':
      return renderYaml(patched, input.indentSeq);
    case 'json':
      return renderJson(patched);
    case 'patch':
      return renderPatch(input, previews);
    case 'diff':
      return diffInputs(input, patched, previews)
        .map((d) => renderDiff(d, style))
        .join('');
  }
}

function write(stream: Io['stdout'], text: string, status: number): number {
  stream.write(text);
  return status;
}
