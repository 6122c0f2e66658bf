// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a
// signed decimal number with an optional binary (Ki..Ei), decimal (n..E) or
// exponent (e3) suffix.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** Returns the quantity string when it is valid, undefined otherwise. */
export function parseQuantity(q: string): string | undefined {
  return QUANTITY.test(q.trim()) && q.trim() !== '' ? q.trim() : undefined;
}
