import { z } from 'zod';

// Every failure of this package is one of three typed errors, each with a
// one-line message a user can act on: the set-up (client module, kubeconfig,
// credentials), an answer from the API server that is an error (with the API's
// own Status message), or no usable answer (refused, reset, TLS, deadline, or
// something that is not what the API sends).

/** The base of this package's errors. */
export class KubeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The client module is missing, or no usable kubeconfig, context or credentials were found. */
export class KubeConfigError extends KubeError {}

/** The API server answered with an error status; `message` is its Status message. */
export class KubeApiError extends KubeError {
  constructor(
    /** The HTTP status. */
    readonly code: number,
    message: string,
    /** The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, `Forbidden`, `Expired`, ...), when given. */
    readonly reason: string | undefined,
    /** The Status details (name, group, kind, causes), when given. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** No usable answer: the connection failed, the call's deadline passed, or the answer was not the API's. */
export class KubeConnectionError extends KubeError {
  constructor(
    message: string,
    /** The system error code (`ECONNREFUSED`, `ECONNRESET`, `CERT_HAS_EXPIRED`, ...), when known. */
    readonly errorCode?: string,
    /** The call's own deadline passed. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** A metav1.Status, as the API server sends it with an error. */
const statusSchema = z.looseObject({
  kind: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** The typed error of an error answer: the Status message when the body is one, else the HTTP status. */
export function apiError(code: number, body: string): KubeApiError {
  const status = parseStatus(body);
  const message = status?.message ? firstLine(status.message) : `the API server answered HTTP ${code}`;
  return new KubeApiError(code, message, status?.reason || undefined, status?.details ?? {});
}

/** The Status in an error body; undefined when it is not one. */
function parseStatus(body: string): z.infer<typeof statusSchema> | undefined {
  try {
    const parsed = statusSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The HTTP status of an API error; undefined for anything else. */
function httpStatus(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.code : undefined;
}

/** 404: the object, or the resource type itself, does not exist. */
export const isNotFound = (error: unknown): boolean => httpStatus(error) === 404;
/** 409 AlreadyExists: a create of a name that is taken. */
export const isAlreadyExists = (error: unknown): boolean => error instanceof KubeApiError && error.code === 409 && error.reason === 'AlreadyExists';
/** 409 for a stale resourceVersion: an update lost a race. */
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.code === 409 && error.reason !== 'AlreadyExists';
/** 410 Expired: a resourceVersion or continue token too old for the server's history. */
export const isExpired = (error: unknown): boolean => httpStatus(error) === 410;

/** One line for a log or a terminal: the API's message with the HTTP status, or what kept the call from being answered. */
export function describeKubeError(error: unknown): string {
  if (error instanceof KubeApiError) return `${error.message} (HTTP ${error.code})`;
  return firstLine(error instanceof Error ? error.message : String(error));
}

/** The first line of a message (stack traces and multi-line server texts stay out of one-line errors). */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
