import { stringify } from 'yaml';

// A kubeconfig pointing at an API double, so clients are configured exactly as
// against a cluster. An `http://` server needs `insecure-skip-tls-verify`:
// @kubernetes/client-node refuses plain HTTP otherwise.

export interface KubeconfigOptions {
  /** The API server URL. */
  server: string;
  /** PEM CA of an https server; ignored for http. */
  caPem?: string;
  /** Bearer token; the double records it as the caller (one per replica tells them apart). */
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** Context (and cluster and user) name; default `kube-api-double`. */
  contextName?: string;
}

/** The kubeconfig YAML text. */
export function kubeconfigYaml(options: KubeconfigOptions): string {
  const name = options.contextName ?? 'kube-api-double';
  const insecure = options.server.startsWith('http:');
  const cluster: Record<string, unknown> = { server: options.server };
  if (insecure) cluster['insecure-skip-tls-verify'] = true;
  else if (options.caPem) cluster['certificate-authority-data'] = Buffer.from(options.caPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: options.token ? { token: options.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': name,
    preferences: {},
  });
}
