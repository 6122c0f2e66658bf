// @dd-admission/kube: the one Kubernetes adapter of the CLI and the server.
export { describeKubeError, isAlreadyExists, isConflict, isExpired, isNotFound, KubeApiError, KubeConfigError, KubeConnectionError, KubeError } from './errors.js';
export { SERVICE_ACCOUNT_TOKEN_FILE, type KubeClientModule, type KubeconfigOptions } from './kubeconfig.js';
export { apiVersionOf, qualifiedName, RESOURCES, resourcePath, type ApiResource } from './resources.js';
export {
  connectKube,
  type AccessReview,
  type CallOptions,
  type ConnectOptions,
  type CreateOptions,
  type KubeClient,
  type KubeObject,
  type ListAllOptions,
  type ListOptions,
  type ListPage,
  type ScopeOptions,
  type ServerVersion,
  type WatchEvent,
  type WatchOptions,
} from './client.js';
