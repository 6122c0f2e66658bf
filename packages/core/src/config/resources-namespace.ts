import type { AdmissionSettings } from './schema.js';

/** Where the Secret, the Service and the Lease live: `kube_resources_namespace`, else the pod's namespace, else `default`. */
export function resourcesNamespace(config: Pick<AdmissionSettings, 'kube_resources_namespace'>, podNamespace?: string): string {
  return config.kube_resources_namespace || podNamespace || 'default';
}
