import { parseConfig, type ConfigResult, type ConfigSource } from '@dd-admission/core';
import { parseAllDocuments } from 'yaml';
import { InputError } from './errors.js';
import { readText, type Io } from './io.js';
import { syntaxProblem, YAML_OPTIONS } from './yaml-style.js';

/** The --config file and the --set pairs, as given on the command line. */
export interface ConfigArgs {
  config?: string | undefined;
  set: readonly { key: string; value: string }[];
}

/** The configuration sources in precedence order: --config, then every --set (later wins). */
export async function configSources(args: ConfigArgs, io: Io): Promise<ConfigSource[]> {
  const sources: ConfigSource[] = [];
  if (args.config !== undefined) sources.push({ origin: args.config, values: parseConfigFile(await readText(args.config, io), args.config) });
  // One source per pair, so a repeated key takes the last value as a shell user expects.
  for (const { key, value } of args.set) sources.push({ origin: '--set', values: { [key]: value } });
  return sources;
}

/** Reads and validates the configuration; never reads the process environment (a shell may hold unrelated DD_ vars). */
export async function loadConfig(args: ConfigArgs, io: Io): Promise<ConfigResult> {
  return parseConfig(await configSources(args, io));
}

/** A datadog.yaml, read as the agent reads it (YAML 1.1); a multi-document file is refused rather than half-read. */
export function parseConfigFile(text: string, file: string): unknown {
  const docs = parseAllDocuments(text, YAML_OPTIONS);
  const error = docs.flatMap((d) => d.errors)[0];
  if (error) throw new InputError([syntaxProblem(error, { file })]);
  const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  if (values.length > 1) throw new InputError([{ location: { file }, message: `expected one YAML map, got ${values.length} documents` }]);
  return values[0] ?? null;
}
