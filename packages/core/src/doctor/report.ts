import { z } from 'zod';
import { describeInstaller } from './cluster-agent.js';
import { doctorContext, type DoctorContext, type DoctorOptions } from './context.js';
import { DOCTOR_DISTRIBUTIONS } from './distribution.js';
import { findingSchema } from './finding.js';
import { runChecks } from './registry.js';
import { malformedObjectSchema, permissionFor, SNAPSHOT_RESOURCE_NAMES, type ClusterSnapshot } from './snapshot.js';

// The doctor's whole answer, independent of how it is shown: `-o json` prints
// it as is, the text renderer groups its checks by category.

/** What the doctor found out about the cluster itself. */
export const clusterSummarySchema = z.object({
  source: z.enum(['live', 'dump']),
  /** The API server's gitVersion; null from a dump. */
  serverVersion: z.string().nullable(),
  distribution: z.object({
    names: z.array(z.enum(DOCTOR_DISTRIBUTIONS)),
    source: z.enum(['detected', 'declared']),
    signals: z.array(z.object({ distribution: z.enum(DOCTOR_DISTRIBUTIONS), strength: z.enum(['strong', 'medium']), evidence: z.string() })),
  }),
  clusterAgent: z
    .object({
      namespace: z.string(),
      deployment: z.string(),
      image: z.string(),
      installer: z.string(),
      /** The release emulated, and where it comes from. */
      version: z.string(),
      versionOrigin: z.string(),
    })
    .nullable(),
  /** Objects read, by resource. */
  objects: z.record(z.string(), z.number()),
  unreadable: z.array(z.object({ resource: z.string(), needs: z.string(), message: z.string() })),
  ignoredKinds: z.record(z.string(), z.number()),
  malformed: z.array(malformedObjectSchema),
});
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;

/** `{ success, cluster, checks }`: every check id present once, in order. */
export const doctorReportSchema = z.object({
  /** No `fail` (and, with strict, no `warn`). */
  success: z.boolean(),
  cluster: clusterSummarySchema,
  checks: z.array(findingSchema),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

/** How the run is judged. */
export interface ReportOptions extends DoctorOptions {
  /** Warnings fail the run too. */
  strict?: boolean;
}

/** Runs every check on the snapshot: the report the CLI prints. */
export function runDoctor(snapshot: ClusterSnapshot, options: ReportOptions): DoctorReport {
  const context = doctorContext(snapshot, options);
  const checks = runChecks(snapshot, context);
  const success = !checks.some((c) => c.status === 'fail' || (options.strict === true && c.status === 'warn'));
  return { success, cluster: clusterSummary(snapshot, context), checks };
}

function clusterSummary(snapshot: ClusterSnapshot, context: DoctorContext): ClusterSummary {
  const agent = context.agent;
  const version = context.agentConfig.version;
  return {
    source: snapshot.source,
    serverVersion: snapshot.serverVersion?.gitVersion ?? null,
    distribution: { names: context.distribution.distributions, source: context.distribution.source, signals: context.distribution.signals },
    clusterAgent: agent
      ? {
          namespace: agent.namespace,
          deployment: agent.name,
          image: agent.container.image ?? '',
          installer: describeInstaller(agent.installer),
          version: version.version,
          versionOrigin: version.origin,
        }
      : null,
    // Live, objects.pods keeps only some pods: the scan counted them all.
    objects: Object.fromEntries(SNAPSHOT_RESOURCE_NAMES.map((r) => [r, r === 'pods' ? context.pods.count : snapshot.objects[r].length])),
    unreadable: snapshot.unreadable.map((u) => ({ resource: u.resource, needs: permissionFor(u), message: u.message })),
    ignoredKinds: snapshot.ignoredKinds,
    malformed: snapshot.malformed,
  };
}
