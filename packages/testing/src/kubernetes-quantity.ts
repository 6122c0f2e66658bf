// Which strings Kubernetes accepts as a resource quantity: a port of the
// acceptance logic of k8s.io/apimachinery/pkg/api/resource.ParseQuantity
// (parseQuantityString, then the suffix lookup). It is an oracle for tests:
// the cluster agent hands `init_resources.cpu/memory` to ParseQuantity
// unchanged (lib-injection.md §1.2 "Unparsable quantity -> error"), so the
// core must accept exactly these strings. Quirks are kept on purpose: no
// trimming of spaces, "1.G" and "." are accepted, a lone sign or unit ("Mi") is zero.

const DECIMAL_SUFFIXES = new Set(['n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E']);
const BINARY_SUFFIXES = new Set(['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);
const SUFFIX_CHARS = 'eEinumkKMGTP';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The suffix part of a quantity string, or undefined when the string is malformed before it. */
function quantitySuffix(str: string): string | undefined {
  let pos = 0;
  if (str[0] === '-' || str[0] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos === str.length) return '';
  if (str[pos] === '.') {
    pos++;
    while (isDigit(str[pos])) pos++;
    if (pos === str.length) return '';
  }
  const start = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < str.length && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (isDigit(str[pos])) pos++;
  // Anything left that is neither a suffix letter nor an exponent digit is a format error.
  return pos === str.length ? str.slice(start) : undefined;
}

/** Whether the suffix names a unit: a decimal or binary SI suffix, or `e`/`E` with an integer exponent. */
function knownSuffix(suffix: string): boolean {
  if (DECIMAL_SUFFIXES.has(suffix) || BINARY_SUFFIXES.has(suffix)) return true;
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) return /^[+-]?[0-9]+$/.test(suffix.slice(1)) && Math.abs(Number(suffix.slice(1))) < 2 ** 63;
  return false;
}

/** Whether Kubernetes' ParseQuantity accepts `str`. */
export function isKubernetesQuantity(str: string): boolean {
  if (str.length === 0) return false;
  const suffix = quantitySuffix(str);
  return suffix !== undefined && knownSuffix(suffix);
}
