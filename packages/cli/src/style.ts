/** How to decorate text for one output stream. */
export interface Style {
  /** ANSI colours. */
  color: boolean;
  /** ✔ ⚠ ✖ markers rather than ASCII words. */
  unicode: boolean;
}

/** Colour on a TTY, unless NO_COLOR is set; FORCE_COLOR forces it (or, as `0`/`false`, forbids it). */
export function styleFor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): Style {
  return { color: wantsColor(isTTY, env), unicode: isTTY };
}

function wantsColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return isTTY;
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Paint = keyof typeof CODES;

/** `text` in the given colour when the style allows colour. */
export function paint(style: Style, colour: Paint, text: string): string {
  if (!style.color || text === '') return text;
  return `\x1b[${CODES[colour]}m${text}\x1b[0m`;
}

export type Mark = 'ok' | 'warn' | 'fail' | 'skip' | 'same' | 'note';

const UNICODE: Record<Mark, string> = { ok: '✔', warn: '⚠', fail: '✖', skip: '–', same: '=', note: 'ℹ' };
const ASCII: Record<Mark, string> = { ok: '[ok]', warn: '[warn]', fail: '[fail]', skip: '[skip]', same: '[same]', note: '[note]' };
const MARK_COLOUR: Record<Mark, Paint> = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'dim', same: 'dim', note: 'cyan' };

/** The status marker for a line of explanation. */
export function mark(style: Style, which: Mark): string {
  return paint(style, MARK_COLOUR[which], (style.unicode ? UNICODE : ASCII)[which]);
}
