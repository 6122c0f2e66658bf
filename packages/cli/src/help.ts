import { DISTRIBUTIONS, WEBHOOKS } from '@dd-admission/core';
import { OUTPUT_FORMATS, SHELLS, type Subcommand } from './commands.js';
import { DOCTOR_USAGE } from './doctor/options.js';
import { STATUS_USAGE } from './status-command.js';

// The usage lines and --help texts of every command.

const SOURCE_SYNOPSIS = '[--helm-values values.yaml [--release name] | --datadog-agent dda.yaml] [--config datadog.yaml] [--set key=value]... [--agent-version X.Y[.Z]]';

/** The synopsis printed with usage errors. */
export function usageLine(program: string, subcommand?: Subcommand): string {
  if (subcommand === 'status') return STATUS_USAGE.split('\n')[0]!;
  if (subcommand === 'doctor') return DOCTOR_USAGE.slice(0, DOCTOR_USAGE.indexOf('\n\n'));
  if (subcommand === 'completion') return `Usage: ${program} completion ${SHELLS.join('|')}`;
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
                              (providers.gke.autopilot, ...) count too
      --agent-version <X.Y[.Z]>  the Cluster Agent release to emulate, 7.49 to 7.78.x (releases
                              between are interpolated); default: the Cluster Agent image the Helm
                              values or the DatadogAgent deploy, else the newest (7.78)`;

/** The full --help text. */
export function helpText(program: string, subcommand?: Subcommand): string {
  if (subcommand === 'status') return `${STATUS_USAGE}\n`;
  if (subcommand === 'doctor') return `${DOCTOR_USAGE}\n`;
  if (subcommand === 'completion') return completionHelp(program);
  if (subcommand === 'config') return configHelp(program);
  if (subcommand === 'manifests') return manifestsHelp(program);
  return `${usageLine(program)}

Preview offline what the Datadog Cluster Agent's admission webhook (as 7.49 to
7.78 do it; stderr says which release) does to your manifests: Pods, Lists, and workloads with a pod template (Deployment,
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
  doctor                      check why pods are (not) mutated, on the cluster or a dump: every problem
                              of the troubleshooting guide, with the fix ('${program} doctor --help')
  completion bash|zsh|fish    print the shell completion script ('${program} completion --help')

The environment's DD_* variables are not read: configuration comes only from the files and --set.
Explanations, configuration warnings and distribution checks go to stderr, so stdout can be piped
(for example to kubectl apply -f -).
Colour: on a terminal; NO_COLOR turns it off, FORCE_COLOR on.

Exit status: 0 done (webhook failures fail open and are warnings), 1 invalid input or
configuration (or a --strict finding), 2 usage error.

Examples:
  ${program} deployment.yaml
  ${program} deployment.yaml --helm-values values.yaml
  ${program} deployment.yaml --agent-version 7.49
  ${program} deployment.yaml --datadog-agent datadog-agent.yaml --distribution openshift
  ${program} deployment.yaml --set admission_controller.inject_config.mode=socket -o yaml
  kubectl get deployment web -o yaml | ${program} - --config datadog.yaml -o patch
`;
}

function configHelp(program: string): string {
  return `${usageLine(program, 'config')}

Print the Cluster Agent's effective admission configuration and, for every key,
where its value comes from: the Helm value or DatadogAgent field, the chart's or
the Operator's default, --config, --set, or the Cluster Agent default. Its header
names the emulated release; keys that release does not read are warnings.
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

function completionHelp(program: string): string {
  return `${usageLine(program, 'completion')}

Print the script that completes dd-mutate's subcommands, flags and their values
(webhooks, output formats, distributions, configuration keys) in your shell:

  bash  add to ~/.bashrc:   source <(dd-mutate completion bash)
  zsh   add to ~/.zshrc, after compinit:   source <(dd-mutate completion zsh)
  fish  dd-mutate completion fish > ~/.config/fish/completions/dd-mutate.fish

\`kubectl dd-mutate\` completes through kubectl's own completion (kubectl 1.26 or later),
which runs the kubectl_complete-dd_mutate executable installed with dd-mutate: keep it
on your PATH next to kubectl-dd_mutate.
`;
}
