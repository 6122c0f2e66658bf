import { DISTRIBUTIONS, NETWORK_POLICY_FLAVORS, WEBHOOKS } from '@dd-admission/core';
import { z } from 'zod';
import { optionsWithoutFile, optionValues, readCommandLine, splitCommand, type CommandLine } from './command-line.js';
import { DOCUMENT_FORMATS, OUTPUT_FORMATS, SHELLS, type Shell, type Subcommand } from './commands.js';
import { agentVersionOption } from './agent-version-option.js';
import { UsageError } from './errors.js';
import { parseDoctorArgs, type DoctorArgs } from './doctor/options.js';
import { configSourceShape, namespaceSchema, surfaceConflict } from './option-schemas.js';
import { parseStatusArgs, type StatusOptions } from './status-command.js';

const documentFormat = z
  .enum(DOCUMENT_FORMATS, { error: (i) => `-o/--output: unknown format ${JSON.stringify(i.input)} (expected ${DOCUMENT_FORMATS.join(', ')})` })
  .default('yaml');

/** Where the configuration comes from, and the distribution the preview's checks are for. */
const surfaceShape = {
  ...configSourceShape,
  distributions: z
    .array(z.enum(DISTRIBUTIONS, { error: (i) => `--distribution: unknown distribution ${JSON.stringify(i.input)} (expected ${DISTRIBUTIONS.join(', ')})` }))
    .default([])
    .transform((list) => [...new Set(list)]),
  agentVersion: agentVersionOption,
};

/** The validated options of a preview run. */
export const optionsSchema = z.object({
  ...surfaceShape,
  namespace: namespaceSchema('-n/--namespace').default('default'),
  // Unset: the Helm release namespace defaults to `default`; a DatadogAgent's own namespace is used.
  agentNamespace: namespaceSchema('--agent-namespace').optional(),
  webhooks: z
    .array(z.enum(WEBHOOKS, { error: (i) => `--webhook: unknown webhook ${JSON.stringify(i.input)} (expected ${WEBHOOKS.join(', ')})` }))
    .default([])
    // No --webhook means every webhook; the core runs them in the cluster agent's order whatever the flag order.
    .transform((list) => (list.length === 0 ? [...WEBHOOKS] : [...new Set(list)])),
  output: z
    .enum(OUTPUT_FORMATS, { error: (i) => `-o/--output: unknown format ${JSON.stringify(i.input)} (expected ${OUTPUT_FORMATS.join(', ')})` })
    .default('diff'),
  strict: z.boolean().default(false),
  // Last, so a bad flag is reported before a missing file (zod reports in shape order).
  file: z.string({ error: 'missing the <file|-> argument' }).min(1, { error: 'the <file|-> argument is empty' }),
});
export type Options = z.output<typeof optionsSchema>;
export type OutputFormat = Options['output'];

/** The validated options of `dd-mutate config`. */
export const configOptionsSchema = z.object({
  ...surfaceShape,
  agentNamespace: namespaceSchema('-n/--namespace').optional(),
  output: documentFormat,
});
export type ConfigOptions = z.output<typeof configOptionsSchema>;

/** The validated options of `dd-mutate manifests`. */
export const manifestsOptionsSchema = z.object({
  ...surfaceShape,
  agentNamespace: namespaceSchema('-n/--namespace').optional(),
  networkPolicy: z
    .enum(NETWORK_POLICY_FLAVORS, { error: (i) => `--network-policy: unknown flavor ${JSON.stringify(i.input)} (expected ${NETWORK_POLICY_FLAVORS.join(', ')})` })
    .optional(),
  output: documentFormat,
});
export type ManifestsOptions = z.output<typeof manifestsOptionsSchema>;

/** The configuration flags every command shares. */
export type SurfaceOptions = Pick<Options, 'helmValues' | 'datadogAgent' | 'config' | 'set' | 'release' | 'distributions' | 'agentNamespace' | 'agentVersion'>;

/** What the command line asks for. */
export type Command =
  | { kind: 'help'; subcommand?: Subcommand }
  | { kind: 'version' }
  | { kind: 'preview'; options: Options }
  | { kind: 'config'; options: ConfigOptions }
  | { kind: 'manifests'; options: ManifestsOptions }
  | { kind: 'status'; options: StatusOptions }
  | { kind: 'doctor'; options: DoctorArgs }
  | { kind: 'completion'; shell: Shell };

/** Parses the arguments after the program name; throws UsageError on anything it cannot accept. */
export function parseArgs(args: readonly string[]): Command {
  // Asking for help must work even next to a mistyped flag.
  const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
  if (flags.includes('-h') || flags.includes('--help')) return helpFor(args);
  if (flags.includes('--version')) return { kind: 'version' };
  const { name, rest } = splitCommand(args);
  switch (name) {
    case 'preview':
      return { kind: 'preview', options: previewOptions(readCommandLine(name, rest)) };
    case 'config':
      return { kind: 'config', options: validated(configOptionsSchema, optionsWithoutFile(name, readCommandLine(name, rest))) };
    case 'manifests':
      return { kind: 'manifests', options: validated(manifestsOptionsSchema, optionsWithoutFile(name, readCommandLine(name, rest))) };
    case 'status':
      return { kind: 'status', options: parseStatusArgs(rest) };
    case 'doctor':
      return { kind: 'doctor', options: parseDoctorArgs(rest) };
    case 'completion':
      return { kind: 'completion', shell: shellOf(readCommandLine(name, rest)) };
  }
}

/** A subcommand's help, unless a flag no command knows makes the request unclear. */
function helpFor(args: readonly string[]): Command {
  const { name, rest } = splitCommand(args);
  if (name === 'preview') return { kind: 'help' };
  try {
    readCommandLine(name, rest);
    return { kind: 'help', subcommand: name };
  } catch {
    return { kind: 'help' };
  }
}

/** The preview's options: its flags and the one <file|-> argument. */
function previewOptions(line: CommandLine): Options {
  if (line.positionals.length > 1) throw new UsageError(`expected one <file|-> argument, got ${line.positionals.length}: ${line.positionals.join(' ')}`);
  return validated(optionsSchema, { ...optionValues('preview', line), file: line.positionals[0] });
}

/** Validates the options of the preview, config or manifests, one deployment surface at a time. */
function validated<T extends z.ZodType>(schema: T, input: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  const conflict = surfaceConflict(parsed.data as Pick<SurfaceOptions, 'helmValues' | 'datadogAgent' | 'release'>);
  if (conflict) throw new UsageError(conflict);
  return parsed.data;
}

/** The shell `completion` is asked for. */
function shellOf(line: CommandLine): Shell {
  const [shell, ...more] = line.positionals;
  if (shell === undefined) throw new UsageError(`completion: missing the shell (${SHELLS.join(', ')})`);
  if (more.length > 0) throw new UsageError(`completion: expected one shell, got ${line.positionals.length}: ${line.positionals.join(' ')}`);
  const known = SHELLS.find((s) => s === shell);
  if (!known) throw new UsageError(`completion: unknown shell ${JSON.stringify(shell)} (expected ${SHELLS.join(', ')})`);
  return known;
}
