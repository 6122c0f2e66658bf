import { stringify } from 'yaml';

/** The objects as `kubectl get ... -A -o yaml` prints them: one List. */
export function dumpYaml(objects: readonly unknown[]): string {
  return stringify({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } });
}
