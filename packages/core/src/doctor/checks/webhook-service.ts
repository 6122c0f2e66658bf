import { WEBHOOK_SERVICE_PORT } from '../../cluster/webhook-configuration.js';
import type { Check, CheckInput } from '../check.js';
import type { ClusterAgent } from '../cluster-agent.js';
import { setting } from '../context.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { findNamed, listSome, serviceSelects, shellQuote } from '../objects.js';
import { permissionFor, unreadable, type ClusterSnapshot, type SnapshotService } from '../snapshot.js';

// `webhook-service`: the Service the webhooks call exists, exposes port 443,
// forwards it to the port the Cluster Agent listens on, and has ready
// endpoints behind it.

export const webhookServiceCheck: Check = {
  id: 'webhook-service',
  category: 'webhook',
  anchor: 'the-webhook-service',
  reads: ['services'],
  run: assess,
};

function assess({ snapshot, context, config }: CheckInput) {
  const namespace = context.resourcesNamespace;
  const name = config.admission_controller.service_name;
  const listening = config.admission_controller.port;
  const agent = context.agent;
  const service = findNamed(snapshot.objects.services, namespace, name);
  if (!service) {
    return verdict(
      'fail',
      `Service ${namespace}/${name} does not exist: the API server has nowhere to send the webhook calls`,
      [setting(context, 'admission_controller.service_name', name)],
      `kubectl expose deployment/${agent?.name ?? '<cluster-agent>'} -n ${namespace} --name ${name} --port ${WEBHOOK_SERVICE_PORT} --target-port ${listening}`,
    );
  }
  const ports = service.spec?.ports ?? [];
  const index = ports.findIndex((p) => p.port === WEBHOOK_SERVICE_PORT);
  const port = ports[index];
  if (!port) {
    return verdict('fail', `Service ${namespace}/${name} does not expose port ${WEBHOOK_SERVICE_PORT}, which the webhooks call`, [
      `ports: ${ports.map((p) => p.port).join(', ') || 'none'}`,
    ]);
  }
  const problems: Problem[] = [];
  const target = resolveTargetPort(port.targetPort ?? port.port, agent);
  if (target !== listening) {
    const patch = JSON.stringify([{ op: 'replace', path: `/spec/ports/${index}/targetPort`, value: listening }]);
    problems.push({
      status: 'fail',
      summary: `Service ${namespace}/${name} forwards port ${WEBHOOK_SERVICE_PORT} to ${describeTarget(port.targetPort, target)}, but the Cluster Agent listens on ${listening}`,
      details: [setting(context, 'admission_controller.port', listening)],
      fix: `kubectl patch service ${name} -n ${namespace} --type json -p ${shellQuote(patch)}`,
    });
  }
  if (agent && !agent.pods.some((p) => serviceSelects(service.spec?.selector, p.metadata.labels))) {
    problems.push({
      status: 'fail',
      summary: `Service ${namespace}/${name} selects none of the Cluster Agent's pods`,
      details: [`selector: ${JSON.stringify(service.spec?.selector ?? {})}`, `Cluster Agent pods: ${agent.pods.map((p) => p.metadata.name).join(', ') || 'none'}`],
    });
  }
  const endpoints = serviceEndpoints(snapshot, service);
  if ('unknown' in endpoints) {
    problems.push({ status: 'warn', summary: `cannot see the Service's endpoints: ${endpoints.unknown}` });
  } else if (endpoints.ready.length === 0) {
    problems.push({
      status: 'fail',
      summary: `Service ${namespace}/${name} has no ready endpoint: the API server's calls fail (no endpoints available for service)`,
      details: endpoints.notReady.length > 0 ? [`not ready: ${listSome(endpoints.notReady)}`] : [],
      fix: `kubectl get pods -n ${namespace} -l ${Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}; kubectl describe endpoints ${name} -n ${namespace}`,
    });
  }
  const ready = 'ready' in endpoints ? `${endpoints.ready.length} ready endpoint${endpoints.ready.length === 1 ? '' : 's'} (${listSome(endpoints.ready)})` : 'endpoints unknown';
  return fromProblems(problems, verdict('ok', `Service ${namespace}/${name}: port ${WEBHOOK_SERVICE_PORT} -> ${listening}, ${ready}`));
}

/** The number a targetPort names: itself, or the Cluster Agent container's port of that name. */
function resolveTargetPort(targetPort: number | string, agent: ClusterAgent | undefined): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  return agent?.container.ports?.find((p) => p.name === targetPort)?.containerPort;
}

function describeTarget(targetPort: number | string | null | undefined, resolved: number | undefined): string {
  if (typeof targetPort !== 'string' || /^\d+$/.test(targetPort)) return String(resolved);
  return resolved === undefined ? `the port named ${targetPort}, which the Cluster Agent container does not declare` : `${targetPort} (${resolved})`;
}

/** Ready and not-ready addresses behind a Service, from its Endpoints or its EndpointSlices. */
function serviceEndpoints(snapshot: ClusterSnapshot, service: SnapshotService): { ready: string[]; notReady: string[] } | { unknown: string } {
  const namespace = service.metadata.namespace ?? undefined;
  const name = service.metadata.name;
  const endpoints = findNamed(snapshot.objects.endpoints, namespace, name);
  if (endpoints) {
    const subsets = endpoints.subsets ?? [];
    return {
      ready: subsets.flatMap((s) => (s.addresses ?? []).map(describeAddress)),
      notReady: subsets.flatMap((s) => (s.notReadyAddresses ?? []).map(describeAddress)),
    };
  }
  const slices = snapshot.objects.endpointslices.filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.['kubernetes.io/service-name'] === name);
  if (slices.length > 0) {
    const all = slices.flatMap((s) => s.endpoints ?? []);
    const show = (e: (typeof all)[number]) => (e.targetRef?.name ? `${e.addresses.join(',')} (${e.targetRef.name})` : e.addresses.join(','));
    return { ready: all.filter((e) => e.conditions?.ready !== false).map(show), notReady: all.filter((e) => e.conditions?.ready === false).map(show) };
  }
  const gaps = [unreadable(snapshot, 'endpoints'), unreadable(snapshot, 'endpointslices')];
  if (gaps.every((g) => g !== undefined)) return { unknown: `not readable: needs ${gaps.map((g) => permissionFor(g!)).join(' or ')}` };
  return { ready: [], notReady: [] };
}

function describeAddress(a: { ip: string; targetRef?: { name?: string | null } | null }): string {
  return a.targetRef?.name ? `${a.ip} (${a.targetRef.name})` : a.ip;
}
