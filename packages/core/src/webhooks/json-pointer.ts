/** Escapes one reference token of an RFC 6901 JSON pointer (`~` -> `~0`, `/` -> `~1`). */
export function escapePointerToken(token: string | number): string {
  if (typeof token === 'number') return String(token);
  const s = token;
  if (!s.includes('~') && !s.includes('/')) return s;
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON pointer from path tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  let out = '';
  for (const t of tokens) out += '/' + escapePointerToken(t);
  return out;
}
