import { DISTRIBUTIONS, DOCTOR_DISTRIBUTIONS, NETWORK_POLICY_FLAVORS, WEBHOOKS } from '@dd-admission/core';

// The one description of dd-mutate's command line: the parser reads arguments
// against it and the completion engine completes from it, so a new subcommand
// or flag declared here is parsed and completed alike.

/** Output formats of the preview. */
export const OUTPUT_FORMATS = ['diff', 'yaml', 'json', 'patch'] as const;
/** Output formats of the `config` and `manifests` subcommands. */
export const DOCUMENT_FORMATS = ['yaml', 'json'] as const;
/** Output formats of `status` and `doctor`. */
export const STATUS_FORMATS = ['text', 'json'] as const;
/** The shells `completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
/** A shell `completion` writes a script for. */
export type Shell = (typeof SHELLS)[number];

/** What a flag or argument takes, which tells the completion what to offer. */
export type ValueSpec =
  | { kind: 'file' }
  | { kind: 'choice'; choices: readonly string[]; list?: boolean }
  /** A configuration `key=value`. */
  | { kind: 'setting' }
  | { kind: 'text'; placeholder: string };

/** One flag: `--long`, maybe `-s`, filling the option `key`. */
export interface FlagSpec {
  long: string;
  short?: string;
  key: string;
  /** What the flag takes; a switch takes nothing. */
  value?: ValueSpec;
  /** Values accumulate instead of having to agree. */
  repeatable?: boolean;
  /** Accepted, but neither listed in help nor offered by completion (an alias). */
  hidden?: boolean;
  /** One line for completion menus. */
  summary: string;
}

/** One command: its flags and the positional arguments it takes. */
export interface CommandSpec {
  summary: string;
  /** The positional argument, when the command takes one. */
  argument?: { name: string; value: ValueSpec };
  flags: readonly FlagSpec[];
}

const FILE: ValueSpec = { kind: 'file' };
const text = (placeholder: string): ValueSpec => ({ kind: 'text', placeholder });

const HELP: FlagSpec = { long: 'help', short: 'h', key: 'help', summary: 'show the help' };

/** The Cluster Agent release every cluster-facing command emulates. */
const AGENT_VERSION: FlagSpec = {
  long: 'agent-version',
  key: 'agentVersion',
  value: text('X.Y[.Z]'),
  summary: 'Cluster Agent release to emulate, 7.49 to 7.78 (default: the image your files deploy, else the newest)',
};

/** Where the configuration comes from: a Helm values file or a DatadogAgent, then --config and --set on top. */
const CONFIG_SOURCES: readonly FlagSpec[] = [
  { long: 'helm-values', key: 'helmValues', value: FILE, summary: 'the values.yaml you install the datadog Helm chart with' },
  { long: 'release', key: 'release', value: text('name'), summary: 'Helm release name, with --helm-values (default "datadog")' },
  { long: 'datadog-agent', key: 'datadogAgent', value: FILE, summary: 'your DatadogAgent resource (datadoghq.com/v2alpha1)' },
  { long: 'config', key: 'config', value: FILE, summary: 'datadog.yaml-style configuration, applied on top' },
  { long: 'set', key: 'set', value: { kind: 'setting' }, repeatable: true, summary: 'one configuration key=value, applied last' },
];

/** The configuration sources and the distribution the preview's checks are for. */
const SURFACE: readonly FlagSpec[] = [
  ...CONFIG_SOURCES,
  {
    long: 'distribution',
    key: 'distributions',
    value: { kind: 'choice', choices: DISTRIBUTIONS, list: true },
    repeatable: true,
    summary: "the cluster's distribution, for its checks",
  },
  AGENT_VERSION,
];

/** The install namespace of `config` and `manifests`: -n, or --agent-namespace as the preview spells it. */
const INSTALL_NAMESPACE: readonly FlagSpec[] = [
  { long: 'namespace', short: 'n', key: 'agentNamespace', value: text('ns'), summary: 'namespace of the install (the Helm release namespace)' },
  { long: 'agent-namespace', key: 'agentNamespace', value: text('ns'), hidden: true, summary: 'namespace of the install' },
];

/** The cluster of a kubeconfig context. */
const KUBECONFIG: readonly FlagSpec[] = [
  { long: 'kubeconfig', key: 'kubeconfig', value: FILE, summary: 'kubeconfig to use' },
  { long: 'context', key: 'context', value: text('name'), summary: 'kubeconfig context (default: the current one)' },
];

const textOutput: FlagSpec = { long: 'output', short: 'o', key: 'output', value: { kind: 'choice', choices: STATUS_FORMATS }, summary: 'text (default) or json' };

const documentOutput: FlagSpec = {
  long: 'output',
  short: 'o',
  key: 'output',
  value: { kind: 'choice', choices: DOCUMENT_FORMATS },
  summary: 'yaml (default) or json',
};

/** A command's name; `preview` is never typed. */
export type CommandName = 'preview' | 'config' | 'manifests' | 'status' | 'doctor' | 'completion';
/** The commands named by the first argument. */
export type Subcommand = Exclude<CommandName, 'preview'>;

/** Every command; the preview is the one run when no subcommand is named. */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  preview: {
    summary: 'preview what the admission webhook does to your manifests',
    argument: { name: '<file|->', value: FILE },
    flags: [
      ...SURFACE,
      { long: 'namespace', short: 'n', key: 'namespace', value: text('ns'), summary: 'namespace of documents without one (default "default")' },
      { long: 'agent-namespace', key: 'agentNamespace', value: text('ns'), summary: 'namespace the Cluster Agent runs in' },
      { long: 'webhook', key: 'webhooks', value: { kind: 'choice', choices: WEBHOOKS, list: true }, repeatable: true, summary: 'run only this webhook' },
      { long: 'output', short: 'o', key: 'output', value: { kind: 'choice', choices: OUTPUT_FORMATS }, summary: 'diff (default), yaml, json or patch' },
      { long: 'strict', key: 'strict', summary: 'exit 1 on a webhook failure or a misplaced label/annotation' },
      HELP,
      { long: 'version', key: 'version', summary: 'print the version' },
    ],
  },
  config: {
    summary: 'print the effective admission configuration and where each value comes from',
    flags: [...SURFACE, ...INSTALL_NAMESPACE, documentOutput, HELP],
  },
  manifests: {
    summary: "print the webhook Service and the Cluster Agent's network policy",
    flags: [
      { long: 'network-policy', key: 'networkPolicy', value: { kind: 'choice', choices: NETWORK_POLICY_FLAVORS }, summary: 'the policy to print' },
      ...SURFACE,
      ...INSTALL_NAMESPACE,
      documentOutput,
      HELP,
    ],
  },
  status: {
    summary: 'read the webhook configuration and certificate Secret from the cluster',
    flags: [
      ...KUBECONFIG,
      { long: 'namespace', short: 'n', key: 'namespace', value: text('ns'), summary: 'namespace of the Cluster Agent and its Secret' },
      textOutput,
      { long: 'webhook-name', key: 'webhookName', value: text('name'), summary: 'the MutatingWebhookConfiguration (default datadog-webhook)' },
      { long: 'secret-name', key: 'secretName', value: text('name'), summary: 'the certificate Secret (default webhook-certificate)' },
      AGENT_VERSION,
      HELP,
    ],
  },
  doctor: {
    summary: 'check why pods are (not) mutated, on a live cluster or a dump: every problem of the troubleshooting guide',
    flags: [
      ...KUBECONFIG,
      { long: 'namespace', short: 'n', key: 'namespace', value: text('ns'), summary: 'check the workloads of this namespace only; the probe runs there' },
      { long: 'all-namespaces', short: 'A', key: 'allNamespaces', summary: 'check the workloads of every namespace (the default)' },
      { long: 'agent-namespace', key: 'agentNamespace', value: text('ns'), summary: 'look for the Cluster Agent in this namespace only' },
      { long: 'from', key: 'from', value: FILE, repeatable: true, summary: 'read a kubectl get -A -o yaml dump instead of the cluster (- for stdin)' },
      ...CONFIG_SOURCES,
      {
        long: 'distribution',
        key: 'distributions',
        value: { kind: 'choice', choices: DOCTOR_DISTRIBUTIONS, list: true },
        repeatable: true,
        summary: "the cluster's distribution, instead of detecting it",
      },
      { long: 'agent-version', key: 'agentVersion', value: text('version'), summary: 'emulate this Cluster Agent version instead of the running image\'s' },
      { long: 'no-probe', key: 'noProbe', summary: 'skip the dry-run pod create (the connectivity check)' },
      textOutput,
      { long: 'strict', key: 'strict', summary: 'exit 1 on a warning too' },
      HELP,
    ],
  },
  completion: {
    summary: 'print the shell completion script',
    argument: { name: 'shell', value: { kind: 'choice', choices: SHELLS } },
    flags: [HELP],
  },
};

/** Subcommands, in their declaration order. */
export const SUBCOMMANDS = Object.keys(COMMANDS).filter((name): name is Subcommand => name !== 'preview');

/** Whether an argument names a subcommand. */
export function isSubcommand(arg: string | undefined): arg is Subcommand {
  return SUBCOMMANDS.some((s) => s === arg);
}

/** The flag's names as help writes them: `-n/--namespace`. */
export function flagLabel(flag: FlagSpec): string {
  return flag.short ? `-${flag.short}/--${flag.long}` : `--${flag.long}`;
}

/** What a value looks like in a synopsis: `kubernetes|cilium`, `<file>`. */
export function valueSynopsis(value: ValueSpec): string {
  if (value.kind === 'choice') return value.choices.join('|');
  if (value.kind === 'setting') return '<key=value>';
  if (value.kind === 'file') return '<file>';
  return `<${value.placeholder}>`;
}
