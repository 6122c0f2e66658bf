// @dd-admission/kube: the one Kubernetes adapter of the CLI and the server.
export * from './errors.js';
export * from './kubeconfig.js';
export * from './resources.js';
export * from './client.js';
