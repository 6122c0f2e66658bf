import { z } from 'zod';
import type { LabelSelector } from '@dd-admission/core';
import { InvalidRegistrationError } from './errors.js';
import { ruleSchema } from './rules.js';

// One entry of a MutatingWebhookConfiguration (admissionregistration.k8s.io/v1),
// reduced to what changes how a CREATE is dispatched. Without `rules` a webhook is
// registered for CREATE of v1 pods, as the cluster agent's are. `matchConditions`
// are not modelled.

/** The AdmissionReview versions the dispatcher can send, in the API server's order of preference. */
export const SUPPORTED_REVIEW_VERSIONS = ['v1', 'v1beta1'] as const;
export type ReviewVersion = (typeof SUPPORTED_REVIEW_VERSIONS)[number];

const requirementSchema = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

const labelSelectorSchema: z.ZodType<LabelSelector> = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(requirementSchema).optional(),
});

/** The API server's rules for `clientConfig.url` (ValidateWebhookURL): https, a host, no user info, query or fragment. */
function urlProblem(raw: string): string | undefined {
  if (!URL.canParse(raw)) return 'must be a valid URL';
  const url = new URL(raw);
  if (url.protocol !== 'https:') return "'https' is the only allowed URL scheme";
  if (url.hostname === '') return 'host must be specified';
  if (url.username !== '' || url.password !== '') return 'user information is not permitted in the URL';
  if (url.search !== '' || raw.includes('?')) return 'query parameters are not allowed';
  if (url.hash !== '' || raw.includes('#')) return 'fragments are not allowed';
  return undefined;
}

const webhookUrl = z.string().superRefine((raw, ctx) => {
  const problem = urlProblem(raw);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A webhook registration. Defaults are the API server's for v1 (failurePolicy Fail,
 * timeoutSeconds 10, reinvocationPolicy Never); sideEffects and admissionReviewVersions
 * are required by v1 but default here to what the cluster agent writes (None; v1, v1beta1).
 */
export const webhookRegistrationSchema = z.strictObject({
  name: z.string().min(1),
  url: webhookUrl,
  /** PEM, or base64 of PEM as in a MutatingWebhookConfiguration; absent means the system roots. */
  caBundle: z.string().optional(),
  failurePolicy: z.enum(['Ignore', 'Fail']).default('Fail'),
  timeoutSeconds: z.int().min(1, { error: 'must be between 1 and 30 seconds' }).max(30, { error: 'must be between 1 and 30 seconds' }).default(10),
  reinvocationPolicy: z.enum(['Never', 'IfNeeded']).default('Never'),
  sideEffects: z.enum(['None', 'NoneOnDryRun', 'Some', 'Unknown']).default('None'),
  admissionReviewVersions: z
    .array(z.string())
    .default(['v1', 'v1beta1'])
    .refine((versions) => versions.some((v) => (SUPPORTED_REVIEW_VERSIONS as readonly string[]).includes(v)), {
      error: 'must include at least one of v1, v1beta1',
    }),
  objectSelector: labelSelectorSchema.optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  /** What the webhook is registered for; absent: CREATE of v1 pods. */
  rules: z.array(ruleSchema).optional(),
  /**
   * Where the connection goes (`https://host:port`) when not to the URL's host, as the API
   * server's service resolver sends a Service URL to an endpoint; TLS still verifies the URL's host.
   */
  dialAddress: z.url({ protocol: /^https$/ }).optional(),
  /** The connection cannot be made (a Service without endpoints, say): each call fails with this dialer error. */
  dialError: z.string().min(1).optional(),
});

/** A registration as written by a test (defaults optional). */
export type WebhookRegistration = z.input<typeof webhookRegistrationSchema>;
/** A registration with every default filled in. */
export type Webhook = z.output<typeof webhookRegistrationSchema>;

/** Validates and defaults a list of registrations; throws InvalidRegistrationError naming the field. */
export function parseWebhookRegistrations(input: readonly WebhookRegistration[]): Webhook[] {
  const parsed = z.array(webhookRegistrationSchema).safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new InvalidRegistrationError(`webhooks${where}: ${issue.message}`);
}

/** The first AdmissionReview version of the webhook's list that the dispatcher speaks (CreateAdmissionObjects). */
export function chooseReviewVersion(webhook: Webhook): ReviewVersion {
  // The schema guarantees one exists.
  return webhook.admissionReviewVersions.find((v): v is ReviewVersion => (SUPPORTED_REVIEW_VERSIONS as readonly string[]).includes(v))!;
}
