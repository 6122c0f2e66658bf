import { DistributionNameError, parseAgentVersion, parseDistributions, AgentVersionError } from '@dd-admission/core';
import { z } from 'zod';
import { subcommandOptions } from '../command-line.js';
import { STATUS_FORMATS } from '../commands.js';
import { UsageError } from '../errors.js';
import { configSourceShape, fileSchema, namespaceSchema, surfaceConflict } from '../option-schemas.js';

// The command line of `dd-mutate doctor`, validated: where the cluster is read
// from (a kubeconfig context or --from dumps), which namespaces, what overrides
// the Cluster Agent's own configuration, and how the result is shown.

export const DOCTOR_USAGE = `Usage: dd-mutate doctor [--kubeconfig <file>] [--context <name>] [-n <ns> | -A] [--agent-namespace <ns>]
                       [--from <file|->]... [--helm-values <file> [--release <name>] | --datadog-agent <file>]
                       [--config <file>] [--set <key=value>]... [--distribution <name>]... [--agent-version <x.y.z>]
                       [--no-probe] [-o text|json] [--strict]

Checks why pods are, or are not, mutated: every problem of the Admission Controller
troubleshooting guide (docs/troubleshooting.md) becomes a check with a verdict
(ok, warn, fail, skip), its evidence and the fix. Reads the cluster of the
kubeconfig context (nothing is written: the connectivity probe is a server-side dry
run), or a dump given with --from.

Options:
  --kubeconfig <file>        kubeconfig to use (default: KUBECONFIG, then ~/.kube/config,
                             then the pod's service account)
  --context <name>           kubeconfig context (default: the current context)
  -n, --namespace <ns>       check the workloads of this namespace only; the probe runs in it
                             (default: every namespace; the probe runs in the context's
                             namespace, else "default")
  -A, --all-namespaces       check the workloads of every namespace (the default)
  --agent-namespace <ns>     look for the Cluster Agent in this namespace only
  --from <file|->            a dump to read instead of the cluster, repeatable; - reads stdin:
                             kubectl get mutatingwebhookconfigurations,services,endpoints,secrets,
                             deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,pods,
                             networkpolicies,nodes,namespaces -A -o yaml
                             (the connectivity check is skipped; of the Secrets only the webhook
                             Secret's cert.pem is read)
  --helm-values <file>       the values.yaml the Cluster Agent is installed with: replaces the
                             configuration read from its Deployment
  --release <name>           Helm release name, with --helm-values (default "datadog")
  --datadog-agent <file>     the DatadogAgent it is installed with, instead of --helm-values
  --config <file>            datadog.yaml-style configuration, applied on top
  --set <key=value>          one configuration key, repeatable, applied last
  --distribution <name>      the distribution, instead of detecting it (repeatable or comma-
                             separated): gke, gke-autopilot, gke-private, eks, aks, openshift,
                             rancher, rancher-eks, rancher-gke-private
  --agent-version <x.y.z>    emulate this Cluster Agent release instead of its image's
  --no-probe                 do not send the dry-run pod create (connectivity is skipped)
  -o, --output <fmt>         text (default) or json ({success, cluster, checks})
  --strict                   a warning fails the run too

Exit status: 0 no check failed (warnings allowed unless --strict), 1 a check failed or
the cluster or a dump could not be read, 2 usage error.`;

const doctorOptionsSchema = z.object({
  kubeconfig: fileSchema('--kubeconfig').optional(),
  context: z.string().min(1, { error: '--context: empty context name' }).optional(),
  namespace: namespaceSchema('-n/--namespace').optional(),
  allNamespaces: z.boolean().default(false),
  agentNamespace: namespaceSchema('--agent-namespace').optional(),
  from: z.array(fileSchema('--from')).default([]),
  ...configSourceShape,
  distributions: z.array(z.string()).default([]),
  agentVersion: z.string().optional(),
  noProbe: z.boolean().default(false),
  output: z.enum(STATUS_FORMATS, { error: (i) => `-o/--output: unknown format ${JSON.stringify(i.input)} (expected ${STATUS_FORMATS.join(', ')})` }).default('text'),
  strict: z.boolean().default(false),
});

/** The command line of `dd-mutate doctor`, validated. */
export type DoctorArgs = z.output<typeof doctorOptionsSchema>;

/** Parses the arguments after `doctor`; throws UsageError. */
export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  const args = subcommandOptions('doctor', argv, doctorOptionsSchema);
  const problem = conflict(args);
  if (problem) throw new UsageError(`doctor: ${problem}`);
  return args;
}

/** Options that cannot go together, or a value the core refuses. */
function conflict(o: DoctorArgs): string | undefined {
  if (o.namespace !== undefined && o.allNamespaces) return '-n/--namespace and -A/--all-namespaces cannot be used together';
  if (o.from.length > 0 && (o.kubeconfig !== undefined || o.context !== undefined)) return '--from reads a dump, not a cluster: leave out --kubeconfig and --context';
  return surfaceConflict(o) ?? agentVersionProblem(o.agentVersion) ?? distributionProblem(o.distributions);
}

function agentVersionProblem(version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  try {
    parseAgentVersion(version);
    return undefined;
  } catch (error) {
    if (error instanceof AgentVersionError) return `--agent-version: ${error.message}`;
    throw error;
  }
}

function distributionProblem(names: readonly string[]): string | undefined {
  try {
    parseDistributions(names);
    return undefined;
  } catch (error) {
    if (error instanceof DistributionNameError) return `--distribution: ${error.message}`;
    throw error;
  }
}
