import { DEFAULT_AGENT_VERSION, parseAgentVersion, type AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { LabelSelector } from '../webhooks/selection.js';

// The "Admission Controller" section of the cluster agent's `agent status`
// (controllers spec §5; 7.78: status-7.78): the data it collects, with the
// agent's JSON keys, and its text rendering. The adapter does the GETs and
// parses the certificate.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** FNV-1 (not 1a) 64-bit hash of the bytes, lower-case hex without leading zeros (the agent's getDigest). */
export function fnv1Digest(bytes: Uint8Array): string {
  let hash = FNV_OFFSET;
  for (const byte of bytes) hash = ((hash * FNV_PRIME) & MASK_64) ^ BigInt(byte);
  return hash.toString(16);
}

/** The bytes of standard base64 text (the API's encoding of `[]byte`); invalid text yields no bytes. */
export function base64Bytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return new Uint8Array();
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const NS_PER = { us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n } as const;

/** Go's time.Duration String() of a duration in nanoseconds: `8643h34m2.557676864s`, `1.5ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < NS_PER.us) return `${sign}${u}ns`;
  if (u < NS_PER.ms) return `${sign}${fraction(u, NS_PER.us, 3)}µs`;
  if (u < NS_PER.s) return `${sign}${fraction(u, NS_PER.ms, 6)}ms`;
  const seconds = fraction(u % (60n * NS_PER.s), NS_PER.s, 9);
  const totalMinutes = u / (60n * NS_PER.s);
  if (totalMinutes === 0n) return `${sign}${seconds}s`;
  const hours = totalMinutes / 60n;
  const minutes = `${totalMinutes % 60n}m${seconds}s`;
  return hours === 0n ? `${sign}${minutes}` : `${sign}${hours}h${minutes}`;
}

/** `value / unit` with `digits` fraction digits, trailing zeros (and a bare dot) dropped. */
function fraction(value: bigint, unit: bigint, digits: number): string {
  const whole = value / unit;
  const frac = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** Go's `%v` of a string slice: `[a b]`, and `[]` for one empty string or none. */
export function formatGoList(items: readonly string[] | undefined): string {
  return `[${(items ?? []).join(' ')}]`;
}

/** The generated String() of a Kubernetes LabelSelector, as the agent prints the object selector. */
export function formatLabelSelector(selector: LabelSelector): string {
  const labels = Object.keys(selector.matchLabels ?? {})
    .sort(byteOrder)
    .map((k) => `${k}: ${selector.matchLabels![k]},`)
    .join('');
  const expressions = (selector.matchExpressions ?? [])
    .map((r) => `LabelSelectorRequirement{Key:${r.key},Operator:${r.operator},Values:${formatGoList(r.values)},},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}

/** Go sorts map keys by bytes, not by locale. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kubernetes' RFC 3339 form of a timestamp, to the second, in UTC: `2023-09-25T22:32:07Z`. */
export function formatKubeTime(time: string | Date | undefined): string {
  if (time === undefined) return '';
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  if (Number.isNaN(ms)) return String(time);
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** The webhooks part of the status, with the agent's keys. */
export interface WebhooksStatus {
  Name: string;
  CreatedAt: string;
  /** Per webhook name, its fields by label (`CA bundle digest`, `Object selector`, `Rule 1`, `Service`). */
  Webhooks: Record<string, Record<string, string>>;
}

/** The Secret part of the status, with the agent's keys. */
export interface SecretStatus {
  Name: string;
  Namespace: string;
  CreatedAt: string;
  CABundleDigest: string;
  CertValidDuration: string;
}

/** The "Connectivity Probe" block (7.78, Form B): `Enabled`, then one of `Detail`, `Error` or the statistics (`HasStats`). */
export interface ProbeStatus {
  Enabled: boolean;
  Detail?: string;
  Error?: string;
  HasStats?: boolean;
  TotalExecutions?: number;
  SuccessCount?: number;
  FailCount?: number;
  SuccessRate?: string;
  LastExecutionTime?: string;
  LastExecutionSuccess?: boolean;
  LastExecutionError?: string;
  LastSuccessTime?: string;
  DiagnosticHint?: string;
}

/** The agent's status map for the admission controller (also the `-o json` output). */
export interface AdmissionStatus {
  /** The API client could not be built: the only key then. */
  Error?: string;
  Disabled?: string;
  WebhookName?: string;
  SecretName?: string;
  /** 7.49: the MutatingWebhookConfiguration. */
  Webhooks?: WebhooksStatus;
  WebhookError?: string;
  /** Since 7.61, in place of Webhooks / WebhookError. */
  ValidatingWebhooks?: WebhooksStatus;
  ValidatingWebhookError?: string;
  MutatingWebhooks?: WebhooksStatus;
  MutatingWebhookError?: string;
  Secret?: SecretStatus;
  SecretError?: string;
  /** 7.78. */
  Probe?: ProbeStatus;
}

/** The text the agent prints when admission_controller.enabled is false. */
export const DISABLED_TEXT = 'The admission controller is not enabled on the Cluster Agent';

/** A webhook configuration as read from the API (plain JSON; caBundle in base64). */
export interface StatusWebhookConfiguration {
  metadata?: { name?: string; creationTimestamp?: string | Date };
  webhooks?: readonly {
    name: string;
    clientConfig?: { caBundle?: string; service?: { namespace?: string; name?: string; port?: number; path?: string } };
    objectSelector?: LabelSelector;
    rules?: readonly { operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[] }[];
  }[];
}

/** A Secret as read from the API (plain JSON; data in base64). */
export interface StatusSecret {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string | Date };
  data?: Readonly<Record<string, string>>;
}

/** A GET that worked, or the error text it gave. */
export type Read<T> = { ok: true; object: T } | { ok: false; error: string };

export interface StatusInput {
  /** The Cluster Agent release whose layout is used; default DEFAULT_AGENT_VERSION. */
  agentVersion?: AgentVersion;
  /** admission_controller.enabled */
  enabled: boolean;
  webhookName: string;
  namespace: string;
  secretName: string;
  /** The MutatingWebhookConfiguration. */
  webhookConfiguration: Read<StatusWebhookConfiguration>;
  /** The ValidatingWebhookConfiguration (read since 7.61). */
  validatingWebhookConfiguration?: Read<StatusWebhookConfiguration>;
  /** The probe block (7.78); `Enabled: false` when absent. */
  probe?: ProbeStatus;
  secret: Read<StatusSecret>;
  /** NotAfter of the Secret's certificate (epoch ms), parsed by the adapter; absent when it does not parse. */
  certificateNotAfter?: number;
  /** Wall-clock time in nanoseconds since the epoch. */
  nowNs: bigint;
}

/** Collects the status as the agent's GetStatus does. */
export function admissionStatus(input: StatusInput): AdmissionStatus {
  if (!input.enabled) return { Disabled: DISABLED_TEXT };
  const version = input.agentVersion ?? parseAgentVersion(DEFAULT_AGENT_VERSION);
  const status: AdmissionStatus = { WebhookName: input.webhookName, SecretName: `${input.namespace}/${input.secretName}` };
  if (!hasChange(version, 'admission-events')) {
    if (input.webhookConfiguration.ok) status.Webhooks = webhooksStatus(input.webhookConfiguration.object);
    else status.WebhookError = input.webhookConfiguration.error;
  } else {
    const validating = input.validatingWebhookConfiguration ?? { ok: false, error: 'the ValidatingWebhookConfiguration was not read' };
    if (validating.ok) status.ValidatingWebhooks = webhooksStatus(validating.object);
    else status.ValidatingWebhookError = validating.error;
    if (input.webhookConfiguration.ok) status.MutatingWebhooks = webhooksStatus(input.webhookConfiguration.object);
    else status.MutatingWebhookError = input.webhookConfiguration.error;
  }
  if (input.secret.ok) status.Secret = secretStatus(input.secret.object, input.certificateNotAfter, input.nowNs);
  else status.SecretError = input.secret.error;
  if (hasChange(version, 'probe')) status.Probe = input.probe ?? { Enabled: false };
  return status;
}

function webhooksStatus(configuration: StatusWebhookConfiguration): WebhooksStatus {
  const webhooks: Record<string, Record<string, string>> = {};
  for (const w of configuration.webhooks ?? []) {
    const fields: Record<string, string> = {};
    const svc = w.clientConfig?.service;
    if (svc) {
      const port = svc.port === undefined ? 'Port: None (default 443)' : `Port: ${svc.port}`;
      const path = svc.path === undefined ? 'Path: None' : `Path: ${svc.path}`;
      fields['Service'] = `${svc.namespace ?? ''}/${svc.name ?? ''} - ${port} - ${path}`;
    }
    if (w.objectSelector) fields['Object selector'] = formatLabelSelector(w.objectSelector);
    (w.rules ?? []).forEach((r, i) => {
      fields[`Rule ${i + 1}`] =
        `Operations: ${formatGoList(r.operations)} - APIGroups: ${formatGoList(r.apiGroups)} - APIVersions: ${formatGoList(r.apiVersions)} - Resources: ${formatGoList(r.resources)}`;
    });
    fields['CA bundle digest'] = fnv1Digest(base64Bytes(w.clientConfig?.caBundle ?? ''));
    webhooks[w.name] = fields;
  }
  return { Name: configuration.metadata?.name ?? '', CreatedAt: formatKubeTime(configuration.metadata?.creationTimestamp), Webhooks: webhooks };
}

function secretStatus(secret: StatusSecret, notAfter: number | undefined, nowNs: bigint): SecretStatus {
  // The agent prints the zero duration when the certificate cannot be read.
  const left = notAfter === undefined ? 0n : BigInt(Math.round(notAfter)) * NS_PER.ms - nowNs;
  return {
    Name: secret.metadata?.name ?? '',
    Namespace: secret.metadata?.namespace ?? '',
    CreatedAt: formatKubeTime(secret.metadata?.creationTimestamp),
    CABundleDigest: fnv1Digest(base64Bytes(secret.data?.['cert.pem'] ?? '')),
    CertValidDuration: formatGoDuration(left),
  };
}

/** The section as `agent status` prints it (controllers spec §5.2; status-7.78 §2-§3), ending with a newline. */
export function renderStatus(status: AdmissionStatus): string {
  const lines = ['Admission Controller', '====================', ''];
  if (status.Error !== undefined) return [...lines, `    Error: ${status.Error}`, ''].join('\n');
  if (status.Disabled !== undefined) return [...lines, `    Disabled: ${status.Disabled}`, ''].join('\n');
  lines.push('    Webhooks info', '    -------------');
  if (status.MutatingWebhooks || status.MutatingWebhookError !== undefined) {
    // 7.61+: the Validating part first, each part its configuration or its error.
    lines.push(...configurationLines('Validating', status.ValidatingWebhooks, status.ValidatingWebhookError, status.WebhookName));
    lines.push(...configurationLines('Mutating', status.MutatingWebhooks, status.MutatingWebhookError, status.WebhookName));
  } else if (status.Webhooks) {
    lines.push(...configurationLines('Mutating', status.Webhooks, undefined, status.WebhookName));
  } else {
    lines.push(...configurationLines('Mutating', undefined, status.WebhookError ?? '', status.WebhookName));
  }
  lines.push('', '    Secret info', '    -----------');
  if (status.Secret) {
    const s = status.Secret;
    lines.push(
      `    Secret name: ${s.Name}`,
      `    Secret namespace: ${s.Namespace}`,
      `    Created at: ${s.CreatedAt}`,
      `    CA bundle digest: ${s.CABundleDigest}`,
      `    Duration before certificate expiration: ${s.CertValidDuration}`,
    );
  } else {
    lines.push(`    Secret name: ${status.SecretName ?? ''}`, `    Error: ${status.SecretError ?? ''}`);
  }
  if (status.Probe) lines.push('', '    Connectivity Probe', '    ------------------', ...probeLines(status.Probe).map((l) => `    ${l}`));
  return [...lines, ''].join('\n');
}

/** One configuration's part: its name, creation time and a block per webhook (sorted), or its name and the GET's error. */
function configurationLines(kind: 'Validating' | 'Mutating', configuration: WebhooksStatus | undefined, error: string | undefined, webhookName: string | undefined): string[] {
  if (error !== undefined) return [`      ${kind}WebhookConfigurations name: ${webhookName ?? ''}`, `      Error: ${error}`];
  if (!configuration) return [];
  const lines = [`      ${kind}WebhookConfigurations name: ${configuration.Name}`, `      Created at: ${configuration.CreatedAt}`];
  for (const name of Object.keys(configuration.Webhooks).sort(byteOrder)) {
    const fields = configuration.Webhooks[name]!;
    lines.push('      ---------', `        Name: ${name}`);
    for (const label of Object.keys(fields).sort(byteOrder)) lines.push(`        ${label}: ${fields[label]}`);
  }
  return lines;
}

/** The lines of the probe block after its heading (Form B; the statistics lines as the PR #47064 template prints them). */
function probeLines(probe: ProbeStatus): string[] {
  const lines = [`Enabled: ${probe.Enabled}`];
  if (probe.Detail !== undefined) return [...lines, probe.Detail];
  if (probe.Error !== undefined) return [...lines, `Configuration Error: ${probe.Error}`];
  if (!probe.HasStats) return lines;
  const total = probe.TotalExecutions ?? 0;
  lines.push(`Total Executions: ${total}`, `Success Rate: ${probe.SuccessRate ?? 'N/A'}`);
  if (total === 0) return lines;
  lines.push(`Last Execution: ${probe.LastExecutionTime ?? 'N/A'} (${probe.LastExecutionSuccess ? 'success' : 'failure'})`);
  if (probe.LastExecutionError) lines.push(`Last Error: ${probe.LastExecutionError}`);
  lines.push(`Last Successful Probe: ${probe.LastSuccessTime ?? 'N/A'}`);
  if (probe.DiagnosticHint && !probe.LastExecutionSuccess) lines.push(`Hint: ${probe.DiagnosticHint}`);
  return lines;
}
