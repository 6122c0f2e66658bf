import { z } from 'zod';

// apm_config.instrumentation.targets (lib-injection-7.78.md §9.2): the ordered
// rules of Single Step Instrumentation. They arrive as a YAML list or, from
// DD_APM_INSTRUMENTATION_TARGETS, as a JSON string. Fields the agent does not
// know are ignored, as its config decoder ignores them; what it would refuse at
// start-up (a selector it cannot build, a config name without DD_) is an error
// naming the target and the field.

const LABEL_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const stringMap = z.record(z.string(), z.string({ error: 'expected a string value' }), { error: 'expected a map of strings' });
const stringList = z.array(z.string({ error: 'expected a string' }), { error: 'expected a list of strings' });

const requirementSchema = z
  .object({
    key: z.string({ error: 'expected a label key' }),
    operator: z.enum(LABEL_OPERATORS, { error: (i) => `expected one of ${LABEL_OPERATORS.join(', ')} (case-sensitive), got ${JSON.stringify(i.input)}` }),
    values: stringList.optional(),
  })
  .superRefine((r, ctx) => {
    const count = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && count === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${r.operator} needs at least one value` });
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && count > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${r.operator} takes no values` });
  });

const podSelectorSchema = z.object({ matchLabels: stringMap.optional(), matchExpressions: z.array(requirementSchema).optional() });
const namespaceSelectorSchema = podSelectorSchema.extend({ matchNames: stringList.optional() });

const traceConfigSchema = z.object({
  name: z.string({ error: 'expected an env var name' }).refine((n) => n.startsWith('DD_'), { error: (i) => `${JSON.stringify(i.input)} does not start with DD_` }),
  value: z.string({ error: 'expected a string (quote numbers and booleans)' }).optional(),
  valueFrom: z.record(z.string(), z.unknown(), { error: 'expected a Kubernetes EnvVarSource (fieldRef, configMapKeyRef, ...)' }).optional(),
});

/** One Single Step Instrumentation target, as the agent decodes it. */
export const instrumentationTargetSchema = z.object({
  name: z.string({ error: 'expected a string' }).optional(),
  podSelector: podSelectorSchema.optional(),
  namespaceSelector: namespaceSelectorSchema.optional(),
  ddTraceVersions: stringMap.optional(),
  ddTraceConfigs: z.array(traceConfigSchema).optional(),
});

export type InstrumentationTarget = z.infer<typeof instrumentationTargetSchema>;
export type TargetLabelSelector = z.infer<typeof podSelectorSchema>;
export type TraceConfig = z.infer<typeof traceConfigSchema>;

function fromJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return [];
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** `[2].ddTraceConfigs[0].name`: where in the list an issue lies. */
function describePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** The whole key: a list of targets; each issue names the target (index and name) and the field. */
export const instrumentationTargetsSchema = z
  .preprocess(
    fromJson,
    z
      .array(z.unknown(), { error: (i) => `expected a list of targets (YAML list or JSON array), got ${(JSON.stringify(i.input) ?? String(i.input)).slice(0, 60)}` })
      .superRefine((items, ctx) => {
        items.forEach((item, index) => {
          const parsed = instrumentationTargetSchema.safeParse(item);
          if (parsed.success) return;
          const name = (item as { name?: unknown } | null)?.name;
          const label = typeof name === 'string' ? ` ("${name}")` : '';
          for (const issue of parsed.error.issues) {
            const field = describePath(issue.path).replace(/^\./, '');
            ctx.addIssue({ code: 'custom', message: `target ${index}${label}${field ? `, ${field}` : ''}: ${issue.message}` });
          }
        });
      }),
  )
  .pipe(z.array(instrumentationTargetSchema))
  .default([]);
