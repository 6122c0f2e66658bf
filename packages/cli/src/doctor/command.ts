import { DISTRIBUTIONS, parseDistributions, runDoctor, type ClusterSnapshot, type Distribution, type DoctorOptions, type ProbeResult } from '@dd-admission/core';
import { connectKube, describeKubeError, KubeApiError, KubeConfigError, KubeConnectionError, type KubeClient, type KubeClientModule } from '@dd-admission/kube';
import type { Io } from '../io.js';
import { overrideSources } from '../load-config.js';
import { styleFor } from '../style.js';
import { readCertificate } from './certificate.js';
import { dumpSnapshot } from './dump-snapshot.js';
import { liveSnapshot } from './live-snapshot.js';
import type { DoctorArgs } from './options.js';
import { runProbe } from './probe.js';
import { renderDoctor } from './render.js';

// `dd-mutate doctor`: gathers the snapshot (live through packages/kube, or
// from --from dumps), sends the connectivity probe on a live run, hands both
// to the core's checks and prints the report. Exit 0 when no check failed
// (a warning too with --strict), 1 when one did or the cluster cannot be read.

/** What the doctor needs from the outside world beyond the CLI's Io (defaults: the real ones). */
export interface DoctorIo extends Io {
  /** Wall-clock time, epoch ms (certificate expiry). */
  now?: () => number;
  /** A monotonic clock in ms, to time the probe. */
  monotonic?: () => number;
  fileExists?: (path: string) => boolean;
  loadClient?: () => Promise<KubeClientModule>;
}

/** A failure to read the cluster, with its one-line message. */
class ClusterReadError extends Error {}

/** Runs `dd-mutate doctor`; resolves to the exit status. InputErrors (a bad dump or configuration file) are the caller's to report. */
export async function doctorCommand(args: DoctorArgs, io: DoctorIo): Promise<number> {
  const options: DoctorOptions = {
    now: (io.now ?? Date.now)(),
    readCertificate,
    // The Operator's derivation knows the providers by the preview's names; the doctor's that are one count.
    overrides: await overrideSources({ ...args, distributions: args.distributions.filter(isPreviewDistribution) }, io),
    ...(args.distributions.length > 0 ? { distributions: parseDistributions(args.distributions) } : {}),
    ...(args.agentNamespace !== undefined ? { agentNamespace: args.agentNamespace } : {}),
    ...(args.namespace !== undefined ? { namespaces: [args.namespace] } : {}),
    ...(args.agentVersion !== undefined ? { agentVersion: args.agentVersion, agentVersionOrigin: '--agent-version' } : {}),
  };
  let gathered: Gathered;
  try {
    gathered = args.from.length > 0 ? { snapshot: await dumpSnapshot(args.from, io) } : await gatherLive(args, io, options);
  } catch (error) {
    if (!(error instanceof ClusterReadError) && !(error instanceof KubeConfigError)) throw error;
    io.stderr.write(`dd-mutate: ${error.message}\n`);
    return 1;
  }
  const report = runDoctor(gathered.snapshot, { ...options, ...gathered.probe, strict: args.strict });
  io.stdout.write(args.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report, styleFor(io.isTTY.stdout, io.env)));
  return report.success ? 0 : 1;
}

function isPreviewDistribution(name: string): name is Distribution {
  return (DISTRIBUTIONS as readonly string[]).includes(name);
}

/** The snapshot, and what became of the probe on a live run. */
interface Gathered {
  snapshot: ClusterSnapshot;
  probe?: { probe: ProbeResult } | { probeSkipped: string };
}

async function gatherLive(args: DoctorArgs, io: DoctorIo, options: DoctorOptions): Promise<Gathered> {
  const kube = await connectKube({
    ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
    ...(args.context !== undefined ? { context: args.context } : {}),
    env: io.env,
    ...(io.fileExists ? { fileExists: io.fileExists } : {}),
    ...(io.loadClient ? { load: io.loadClient } : {}),
  });
  const snapshot = await readCluster(kube, () => liveSnapshot(kube, options));
  if (args.noProbe) return { snapshot, probe: { probeSkipped: '--no-probe: the dry-run pod create was not sent' } };
  const outcome = await runProbe(kube, args.namespace ?? kube.namespace ?? 'default', io.monotonic ?? (() => performance.now()));
  return { snapshot, probe: 'probe' in outcome ? { probe: outcome.probe } : { probeSkipped: outcome.skipped } };
}

/** Runs `read`, turning the errors of a cluster that cannot be read into one line naming the server. */
async function readCluster<T>(kube: KubeClient, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof KubeConnectionError) throw new ClusterReadError(`cannot reach the Kubernetes API server at ${kube.server}: ${error.message}`);
    if (error instanceof KubeApiError) throw new ClusterReadError(`cannot read the cluster at ${kube.server}: ${describeKubeError(error)}`);
    throw error;
  }
}
