import { existsSync } from 'node:fs';
import { firstLine, KubeConfigError } from './errors.js';

// Which kubeconfig to use, looked for as kubectl does: the given file, else the
// first existing file of KUBECONFIG, else ~/.kube/config, else the pod's service
// account. Unlike client-node's loadFromDefault, finding nothing is an error that
// says so, not an unauthenticated http://localhost:8080.

/** The @kubernetes/client-node module. */
export type KubeClientModule = typeof import('@kubernetes/client-node');
export type KubeConfig = import('@kubernetes/client-node').KubeConfig;

/** Where the service account token is mounted in a pod. */
export const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeconfigOptions {
  /** A kubeconfig file (`--kubeconfig`); default: KUBECONFIG, ~/.kube/config, then the pod's service account. */
  kubeconfig?: string;
  /** A context other than the kubeconfig's current one (`--context`). */
  context?: string;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Checks that a file exists; default fs.existsSync (tests replace it). */
  fileExists?: (path: string) => boolean;
  /** A directory standing for `/` when looking for the service account (tests); default the real root. */
  inClusterRoot?: string;
}

/** Loads the kubeconfig and selects the context; throws KubeConfigError saying what is missing or wrong. */
export function loadKubeconfig(k8s: KubeClientModule, options: KubeconfigOptions): KubeConfig {
  const kc = new k8s.KubeConfig();
  const file = kubeconfigFile(options);
  try {
    if (file === IN_CLUSTER) kc.loadFromCluster(options.inClusterRoot);
    else kc.loadFromFile(file);
  } catch (error) {
    throw new KubeConfigError(`cannot load the kubeconfig ${file === IN_CLUSTER ? 'of the pod service account' : file}: ${firstLine((error as Error).message)}`);
  }
  if (options.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) throw new KubeConfigError(`context "${options.context}" not found in the kubeconfig (contexts: ${names.join(', ') || 'none'})`);
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeConfigError(`the kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
  return kc;
}

/** Stands for the pod's service account where a file name would be. */
const IN_CLUSTER = Symbol('in-cluster');

/** The file to load, or the in-cluster service account. */
function kubeconfigFile(options: KubeconfigOptions): string | typeof IN_CLUSTER {
  const exists = options.fileExists ?? existsSync;
  const { env } = options;
  if (options.kubeconfig !== undefined) {
    if (!exists(options.kubeconfig)) throw new KubeConfigError(`cannot read the kubeconfig ${options.kubeconfig}: no such file`);
    return options.kubeconfig;
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(':').find((file) => file !== '' && exists(file));
  if (fromEnv !== undefined) return fromEnv;
  const home = env.HOME ?? env.USERPROFILE;
  if (home !== undefined && exists(`${home}/.kube/config`)) return `${home}/.kube/config`;
  // client-node reads the API server's address from the process environment itself.
  if (env.KUBERNETES_SERVICE_HOST !== undefined && exists(`${options.inClusterRoot ?? ''}${SERVICE_ACCOUNT_TOKEN_FILE}`)) return IN_CLUSTER;
  throw new KubeConfigError('no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig <file>');
}
