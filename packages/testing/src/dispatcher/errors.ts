// The three ways a webhook invocation goes wrong in kube-apiserver's mutating
// dispatcher (k8s.io/apiserver .../webhook/mutating/dispatcher.go), kept apart
// because the failurePolicy applies to the first kind only.

/**
 * The webhook could not be called or its answer could not be read (connection,
 * TLS, timeout, non-2xx, undecodable or invalid response): `ErrCallingWebhook`.
 * Only this kind of error is subject to the webhook's failurePolicy.
 */
export class WebhookCallError extends Error {
  constructor(
    readonly webhook: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook "${webhook}": ${reason}`);
    this.name = 'WebhookCallError';
  }
}

/** The webhook answered `allowed: false` (`ErrWebhookRejection`); `code` is the HTTP status the API server returns. */
export class WebhookDeniedError extends Error {
  constructor(
    readonly webhook: string,
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'WebhookDeniedError';
  }
}

/**
 * An error the API server returns whatever the failurePolicy: a patch that does not
 * apply, a patched object that no longer decodes as a Pod, an unsupported dry run.
 */
export class AdmissionInternalError extends Error {
  constructor(
    readonly webhook: string,
    message: string,
    readonly code: number = 500,
  ) {
    super(message);
    this.name = 'AdmissionInternalError';
  }
}

/** A webhook registration the API server would refuse to store (a mistake in the test, not an admission outcome). */
export class InvalidRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRegistrationError';
  }
}
