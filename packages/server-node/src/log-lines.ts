import { LIBRARY_ENV, type Pod, type WebhookFailure, type WebhookName, type WebhookResult } from '@dd-admission/core';
import type { LogSite } from './logger.js';

/**
 * Where each message comes from. Lines the cluster agent also writes carry its
 * file, line and function, so searches written for its logs (the troubleshooting
 * guide's `common.go:74 in injectEnv`) keep working; the guide's two injection
 * sites are exact, the server.go ones follow the 2023 source layout. Messages the
 * agent has no counterpart for name this package's module instead.
 */
export const SITES = {
  injectEnv: { file: 'pkg/clusteragent/admission/mutate/common.go', line: 74, func: 'injectEnv' },
  injectLibInitContainer: { file: 'pkg/clusteragent/admission/mutate/auto_instrumentation.go', line: 336, func: 'injectLibInitContainer' },
  mutate: { file: 'pkg/clusteragent/admission/mutate/common.go', line: 60, func: 'mutate' },
  mutationResponse: { file: 'cmd/cluster-agent/admission/server.go', line: 171, func: 'mutationResponse' },
  mutateHandler: { file: 'cmd/cluster-agent/admission/server.go', line: 105, func: 'mutateHandler' },
  run: { file: 'cmd/cluster-agent/admission/server.go', line: 79, func: 'Run' },
  server: { file: 'server-node/server.ts', line: 1, func: 'createWebhookServer' },
  tls: { file: 'server-node/tls.ts', line: 1, func: 'watchTlsFiles' },
  devCertificate: { file: 'server-node/dev-certificate.ts', line: 1, func: 'generateDevCertificate' },
  main: { file: 'server-node/main.ts', line: 1, func: 'main' },
  // Controllers: the troubleshooting guide's sites are exact, the others follow the 2023 source layout.
  startAdmission: { file: 'cmd/cluster-agent/subcommands/start/command.go', line: 431, func: 'start' },
  startControllers: { file: 'pkg/clusteragent/admission/start.go', line: 60, func: 'StartControllers' },
  informerSync: { file: 'pkg/util/kubernetes/apiserver/util.go', line: 47, func: 'func1' },
  informerWatch: { file: 'server-node/controllers/object-watch.ts', line: 1, func: 'watchObject' },
  secretRun: { file: 'pkg/clusteragent/admission/controllers/secret/controller.go', line: 73, func: 'Run' },
  secretEnqueue: { file: 'pkg/clusteragent/admission/controllers/secret/controller.go', line: 140, func: 'enqueue' },
  secretProcess: { file: 'pkg/clusteragent/admission/controllers/secret/controller.go', line: 174, func: 'processNextWorkItem' },
  secretReconcile: { file: 'pkg/clusteragent/admission/controllers/secret/controller.go', line: 211, func: 'reconcile' },
  webhookRun: { file: 'pkg/clusteragent/admission/controllers/webhook/controller_v1.go', line: 91, func: 'Run' },
  webhookEnqueue: { file: 'pkg/clusteragent/admission/controllers/webhook/controller_base.go', line: 148, func: 'enqueue' },
  webhookProcess: { file: 'pkg/clusteragent/admission/controllers/webhook/controller_base.go', line: 176, func: 'processNextWorkItem' },
  webhookReconcile: { file: 'pkg/clusteragent/admission/controllers/webhook/controller_v1.go', line: 140, func: 'reconcile' },
  leaderElection: { file: 'pkg/util/kubernetes/apiserver/leaderelection/leaderelection.go', line: 1, func: 'runLeaderElection' },
  secretTls: { file: 'server-node/controllers/secret-tls.ts', line: 1, func: 'secretTlsSource' },
  // The 7.78 connectivity probe.
  probe: { file: 'pkg/clusteragent/admission/probe/probe.go', line: 161, func: 'Run' },
} as const satisfies Record<string, LogSite>;

/** One log line to write. */
export interface LogEntry {
  site: LogSite;
  message: string;
}

/** The cluster agent's `podString`: `pod <ns>/<name>`, or `pod with generate name <prefix>` when name or namespace is unknown. */
export function podString(pod: Pod | undefined): string {
  const meta = pod?.metadata;
  const namespace = meta?.namespace ?? '';
  const name = meta?.name ?? '';
  if (!namespace || !name) return `pod with generate name ${meta?.generateName ?? ''}`;
  return `pod ${namespace}/${name}`;
}

// The library's own variables (JAVA_TOOL_OPTIONS, PYTHONPATH, ...) are set without a
// log line by the agent; only injectEnv, used for config, tags and lib config, logs.
const LIBRARY_ENV_NAMES: ReadonlySet<string> = new Set(Object.values(LIBRARY_ENV).flatMap((envs) => envs.map((e) => e.name)));

/**
 * The agent's debug lines for one webhook's changes: one `Injecting env var` per
 * variable and pod (not per container), one `Injecting init container` per library.
 */
export function injectionLines(pod: Pod | undefined, result: WebhookResult): LogEntry[] {
  const where = podString(pod);
  const lines: LogEntry[] = [];
  const seen = new Set<string>();
  for (const event of result.events) {
    if (event.kind === 'initContainer') {
      lines.push({ site: SITES.injectLibInitContainer, message: `Injecting init container named ${goQuote(event.name)} with image ${goQuote(event.value ?? '')} into ${where}` });
      continue;
    }
    if (event.kind !== 'env' || seen.has(event.name)) continue;
    if (result.webhook === 'auto-instrumentation' && LIBRARY_ENV_NAMES.has(event.name)) continue;
    seen.add(event.name);
    lines.push({ site: SITES.injectEnv, message: `Injecting env var '${event.name}' into ${where}` });
  }
  return lines;
}

/** The agent's warning when a webhook fails open. */
export function failureLine(failure: Pick<WebhookFailure, 'message'>): LogEntry {
  return { site: SITES.mutationResponse, message: `Failed to mutate: ${failure.message}` };
}

/** A debug line saying why a webhook left a pod alone. */
export function skipLine(pod: Pod | undefined, webhook: WebhookName, reason: string): LogEntry {
  return { site: SITES.mutate, message: `Not mutating ${podString(pod)} in the ${webhook} webhook: ${reason}` };
}

/** Go's %q for the strings we print (image names, container names). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
