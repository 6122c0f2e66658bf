import type { ResourceType } from './resources.js';

// Failures as the API server reports them: a metav1.Status body with the same
// reason, code and message wording, so clients that look at any of them
// (client-go's IsNotFound / IsConflict, or a human reading a log) see the real thing.

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Unauthorized'
  | 'Forbidden';

/** A request the double refuses, carrying the Status it answers with. */
export class KubeApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'KubeApiStatusError';
  }

  /** The metav1.Status body. */
  toStatus(): object {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details: this.details, code: this.code };
  }
}

/** `secrets` or `leases.coordination.k8s.io`: how messages name a resource. */
export function qualifiedName(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function details(r: ResourceType, name: string): Record<string, unknown> {
  return r.group ? { name, group: r.group, kind: r.plural } : { name, kind: r.plural };
}

/** 404 `<resource> "<name>" not found`. */
export function notFound(r: ResourceType, name: string): KubeApiStatusError {
  return new KubeApiStatusError(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, details(r, name));
}

/** 409 AlreadyExists: a create of a name that is taken. */
export function alreadyExists(r: ResourceType, name: string): KubeApiStatusError {
  return new KubeApiStatusError(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, details(r, name));
}

/** 409 Conflict: an update with a stale resourceVersion. */
export function conflict(r: ResourceType, name: string): KubeApiStatusError {
  return new KubeApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(r, name),
  );
}

/** A validation failure: `<Kind> "<name>" is invalid: <field>: <detail>`. */
export function invalid(r: ResourceType, name: string, causes: readonly { field: string; message: string }[]): KubeApiStatusError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new KubeApiStatusError(422, 'Invalid', `${r.kind} "${name}" is invalid: ${text}`, {
    ...details(r, name),
    kind: r.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

/** 400 BadRequest: a body or parameter the server cannot use. */
export function badRequest(message: string): KubeApiStatusError {
  return new KubeApiStatusError(400, 'BadRequest', message);
}

/** What the API server answers for a path or group version it does not serve. */
export function unknownResource(): KubeApiStatusError {
  return new KubeApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
}
