import { WEBHOOKS, nearest } from '@dd-admission/core';
import { z } from 'zod';
import { UsageError } from './errors.js';

export const OUTPUT_FORMATS = ['diff', 'yaml', 'json', 'patch'] as const;

// A Kubernetes namespace name is an RFC 1123 label.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const namespaceSchema = (flag: string) =>
  z
    .string()
    .max(63, { error: `${flag}: a namespace name has at most 63 characters` })
    .regex(NAMESPACE, { error: (i) => `${flag}: ${JSON.stringify(i.input)} is not a valid namespace name (lower-case letters, digits and '-')` })
    .default('default');

const setSchema = z
  .string()
  .regex(/^[^=]+=/, { error: (i) => `--set ${JSON.stringify(i.input)}: expected key=value` })
  .transform((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at).trim(), value: pair.slice(at + 1) };
  });

/** The validated options of a preview run. */
export const optionsSchema = z.object({
  config: z.string().min(1, { error: '--config: empty file name' }).optional(),
  set: z.array(setSchema).default([]),
  namespace: namespaceSchema('-n/--namespace'),
  agentNamespace: namespaceSchema('--agent-namespace'),
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

/** What the command line asks for. */
export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'preview'; options: Options };

type ValueFlag = 'config' | 'set' | 'namespace' | 'agentNamespace' | 'webhooks' | 'output';
type SwitchFlag = 'strict' | 'help' | 'version';

const VALUE_FLAGS: Readonly<Record<string, ValueFlag>> = {
  '--config': 'config',
  '--set': 'set',
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--agent-namespace': 'agentNamespace',
  '--webhook': 'webhooks',
  '-o': 'output',
  '--output': 'output',
};
const SWITCH_FLAGS: Readonly<Record<string, SwitchFlag>> = {
  '--strict': 'strict',
  '-h': 'help',
  '--help': 'help',
  '--version': 'version',
};
const REPEATABLE = new Set<ValueFlag>(['set', 'webhooks']);

interface Raw {
  positionals: string[];
  values: Partial<Record<ValueFlag, string[]>>;
  switches: Set<SwitchFlag>;
}

/** Parses the arguments after the program name; throws UsageError on anything it cannot accept. */
export function parseArgs(args: readonly string[]): Command {
  // Asking for help must work even next to a mistyped flag.
  const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
  if (flags.some((a) => SWITCH_FLAGS[a] === 'help')) return { kind: 'help' };
  if (flags.includes('--version')) return { kind: 'version' };
  const raw = tokenize(args);
  if (raw.positionals.length > 1) throw new UsageError(`expected one <file|-> argument, got ${raw.positionals.length}: ${raw.positionals.join(' ')}`);
  const single = (flag: ValueFlag) => raw.values[flag]?.at(-1);
  const parsed = optionsSchema.safeParse({
    file: raw.positionals[0],
    config: single('config'),
    set: raw.values.set,
    namespace: single('namespace'),
    agentNamespace: single('agentNamespace'),
    webhooks: raw.values.webhooks?.flatMap((v) => v.split(',')).map((v) => v.trim()),
    output: single('output'),
    strict: raw.switches.has('strict'),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return { kind: 'preview', options: parsed.data };
}

function tokenize(args: readonly string[]): Raw {
  const raw: Raw = { positionals: [], values: {}, switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      raw.positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      raw.positionals.push(arg);
      continue;
    }
    const { flag, inline } = splitFlag(arg);
    const sw = SWITCH_FLAGS[flag];
    if (sw) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      raw.switches.add(sw);
      continue;
    }
    const name = VALUE_FLAGS[flag];
    if (!name) throw new UsageError(unknownFlag(flag));
    let value = inline;
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      i++;
    }
    addValue(raw, name, flag, value);
  }
  return raw;
}

/** `--flag=value`, `-o=yaml`, `-oyaml` and `-ndefault` forms; kubectl users type all of them. */
function splitFlag(arg: string): { flag: string; inline?: string } {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--')) return eq < 0 ? { flag: arg } : { flag: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  const flag = arg.slice(0, 2);
  if (arg.length === 2) return { flag };
  const rest = arg.slice(2);
  return { flag, inline: rest.startsWith('=') ? rest.slice(1) : rest };
}

function addValue(raw: Raw, name: ValueFlag, flag: string, value: string): void {
  const list = (raw.values[name] ??= []);
  if (list.length > 0 && !REPEATABLE.has(name) && list[0] !== value) {
    throw new UsageError(`${flag} given twice (${list[0]} and ${value})`);
  }
  list.push(value);
}

function unknownFlag(flag: string): string {
  const hint = nearest(flag, [...Object.keys(VALUE_FLAGS), ...Object.keys(SWITCH_FLAGS)].filter((f) => f.startsWith('--')));
  return `unknown flag ${flag}${hint ? ` (did you mean ${hint}?)` : ''}`;
}

/** The one-line synopsis printed with usage errors. */
export function usageLine(program: string): string {
  return `Usage: ${program} <file|-> [--config datadog.yaml] [--set key=value]... [-n namespace] [--agent-namespace ns] [--webhook ${WEBHOOKS.join('|')}]... [-o ${OUTPUT_FORMATS.join('|')}] [--strict]`;
}

/** The full --help text. */
export function helpText(program: string): string {
  return `${usageLine(program)}

Preview offline what the Datadog Cluster Agent's admission webhook (7.49) does
to your manifests: Pods, Lists, and workloads with a pod template (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). Other documents pass through.

Arguments:
  <file|->                    YAML or JSON manifest, one or many documents; - reads stdin

Options:
      --config <file>         datadog.yaml-style configuration (nested or dotted keys, or DD_* names)
      --set <key=value>       one configuration key (dotted key or DD_* name); repeatable,
                              applied after --config
  -n, --namespace <ns>        namespace of documents without metadata.namespace (default "default")
      --agent-namespace <ns>  namespace the webhook runs in, for the service-mode host (default "default")
      --webhook <name>        run only this webhook: ${WEBHOOKS.join(', ')};
                              repeatable or comma-separated (default: all, in the cluster's order)
  -o, --output <format>       diff (default), yaml, json or patch (RFC 6902)
      --strict                exit 1 when a webhook fails on a pod or a label/annotation is misplaced
  -h, --help                  show this help
      --version               print the version

The environment's DD_* variables are not read: configuration comes only from --config and --set.
Explanations go to stderr, so stdout can be piped (for example to kubectl apply -f -).
Colour: on a terminal; NO_COLOR turns it off, FORCE_COLOR on.

Exit status: 0 done (webhook failures fail open and are warnings), 1 invalid input or
configuration (or a --strict finding), 2 usage error.

Examples:
  ${program} deployment.yaml
  ${program} deployment.yaml --set admission_controller.inject_config.mode=socket -o yaml
  kubectl get deployment web -o yaml | ${program} - --config datadog.yaml -o patch
`;
}
