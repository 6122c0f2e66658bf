// Why a webhook call could not be made, in the words kube-apiserver (Go's net and
// crypto/tls) uses after `Post "<url>": `, so tests and the doctor read the same
// text as on a cluster: `dial tcp 10.0.0.7:8000: connect: connection refused`,
// `tls: failed to verify certificate: x509: certificate signed by unknown authority`.
// An error with no Go counterpart keeps Node's message and code.

/** The Node error codes of a chain that does not lead to a trusted root. */
const UNKNOWN_AUTHORITY = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const TLS_VERIFY = 'tls: failed to verify certificate: x509:';

interface NodeNetError extends Error {
  code?: string;
  address?: string;
  port?: number;
  host?: string;
  cert?: { subjectaltname?: string };
}

/** The Go wording of a failed connection, TLS handshake or exchange. */
export function goNetError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as NodeNetError;
  if (e.code === 'ECONNREFUSED') return `dial tcp ${e.address}:${e.port}: connect: connection refused`;
  if (e.code && UNKNOWN_AUTHORITY.has(e.code)) return `${TLS_VERIFY} certificate signed by unknown authority`;
  if (e.code && EXPIRED.has(e.code)) return `${TLS_VERIFY} certificate has expired or is not yet valid`;
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `${TLS_VERIFY} ${hostnameError(e.host ?? '', e.cert?.subjectaltname ?? '')}`;
  if (e.code === 'ECONNRESET') return 'read: connection reset by peer';
  // undici's "other side closed": the server hung up before answering; Go's client reports EOF.
  if (e.code === 'UND_ERR_SOCKET') return 'EOF';
  if (e.cause instanceof Error) return goNetError(e.cause);
  return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

/** crypto/x509 HostnameError: the names the certificate is valid for (IP SANs for an IP host). */
function hostnameError(host: string, subjectAltName: string): string {
  const sans = subjectAltName.split(', ').filter((s) => s !== '');
  const isIp = /^[\d.]+$|:/.test(host);
  const valid = sans.filter((s) => s.startsWith(isIp ? 'IP Address:' : 'DNS:')).map((s) => s.slice(s.indexOf(':') + 1));
  if (isIp && valid.length === 0) return `cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
  if (valid.length === 0) return `certificate is not valid for any names, but wanted to match ${host}`;
  return `certificate is valid for ${valid.join(', ')}, not ${host}`;
}
