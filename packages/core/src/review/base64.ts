const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Patches are nearly always ASCII, for which the built-in btoa is exact and fast.
const ASCII = /^[\x00-\x7f]*$/;

/** A string of the base64 alphabet: it needs no escaping in JSON. */
export type Base64 = string & { readonly __encoding: 'base64' };

/** Standard base64 of the UTF-8 bytes of `text` (the core has no Buffer). */
export function base64Utf8(text: string): Base64 {
  if (ASCII.test(text)) return btoa(text) as Base64;
  const bytes = new TextEncoder().encode(text);
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out as Base64;
}
