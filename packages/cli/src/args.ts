import { DISTRIBUTIONS, NETWORK_POLICY_FLAVORS, WEBHOOKS, nearest } from '@dd-admission/core';
import { z } from 'zod';
import { UsageError } from './errors.js';

export const OUTPUT_FORMATS = ['diff', 'yaml', 'json', 'patch'] as const;
/** Output formats of the `config` and `manifests` subcommands. */
export const DOCUMENT_FORMATS = ['yaml', 'json'] as const;
/** Subcommands, recognised as the first positional argument (a file of that name is given as `./config`). */
export const SUBCOMMANDS = ['config', 'manifests'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

// A Kubernetes namespace name is an RFC 1123 label.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Helm accepts release names that are lower-case DNS subdomains of at most 53 characters.
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const namespaceSchema = (flag: string) =>
  z
    .string()
    .max(63, { error: `${flag}: a namespace name has at most 63 characters` })
    .regex(NAMESPACE, { error: (i) => `${flag}: ${JSON.stringify(i.input)} is not a valid namespace name (lower-case letters, digits and '-')` });

const fileSchema = (flag: string) => z.string().min(1, { error: `${flag}: empty file name` });

const setSchema = z
  .string()
  .regex(/^[^=]+=/, { error: (i) => `--set ${JSON.stringify(i.input)}: expected key=value` })
  .transform((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at).trim(), value: pair.slice(at + 1) };
  });

const documentFormat = z
  .enum(DOCUMENT_FORMATS, { error: (i) => `-o/--output: unknown format ${JSON.stringify(i.input)} (expected ${DOCUMENT_FORMATS.join(', ')})` })
  .default('yaml');

/** Where the configuration comes from: a Helm values file or a DatadogAgent, then --config and --set on top. */
const surfaceShape = {
  helmValues: fileSchema('--helm-values').optional(),
  datadogAgent: fileSchema('--datadog-agent').optional(),
  config: fileSchema('--config').optional(),
  set: z.array(setSchema).default([]),
  release: z
    .string()
    .max(53, { error: '--release: a Helm release name has at most 53 characters' })
    .regex(RELEASE, { error: (i) => `--release: ${JSON.stringify(i.input)} is not a valid Helm release name (lower-case letters, digits, '-' and '.')` })
    .optional(),
  distributions: z
    .array(z.enum(DISTRIBUTIONS, { error: (i) => `--distribution: unknown distribution ${JSON.stringify(i.input)} (expected ${DISTRIBUTIONS.join(', ')})` }))
    .default([])
    .transform((list) => [...new Set(list)]),
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
export type SurfaceOptions = Pick<Options, 'helmValues' | 'datadogAgent' | 'config' | 'set' | 'release' | 'distributions' | 'agentNamespace'>;

/** What the command line asks for. */
export type Command =
  | { kind: 'help'; subcommand?: Subcommand }
  | { kind: 'version' }
  | { kind: 'preview'; options: Options }
  | { kind: 'config'; options: ConfigOptions }
  | { kind: 'manifests'; options: ManifestsOptions };

type ValueFlag =
  | 'config'
  | 'set'
  | 'namespace'
  | 'agentNamespace'
  | 'webhooks'
  | 'output'
  | 'helmValues'
  | 'datadogAgent'
  | 'release'
  | 'distributions'
  | 'networkPolicy';
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
  '--helm-values': 'helmValues',
  '--datadog-agent': 'datadogAgent',
  '--release': 'release',
  '--distribution': 'distributions',
  '--network-policy': 'networkPolicy',
};
const SWITCH_FLAGS: Readonly<Record<string, SwitchFlag>> = {
  '--strict': 'strict',
  '-h': 'help',
  '--help': 'help',
  '--version': 'version',
};
const REPEATABLE = new Set<ValueFlag>(['set', 'webhooks', 'distributions']);

const SURFACE_FLAGS: readonly ValueFlag[] = ['config', 'set', 'helmValues', 'datadogAgent', 'release', 'distributions', 'output'];
/** The value flags each subcommand accepts; the preview accepts them all but --network-policy. */
const SUBCOMMAND_FLAGS: Readonly<Record<Subcommand, ReadonlySet<ValueFlag>>> = {
  config: new Set([...SURFACE_FLAGS, 'namespace', 'agentNamespace']),
  manifests: new Set([...SURFACE_FLAGS, 'namespace', 'agentNamespace', 'networkPolicy']),
};

interface Raw {
  positionals: string[];
  values: Partial<Record<ValueFlag, string[]>>;
  /** The flag as typed, for messages. */
  spelled: Partial<Record<ValueFlag, string>>;
  switches: Set<SwitchFlag>;
}

/** Parses the arguments after the program name; throws UsageError on anything it cannot accept. */
export function parseArgs(args: readonly string[]): Command {
  // Asking for help must work even next to a mistyped flag.
  const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
  if (flags.some((a) => SWITCH_FLAGS[a] === 'help')) return helpFor(args);
  if (flags.includes('--version')) return { kind: 'version' };
  const raw = tokenize(args);
  const subcommand = SUBCOMMANDS.find((s) => s === raw.positionals[0]);
  if (subcommand) return parseSubcommand(subcommand, raw);
  if (raw.spelled.networkPolicy) throw new UsageError(`${raw.spelled.networkPolicy} is an option of 'manifests' (manifests --network-policy kubernetes|cilium)`);
  if (raw.positionals.length > 1) throw new UsageError(`expected one <file|-> argument, got ${raw.positionals.length}: ${raw.positionals.join(' ')}`);
  const single = (flag: ValueFlag) => raw.values[flag]?.at(-1);
  const parsed = optionsSchema.safeParse({
    ...surfaceValues(raw),
    file: raw.positionals[0],
    namespace: single('namespace'),
    agentNamespace: single('agentNamespace'),
    webhooks: raw.values.webhooks?.flatMap((v) => v.split(',')).map((v) => v.trim()),
    output: single('output'),
    strict: raw.switches.has('strict'),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  checkSurface(parsed.data);
  return { kind: 'preview', options: parsed.data };
}

function helpFor(args: readonly string[]): Command {
  try {
    const first = tokenize(args).positionals[0];
    const subcommand = SUBCOMMANDS.find((s) => s === first);
    return subcommand ? { kind: 'help', subcommand } : { kind: 'help' };
  } catch {
    return { kind: 'help' };
  }
}

function parseSubcommand(subcommand: Subcommand, raw: Raw): Command {
  const allowed = SUBCOMMAND_FLAGS[subcommand];
  for (const flag of Object.keys(raw.values) as ValueFlag[]) {
    if (!allowed.has(flag)) throw new UsageError(`${raw.spelled[flag]} is not an option of '${subcommand}'`);
  }
  if (raw.switches.has('strict')) throw new UsageError(`--strict is not an option of '${subcommand}'`);
  if (raw.positionals.length > 1) throw new UsageError(`'${subcommand}' takes no file argument, got: ${raw.positionals.slice(1).join(' ')} (to preview a file named ${subcommand}, write ./${subcommand})`);
  const namespaces = [...(raw.values.namespace ?? []), ...(raw.values.agentNamespace ?? [])];
  if (new Set(namespaces).size > 1) throw new UsageError(`-n/--namespace given twice (${namespaces.join(' and ')})`);
  const common = { ...surfaceValues(raw), agentNamespace: namespaces[0], output: raw.values.output?.at(-1) };
  if (subcommand === 'config') {
    const parsed = configOptionsSchema.safeParse(common);
    if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
    checkSurface(parsed.data);
    return { kind: 'config', options: parsed.data };
  }
  const parsed = manifestsOptionsSchema.safeParse({ ...common, networkPolicy: raw.values.networkPolicy?.at(-1) });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  checkSurface(parsed.data);
  return { kind: 'manifests', options: parsed.data };
}

function surfaceValues(raw: Raw): Record<string, unknown> {
  return {
    helmValues: raw.values.helmValues?.at(-1),
    datadogAgent: raw.values.datadogAgent?.at(-1),
    config: raw.values.config?.at(-1),
    set: raw.values.set,
    release: raw.values.release?.at(-1),
    distributions: raw.values.distributions?.flatMap((v) => v.split(',')).map((v) => v.trim()),
  };
}

/** One deployment surface at a time; --release names a Helm release. */
function checkSurface(o: Pick<SurfaceOptions, 'helmValues' | 'datadogAgent' | 'release'>): void {
  if (o.helmValues !== undefined && o.datadogAgent !== undefined) {
    throw new UsageError('--helm-values and --datadog-agent cannot be used together: a cluster is installed by one of them');
  }
  if (o.release !== undefined && o.helmValues === undefined) throw new UsageError('--release names the Helm release of --helm-values: give --helm-values too');
}

function tokenize(args: readonly string[]): Raw {
  const raw: Raw = { positionals: [], values: {}, spelled: {}, switches: new Set() };
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
    raw.spelled[name] ??= flag;
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

const SOURCE_SYNOPSIS = '[--helm-values values.yaml [--release name] | --datadog-agent dda.yaml] [--config datadog.yaml] [--set key=value]...';

/** The one-line synopsis printed with usage errors. */
export function usageLine(program: string, subcommand?: Subcommand): string {
  if (subcommand === 'config') return `Usage: ${program} config ${SOURCE_SYNOPSIS} [-n namespace] [--distribution name]... [-o yaml|json]`;
  if (subcommand === 'manifests') return `Usage: ${program} manifests --network-policy kubernetes|cilium ${SOURCE_SYNOPSIS} [-n namespace] [-o yaml|json]`;
  return `Usage: ${program} <file|-> ${SOURCE_SYNOPSIS} [-n namespace] [--agent-namespace ns] [--distribution name]... [--webhook ${WEBHOOKS.join('|')}]... [-o ${OUTPUT_FORMATS.join('|')}] [--strict]
       ${program} config|manifests ... (see '${program} config --help', '${program} manifests --help')`;
}

const SOURCE_OPTIONS = `      --helm-values <file>    the values.yaml you install the datadog Helm chart with (chart 3.240.0 rules):
                              the Cluster Agent configuration is derived as the chart renders it
      --release <name>        Helm release name, with --helm-values (default "datadog"): it names the
                              Services the configuration refers to
      --datadog-agent <file>  your DatadogAgent resource (datadoghq.com/v2alpha1): the configuration is
                              derived as the Datadog Operator does; not with --helm-values
      --config <file>         datadog.yaml-style configuration (nested or dotted keys, or DD_* names);
                              with --helm-values / --datadog-agent it is applied on top and overrides
      --set <key=value>       one configuration key (dotted key or DD_* name); repeatable,
                              applied last (overrides everything)
      --distribution <name>   the cluster's distribution, for its checks (repeatable or comma-separated):
                              ${DISTRIBUTIONS.slice(0, 5).join(', ')},
                              ${DISTRIBUTIONS.slice(5).join(', ')}; values that name one
                              (providers.gke.autopilot, ...) count too`;

/** The full --help text. */
export function helpText(program: string, subcommand?: Subcommand): string {
  if (subcommand === 'config') return configHelp(program);
  if (subcommand === 'manifests') return manifestsHelp(program);
  return `${usageLine(program)}

Preview offline what the Datadog Cluster Agent's admission webhook (7.49) does
to your manifests: Pods, Lists, and workloads with a pod template (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). Other documents pass through.

Arguments:
  <file|->                    YAML or JSON manifest, one or many documents; - reads stdin

Options:
${SOURCE_OPTIONS}
  -n, --namespace <ns>        namespace of documents without metadata.namespace (default "default")
      --agent-namespace <ns>  namespace the Cluster Agent runs in (the Helm release namespace), for the
                              service-mode host (default "default"; a DatadogAgent's own namespace wins)
      --webhook <name>        run only this webhook: ${WEBHOOKS.join(', ')};
                              repeatable or comma-separated (default: all, in the cluster's order)
  -o, --output <format>       diff (default), yaml, json or patch (RFC 6902)
      --strict                exit 1 when a webhook fails on a pod or a label/annotation is misplaced
  -h, --help                  show this help ('${program} config --help' for a subcommand's)
      --version               print the version

Subcommands (the first argument; a file named config or manifests is given as ./config):
  config                      print the effective admission configuration and where each value comes from
  manifests                   print the webhook Service and the Cluster Agent's network policy
  status                      read the webhook configuration and certificate Secret from the cluster of
                              the current kubeconfig context ('${program} status --help')

The environment's DD_* variables are not read: configuration comes only from the files and --set.
Explanations, configuration warnings and distribution checks go to stderr, so stdout can be piped
(for example to kubectl apply -f -).
Colour: on a terminal; NO_COLOR turns it off, FORCE_COLOR on.

Exit status: 0 done (webhook failures fail open and are warnings), 1 invalid input or
configuration (or a --strict finding), 2 usage error.

Examples:
  ${program} deployment.yaml
  ${program} deployment.yaml --helm-values values.yaml
  ${program} deployment.yaml --datadog-agent datadog-agent.yaml --distribution openshift
  ${program} deployment.yaml --set admission_controller.inject_config.mode=socket -o yaml
  kubectl get deployment web -o yaml | ${program} - --config datadog.yaml -o patch
`;
}

function configHelp(program: string): string {
  return `${usageLine(program, 'config')}

Print the Cluster Agent's effective admission configuration (7.49 keys) and, for
every key, where its value comes from: the Helm value or DatadogAgent field, the
chart's or the Operator's default, --config, --set, or the Cluster Agent default.
The YAML output is a valid --config file. Distribution checks and configuration
warnings go to stderr.

Options:
${SOURCE_OPTIONS}
  -n, --namespace <ns>        namespace of the install (the Helm release namespace; a DatadogAgent's
                              own namespace wins; default "default")
  -o, --output <format>       yaml (default: the configuration with each origin as a comment, then the
                              cluster-agent env) or json ({config, origins, env, unread, warnings, findings})

Examples:
  ${program} config --helm-values values.yaml
  ${program} config --datadog-agent datadog-agent.yaml -o json
`;
}

function manifestsHelp(program: string): string {
  return `${usageLine(program, 'manifests')}

Print the Admission Controller Service and the Cluster Agent's NetworkPolicy
(--network-policy kubernetes) or CiliumNetworkPolicy (--network-policy cilium)
as the Helm chart or the Operator creates them, so the control plane can reach
the webhook port. Without --helm-values or --datadog-agent, the chart's shapes for
release "datadog" are used. Without --network-policy, only the Service is printed.

Options:
      --network-policy <flavor>  kubernetes or cilium
${SOURCE_OPTIONS}
  -n, --namespace <ns>        namespace of the install (default "default"; a DatadogAgent's own namespace wins)
  -o, --output <format>       yaml (default, a --- separated stream) or json (a v1 List)

Examples:
  ${program} manifests --network-policy kubernetes --helm-values values.yaml -n datadog
  ${program} manifests --network-policy cilium --datadog-agent datadog-agent.yaml
`;
}
