// The Kubernetes client of the controllers: @kubernetes/client-node, loaded
// lazily (the server runs without it when the controllers are off), configured
// from a kubeconfig file, the default locations or the in-cluster service
// account, with a timeout on every request so a slow API server never stalls a
// controller forever.

type K8s = typeof import('@kubernetes/client-node');
type KubeConfig = import('@kubernetes/client-node').KubeConfig;

/** The typed API clients the controllers use, all on one configuration. */
export interface KubeClients {
  readonly k8s: K8s;
  readonly kc: KubeConfig;
  /** The API server URL of the current context. */
  readonly server: string;
  readonly core: import('@kubernetes/client-node').CoreV1Api;
  readonly admissionV1: import('@kubernetes/client-node').AdmissionregistrationV1Api;
  readonly coordination: import('@kubernetes/client-node').CoordinationV1Api;
  readonly version: import('@kubernetes/client-node').VersionApi;
  /** Generic client, for admissionregistration v1beta1 (which the typed clients no longer have). */
  readonly objects: import('@kubernetes/client-node').KubernetesObjectApi;
  readonly watch: import('@kubernetes/client-node').Watch;
}

/** The client is not installed, or no usable configuration was found. */
export class KubeSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeSetupError';
  }
}

export interface KubeClientOptions {
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, else the in-cluster service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  /** Per-request timeout; default 10 s. */
  requestTimeoutMs?: number;
  /** Loads the client module (tests may replace it). */
  load?: () => Promise<K8s>;
}

/** Loads the client and builds the API clients of the configured context. */
export async function connectKube(options: KubeClientOptions = {}): Promise<KubeClients> {
  let k8s: K8s;
  try {
    k8s = await (options.load ?? (() => import('@kubernetes/client-node')))();
  } catch (error) {
    throw new KubeSetupError(`the Kubernetes client @kubernetes/client-node is not installed: ${(error as Error).message}`);
  }
  const kc = new k8s.KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (error) {
    throw new KubeSetupError(`cannot load the Kubernetes configuration: ${(error as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeSetupError(`no cluster in the Kubernetes configuration${options.context ? ` for context "${options.context}"` : ''}`);
  // loadFromDefault's last resort when it finds nothing is an unauthenticated http://localhost:8080:
  // better to say there is no configuration than to retry against that forever.
  if (!options.kubeconfig && cluster.name === 'cluster' && cluster.server === 'http://localhost:8080' && kc.getCurrentUser()?.name === 'user') {
    throw new KubeSetupError('no Kubernetes configuration: not in a pod with a service account, and no KUBECONFIG or ~/.kube/config (pass --kubeconfig)');
  }
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        // Every call gets its own deadline: an API server that accepts the connection and never answers must not hang us.
        pre: async (context) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return context;
        },
        post: async (response) => response,
      },
    ],
  });
  return {
    k8s,
    kc,
    server: cluster.server,
    core: new k8s.CoreV1Api(configuration),
    admissionV1: new k8s.AdmissionregistrationV1Api(configuration),
    coordination: new k8s.CoordinationV1Api(configuration),
    version: new k8s.VersionApi(configuration),
    objects: new k8s.KubernetesObjectApi(configuration),
    watch: new k8s.Watch(kc),
  };
}

/** A typed client object as the plain JSON the API sent (dates as RFC 3339 text). */
export function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
