import type { AdmissionConfig } from '../config/schema.js';
import { resourcesNamespace, type CertificateFacts } from '../cluster/certificate-policy.js';
import { agentConfig, type AgentConfig, type AgentConfigOptions } from './agent-config.js';
import { findClusterAgent, type ClusterAgent } from './cluster-agent.js';
import { detectDistribution, type DetectedDistribution, type DoctorDistribution } from './distribution.js';
import type { ProbeResult } from './probe.js';
import { scanPods } from './pod-scan.js';
import type { ClusterSnapshot, PodScan } from './snapshot.js';

// Everything a check reads besides the snapshot: the Cluster Agent found in
// it and its effective configuration, what the pods showed (scanned once for
// every check), the distribution, the scope, and the outside world passed in
// (the time, a certificate reader, the probe result), so the checks stay pure.

/** What the caller supplies. */
export interface DoctorOptions extends AgentConfigOptions {
  /** Wall-clock time, epoch milliseconds (certificate expiry). */
  now: number;
  /** Reads NotAfter and the DNS names of a PEM certificate; throws when it is not one (node:crypto lives in the adapter). */
  readCertificate: (pem: string) => CertificateFacts;
  /** Distributions declared by the user; they replace the detection. */
  distributions?: readonly DoctorDistribution[];
  /** Where to look for the Cluster Agent (default: anywhere). */
  agentNamespace?: string;
  /** Namespaces whose workloads and pods are checked (default: all). */
  namespaces?: readonly string[];
  /** The connectivity probe's result, when one was run. */
  probe?: ProbeResult;
  /** Why no probe was run (`--no-probe`), when none was. */
  probeSkipped?: string;
}

/** The Cluster Agent found in the snapshot, its configuration and the user's scope: what reading the pods needs first. */
export interface AgentContext {
  agent: ClusterAgent | undefined;
  /** Where the Cluster Agent was looked for, when the caller said. */
  agentNamespace: string | undefined;
  agentConfig: AgentConfig;
  /** The effective configuration; undefined when it does not parse (the cluster-agent check says why). */
  config: AdmissionConfig | undefined;
  /** Where each key's value comes from. */
  origins: Readonly<Record<string, string>>;
  /** Where the Service, the Secret and the webhook configuration's service reference live. */
  resourcesNamespace: string;
  /** Namespaces whose workloads and pods are checked; undefined: all. */
  namespaces: ReadonlySet<string> | undefined;
}

/** What every check reads besides the snapshot. */
export interface DoctorContext extends AgentContext {
  /** What the checks read from every pod. */
  pods: PodScan;
  distribution: DetectedDistribution;
  now: number;
  readCertificate: (pem: string) => CertificateFacts;
  probe: ProbeResult | undefined;
  probeSkipped: string | undefined;
}

/** Finds the Cluster Agent and reads its configuration. */
export function agentContext(snapshot: ClusterSnapshot, options: DoctorOptions): AgentContext {
  const agent = findClusterAgent(snapshot, options.agentNamespace);
  const read = agentConfig(snapshot, agent, options);
  const config = read.result.ok ? read.result.config : undefined;
  return {
    agent,
    agentNamespace: options.agentNamespace,
    agentConfig: read,
    config,
    origins: read.result.ok ? read.result.origins : {},
    resourcesNamespace: config ? resourcesNamespace(config, agent?.namespace) : (agent?.namespace ?? 'default'),
    namespaces: options.namespaces ? new Set(options.namespaces) : undefined,
  };
}

/** Finds the Cluster Agent, reads its configuration, scans the pods (unless the snapshot was scanned as it was read) and detects the distribution. */
export function doctorContext(snapshot: ClusterSnapshot, options: DoctorOptions): DoctorContext {
  const agent = agentContext(snapshot, options);
  const pods = snapshot.podScan ?? scanPods(snapshot, agent);
  return {
    ...agent,
    pods,
    distribution: detectDistribution(snapshot, pods, options.distributions),
    now: options.now,
    readCertificate: options.readCertificate,
    probe: options.probe,
    probeSkipped: options.probeSkipped,
  };
}

/** `<key> <value> (<origin>)`, how details show a setting. */
export function setting(context: DoctorContext, key: string, value: unknown): string {
  return `${key} ${typeof value === 'string' ? value : JSON.stringify(value)} (${context.origins[key] ?? 'default'})`;
}
