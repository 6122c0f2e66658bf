// A Kubernetes API double for controller tests: no kube-apiserver can run here.
export * from './api-errors.js';
export * from './resources.js';
export * from './store.js';
export * from './selectors.js';
export * from './patch.js';
export * from './validation.js';
export * from './faults.js';
export * from './admission.js';
export * from './access.js';
export * from './kubeconfig.js';
export * from './server.js';
