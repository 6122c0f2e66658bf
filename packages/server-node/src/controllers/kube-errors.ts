// What went wrong with a Kubernetes API call, from the errors @kubernetes/client-node
// throws: an ApiException (`code` = HTTP status, `body` = the Status) or a
// network error from node-fetch (`code` = ECONNREFUSED, ...), or an abort.

interface MaybeApiError {
  code?: unknown;
  body?: unknown;
  message?: string;
  name?: string;
  type?: string;
}

/** The HTTP status of a failed call; undefined for network errors and timeouts. */
export function httpStatus(error: unknown): number | undefined {
  const code = (error as MaybeApiError | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API's Status object of a failed call, when it sent one. */
function statusBody(error: unknown): { message?: string; reason?: string } | undefined {
  const body = (error as MaybeApiError | undefined)?.body;
  if (typeof body === 'object' && body !== null) return body as { message?: string; reason?: string };
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as { message?: string; reason?: string };
  } catch {
    return undefined;
  }
}

/** 404: the object (or the resource type) does not exist. */
export const isNotFound = (error: unknown): boolean => httpStatus(error) === 404;
/** 409 for an object that is already there (a create lost a race). */
export const isAlreadyExists = (error: unknown): boolean => httpStatus(error) === 409 && statusBody(error)?.reason === 'AlreadyExists';
/** 409 for a stale resourceVersion (an update lost a race). */
export const isConflict = (error: unknown): boolean => httpStatus(error) === 409 && statusBody(error)?.reason !== 'AlreadyExists';

/** One line for a log or a terminal: the API's message, the HTTP status, or the network failure. */
export function describeKubeError(error: unknown): string {
  const e = error as MaybeApiError | undefined;
  const status = httpStatus(error);
  if (status !== undefined) {
    const message = statusBody(error)?.message;
    return message ? `${message} (HTTP ${status})` : `the API server answered HTTP ${status}`;
  }
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted') return 'no answer from the API server in time';
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = firstLine(e?.message ?? String(error));
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
