import type { ClusterSnapshot, PodScan, SnapshotPod } from './snapshot.js';

// Which Kubernetes distribution the cluster is, from what it shows: node
// labels, provider IDs and kubelet versions (in a dump too), the API server's
// gitVersion and API groups (live only), namespaces and pod annotations. Each
// signal is kept with its strength so the user sees why; an explicit
// `--distribution` replaces the detection. docs/troubleshooting.md lists the
// signals and how far each can be trusted.

/** The distributions the doctor has advice for. `gke-private` and `gke-autopilot` imply `gke`. */
export const DOCTOR_DISTRIBUTIONS = ['gke', 'gke-autopilot', 'gke-private', 'eks', 'aks', 'openshift', 'rancher'] as const;
export type DoctorDistribution = (typeof DOCTOR_DISTRIBUTIONS)[number];

/** The preview's compound names, accepted by `--distribution` too. */
const COMPOUND: Readonly<Record<string, readonly DoctorDistribution[]>> = {
  'rancher-eks': ['rancher', 'eks'],
  'rancher-gke-private': ['rancher', 'gke', 'gke-private'],
};

/** `strong`: only this distribution shows it; `medium`: usually this distribution, but others can show it too. */
export type SignalStrength = 'strong' | 'medium';

/** One thing seen in the cluster that points at a distribution. */
export interface DistributionSignal {
  distribution: DoctorDistribution;
  strength: SignalStrength;
  /** What was seen, naming the object. */
  evidence: string;
}

/** The distributions the checks use, and why. */
export interface DetectedDistribution {
  distributions: DoctorDistribution[];
  /** `detected` from the signals, or `declared` by the caller (the signals are still reported). */
  source: 'detected' | 'declared';
  signals: DistributionSignal[];
}

/** Thrown for a `--distribution` name the doctor does not know. */
export class DistributionNameError extends Error {
  constructor(name: string) {
    super(`unknown distribution "${name}" (expected one of ${[...DOCTOR_DISTRIBUTIONS, ...Object.keys(COMPOUND)].join(', ')})`);
    this.name = 'DistributionNameError';
  }
}

/** The distributions named by `--distribution` values (repeatable, comma-separated); throws DistributionNameError. */
export function parseDistributions(names: readonly string[]): DoctorDistribution[] {
  const out = new Set<DoctorDistribution>();
  for (const name of names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean)) {
    const known = (DOCTOR_DISTRIBUTIONS as readonly string[]).includes(name) ? [name as DoctorDistribution] : COMPOUND[name];
    if (!known) throw new DistributionNameError(name);
    for (const d of known) out.add(d);
  }
  return withImplied(out);
}

/** The signals (the pods' from their scan), or the declared distributions when the caller names any. */
export function detectDistribution(snapshot: ClusterSnapshot, pods: PodScan, declared?: readonly DoctorDistribution[]): DetectedDistribution {
  const signals = distributionSignals(snapshot, pods);
  if (declared && declared.length > 0) return { distributions: withImplied(new Set(declared)), source: 'declared', signals };
  return { distributions: withImplied(new Set(signals.map((s) => s.distribution))), source: 'detected', signals };
}

function withImplied(set: Set<DoctorDistribution>): DoctorDistribution[] {
  if (set.has('gke-autopilot') || set.has('gke-private')) set.add('gke');
  return DOCTOR_DISTRIBUTIONS.filter((d) => set.has(d));
}

/** The pod's `autopilot.gke.io/` annotation, when it has one (GKE Autopilot annotates the pods it admits). */
export function autopilotAnnotation(pod: SnapshotPod): string | undefined {
  return Object.keys(pod.metadata.annotations ?? {}).find((k) => k.startsWith('autopilot.gke.io/'));
}

/** Every signal the snapshot shows, one per distribution and kind of evidence. */
function distributionSignals(snapshot: ClusterSnapshot, pods: PodScan): DistributionSignal[] {
  const found = new Map<string, DistributionSignal>();
  const add = (distribution: DoctorDistribution, strength: SignalStrength, kind: string, evidence: string) => {
    if (!found.has(`${distribution} ${kind}`)) found.set(`${distribution} ${kind}`, { distribution, strength, evidence });
  };
  serverSignals(snapshot, add);
  nodeSignals(snapshot, add);
  namespaceSignals(snapshot, add);
  if (pods.autopilot) add('gke-autopilot', 'strong', 'annotation', `pod ${pods.autopilot.pod} has annotation ${pods.autopilot.annotation}`);
  return [...found.values()];
}

type Add = (distribution: DoctorDistribution, strength: SignalStrength, kind: string, evidence: string) => void;

function serverSignals(snapshot: ClusterSnapshot, add: Add): void {
  const git = snapshot.serverVersion?.gitVersion ?? '';
  if (/-eks-/.test(git)) add('eks', 'strong', 'server', `API server version ${git}`);
  if (/-gke\./.test(git)) add('gke', 'strong', 'server', `API server version ${git}`);
  for (const group of snapshot.apiGroups ?? []) {
    if (['config.openshift.io', 'route.openshift.io', 'security.openshift.io'].includes(group)) add('openshift', 'strong', 'group', `API group ${group}`);
    if (group === 'management.cattle.io') add('rancher', 'strong', 'group', `API group ${group}`);
    if (group === 'auto.gke.io') add('gke-autopilot', 'medium', 'group', `API group ${group}`);
  }
}

function nodeSignals(snapshot: ClusterSnapshot, add: Add): void {
  const nodes = snapshot.objects.nodes;
  for (const node of nodes) {
    const name = node.metadata.name;
    const labels = node.metadata.labels ?? {};
    const kubelet = node.status?.nodeInfo?.kubeletVersion ?? '';
    const provider = node.spec?.providerID ?? '';
    const label = (key: string) => labels[key] !== undefined;
    if (label('eks.amazonaws.com/nodegroup') || label('eks.amazonaws.com/compute-type')) add('eks', 'strong', 'label', `node ${name} has an eks.amazonaws.com/ label`);
    if (/-eks-/.test(kubelet)) add('eks', 'strong', 'kubelet', `node ${name} runs kubelet ${kubelet}`);
    if (provider.startsWith('aws://')) add('eks', 'medium', 'provider', `node ${name} has providerID ${provider} (any Kubernetes on EC2)`);
    if (label('cloud.google.com/gke-nodepool')) add('gke', 'strong', 'label', `node ${name} has label cloud.google.com/gke-nodepool`);
    if (/-gke\./.test(kubelet)) add('gke', 'strong', 'kubelet', `node ${name} runs kubelet ${kubelet}`);
    if (provider.startsWith('gce://')) add('gke', 'medium', 'provider', `node ${name} has providerID ${provider} (any Kubernetes on Compute Engine)`);
    if (labels['cloud.google.com/gke-autopilot'] !== undefined) add('gke-autopilot', 'strong', 'label', `node ${name} has label cloud.google.com/gke-autopilot`);
    if (name.startsWith('gk3-')) add('gke-autopilot', 'medium', 'name', `node ${name} is named gk3-… (Autopilot's node names)`);
    if (Object.keys(labels).some((k) => k.startsWith('kubernetes.azure.com/'))) add('aks', 'strong', 'label', `node ${name} has a kubernetes.azure.com/ label`);
    if (provider.startsWith('azure://')) add('aks', 'medium', 'provider', `node ${name} has providerID azure://… (any Kubernetes on Azure VMs)`);
    if (label('node.openshift.io/os_id')) add('openshift', 'strong', 'label', `node ${name} has label node.openshift.io/os_id`);
    if (Object.keys(labels).some((k) => k.startsWith('rke.cattle.io/') || k.startsWith('cattle.io/'))) add('rancher', 'strong', 'label', `node ${name} has a cattle.io label`);
  }
  const gke = nodes.filter((n) => n.metadata.labels?.['cloud.google.com/gke-nodepool'] !== undefined);
  if (gke.length > 0 && gke.every((n) => !(n.status?.addresses ?? []).some((a) => a.type === 'ExternalIP'))) {
    add('gke-private', 'medium', 'addresses', `no GKE node has an ExternalIP (${gke.length} node${gke.length > 1 ? 's' : ''}): private nodes`);
  }
}

function namespaceSignals(snapshot: ClusterSnapshot, add: Add): void {
  for (const ns of snapshot.objects.namespaces) {
    const name = ns.metadata.name;
    if (name === 'cattle-system') add('rancher', 'strong', 'namespace', 'namespace cattle-system (the Rancher agent)');
    if (name === 'openshift-apiserver' || name === 'openshift-config') add('openshift', 'strong', 'namespace', `namespace ${name}`);
  }
}
