// Kubernetes resource quantities as k8s.io/apimachinery's ParseQuantity accepts
// them, quirks included: an optional sign, digits and fraction that may both be
// empty ("Mi" and "." are zero), then a decimal SI, binary SI or exponent suffix.
// No surrounding spaces: the cluster agent passes the configured string as is.
// Beside the check, the exact value, sums, comparisons and the canonical text
// Kubernetes prints (`0.025` -> `25m`, `1024Mi` -> `1Gi`), which library
// injection needs to size its init containers from the pod's own resources.
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE]([+-]?[0-9]+))?$/;
const MAX_EXPONENT = 2n ** 63n;

/** Returns the quantity string when Kubernetes would accept it, undefined otherwise. */
export function parseQuantity(q: string): string | undefined {
  return matchQuantity(q) ? q : undefined;
}

function matchQuantity(q: string): RegExpExecArray | undefined {
  if (q === '') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const exponent = m[5];
  if (exponent !== undefined) {
    const e = BigInt(exponent);
    if (e >= MAX_EXPONENT || -e > MAX_EXPONENT) return undefined;
  }
  return m;
}

/** How Kubernetes prints a quantity: the form its suffix was written in. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact quantity: `unscaled × 10^scale`, and the format it prints in. */
export interface Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

/** The zero quantity (what Go's `resource.Quantity{}` holds). */
export const ZERO_QUANTITY: Quantity = { unscaled: 0n, scale: 0, format: 'DecimalSI' };

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, bigint>> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
const NANO = -9;
const MAX_INT64 = 2n ** 63n - 1n;

/** The exact value of a quantity string (or a JSON number, which the API server also accepts); undefined when Kubernetes would reject it. */
export function readQuantity(input: string | number): Quantity | undefined {
  const m = matchQuantity(typeof input === 'number' ? String(input) : input);
  if (!m) return undefined;
  const [, sign, whole, fraction = '', suffix = ''] = m;
  let unscaled = BigInt((whole ?? '') + fraction || '0');
  let scale = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    unscaled *= BINARY_SUFFIXES[suffix]!;
  } else if (suffix in DECIMAL_SUFFIXES) {
    scale += DECIMAL_SUFFIXES[suffix]!;
  } else {
    format = 'DecimalExponent';
    scale += Number(suffix.slice(1));
  }
  // ParseQuantity rounds a non-zero value up (away from zero) to whole nanos.
  if (scale < NANO) {
    const divisor = 10n ** BigInt(NANO - scale);
    unscaled = unscaled / divisor + (unscaled % divisor === 0n ? 0n : 1n);
    scale = NANO;
  }
  if (format === 'BinarySI' && unscaled > 0n && compare(unscaled, scale, MAX_INT64, 0) > 0) [unscaled, scale] = [MAX_INT64, 0];
  if (format === 'BinarySI' && unscaled > 0n && compare(unscaled, scale, 1n, 0) < 0) format = 'DecimalSI';
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale, format };
}

function compare(a: bigint, as: number, b: bigint, bs: number): number {
  const s = Math.min(as, bs);
  const x = rescale(a, as, s);
  const y = rescale(b, bs, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `unscaled × 10^scale` as a multiple of 10^to (to <= scale); no power computed when the scales agree. */
function rescale(unscaled: bigint, scale: number, to: number): bigint {
  return scale === to ? unscaled : unscaled * 10n ** BigInt(scale - to);
}

/** Orders two quantities by value: negative, zero or positive. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return compare(a.unscaled, a.scale, b.unscaled, b.scale);
}

/** The sum, in the format of the first non-zero operand (as Go's Quantity.Add keeps it). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const s = Math.min(a.scale, b.scale);
  const unscaled = rescale(a.unscaled, a.scale, s) + rescale(b.unscaled, b.scale, s);
  return { unscaled, scale: s, format: a.unscaled === 0n ? b.format : a.format };
}

/** The text Kubernetes serializes a quantity as (Quantity.String). */
export function formatQuantity(q: Quantity): string {
  if (q.unscaled === 0n) return '0';
  if (q.format === 'BinarySI') {
    const whole = integerValue(q);
    if (whole !== undefined && (whole >= 1024n || whole <= -1024n)) return binaryForm(whole);
  }
  return decimalForm(q);
}

function integerValue(q: Quantity): bigint | undefined {
  if (q.scale >= 0) return q.unscaled * 10n ** BigInt(q.scale);
  const divisor = 10n ** BigInt(-q.scale);
  return q.unscaled % divisor === 0n ? q.unscaled / divisor : undefined;
}

const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function binaryForm(value: bigint): string {
  let amount = value;
  let power = 0;
  while (power < BINARY_NAMES.length - 1 && amount % 1024n === 0n) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${BINARY_NAMES[power]}`;
}

const DECIMAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(DECIMAL_SUFFIXES).map(([name, exp]) => [exp, name]));

/** Mantissa without trailing zeros, then lowered until the exponent is a multiple of 3 (AsCanonicalBytes). */
function decimalForm(q: Quantity): string {
  let mantissa = q.unscaled;
  let exponent = q.scale;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const r = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(r);
  exponent -= r;
  if (q.format === 'DecimalSI' && exponent in DECIMAL_NAMES) return `${mantissa}${DECIMAL_NAMES[exponent]}`;
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}
