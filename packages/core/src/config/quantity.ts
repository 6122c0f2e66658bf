// Kubernetes resource quantities as k8s.io/apimachinery's ParseQuantity accepts
// them, quirks included: an optional sign, digits and fraction that may both be
// empty ("Mi" and "." are zero), then a decimal SI, binary SI or exponent suffix.
// No surrounding spaces: the cluster agent passes the configured string as is.
const QUANTITY = /^[+-]?[0-9]*(?:\.[0-9]*)?(?:n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE]([+-]?[0-9]+))?$/;
const MAX_EXPONENT = 2n ** 63n;

/** Returns the quantity string when Kubernetes would accept it, undefined otherwise. */
export function parseQuantity(q: string): string | undefined {
  if (q === '') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const exponent = m[1];
  if (exponent !== undefined) {
    const e = BigInt(exponent);
    if (e >= MAX_EXPONENT || -e > MAX_EXPONENT) return undefined;
  }
  return q;
}
