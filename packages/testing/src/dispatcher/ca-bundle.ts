// A MutatingWebhookConfiguration carries `caBundle` as bytes, i.e. base64 of PEM
// in YAML/JSON; tests often have the PEM at hand. Both are accepted. An unusable
// bundle is not a registration error: the API server only finds out when it builds
// the webhook's client, and then it is a call error subject to failurePolicy.

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Thrown when the bundle holds no PEM certificate. */
export class CaBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaBundleError';
  }
}

/** The PEM text of a caBundle given as PEM or as base64 of PEM; undefined when there is none. */
export function caBundlePem(caBundle: string | undefined): string | undefined {
  if (caBundle === undefined || caBundle.trim() === '') return undefined;
  const pem = caBundle.includes('-----BEGIN') ? caBundle : Buffer.from(caBundle, 'base64').toString('utf8');
  if (!PEM_CERTIFICATE.test(pem)) throw new CaBundleError('unable to load root certificates: no valid certificate authority data seen');
  return pem;
}
