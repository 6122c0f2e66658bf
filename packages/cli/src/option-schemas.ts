import { z } from 'zod';

// The option values several commands take, validated the same way everywhere:
// namespaces, file names, `--set` pairs, and where the configuration comes from
// (one deployment surface at a time).

// A Kubernetes namespace name is an RFC 1123 label.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Helm accepts release names that are lower-case DNS subdomains of at most 53 characters.
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A namespace given with `flag`. */
export const namespaceSchema = (flag: string) =>
  z
    .string()
    .max(63, { error: `${flag}: a namespace name has at most 63 characters` })
    .regex(NAMESPACE, { error: (i) => `${flag}: ${JSON.stringify(i.input)} is not a valid namespace name (lower-case letters, digits and '-')` });

/** A file name given with `flag`. */
export const fileSchema = (flag: string) => z.string().min(1, { error: `${flag}: empty file name` });

const setSchema = z
  .string()
  .regex(/^[^=]+=/, { error: (i) => `--set ${JSON.stringify(i.input)}: expected key=value` })
  .transform((pair) => {
    const at = pair.indexOf('=');
    return { key: pair.slice(0, at).trim(), value: pair.slice(at + 1) };
  });

/** Where the configuration comes from: a Helm values file or a DatadogAgent, then --config and --set on top. */
export const configSourceShape = {
  helmValues: fileSchema('--helm-values').optional(),
  datadogAgent: fileSchema('--datadog-agent').optional(),
  config: fileSchema('--config').optional(),
  set: z.array(setSchema).default([]),
  release: z
    .string()
    .max(53, { error: '--release: a Helm release name has at most 53 characters' })
    .regex(RELEASE, { error: (i) => `--release: ${JSON.stringify(i.input)} is not a valid Helm release name (lower-case letters, digits, '-' and '.')` })
    .optional(),
};

/** One deployment surface at a time, and --release only with --helm-values; the problem, or undefined. */
export function surfaceConflict(o: { helmValues?: string | undefined; datadogAgent?: string | undefined; release?: string | undefined }): string | undefined {
  if (o.helmValues !== undefined && o.datadogAgent !== undefined) return '--helm-values and --datadog-agent cannot be used together: a cluster is installed by one of them';
  if (o.release !== undefined && o.helmValues === undefined) return '--release names the Helm release of --helm-values: give --helm-values too';
  return undefined;
}
