import type { OwnerResource } from '@dd-admission/core';
import type { KubeClient } from '@dd-admission/kube';
import type { OwnerFetch } from './owner-lookup.js';

/**
 * An OwnerFetch over the Kubernetes API, as the cluster agent's dynamic client
 * does: GET `/api[s]/<group>/<version>/namespaces/<ns>/<resource>/<name>`. The
 * client is asked for on the first lookup, so a server that never needs an owner
 * never loads the Kubernetes client; a failure to connect fails that lookup.
 */
export function kubeOwnerFetch(client: () => Promise<KubeClient>): OwnerFetch {
  return async (owner: OwnerResource) => {
    const { group, version, resource, kind, name, namespace } = owner;
    return (await client()).get({ group, version, resource, kind, namespaced: true }, name, { namespace });
  };
}
