import { badRequest, KubeApiStatusError } from './api-errors.js';
import { compareKeys, listKey, type KubeObject } from './store.js';

// `limit` / `continue` on lists, as the API server pages them: a page of at most
// `limit` objects in list order, a continue token naming where the next page
// starts and the list's resourceVersion, and 410 Expired for a token whose
// resourceVersion the history no longer reaches. Unlike etcd, later pages show
// the objects as they are now, not as they were at the first page.

/** One page of a list. */
export interface Page {
  items: KubeObject[];
  /** The resourceVersion of the whole list: the first page's. */
  resourceVersion: number;
  continue?: string;
  remainingItemCount?: number;
}

interface Token {
  rv: number;
  /** The list key of the last object handed out. */
  start: string;
}

/** The page `params` asks for out of `items` (in list order); `isCompacted` says whether a revision is beyond the history. */
export function page(items: readonly Readonly<KubeObject>[], params: URLSearchParams, revision: number, isCompacted: (rv: number) => boolean): Page {
  const limit = Number(params.get('limit') ?? 0);
  const token = readToken(params.get('continue'));
  if (token && isCompacted(token.rv)) {
    throw new KubeApiStatusError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  }
  const rest = token ? items.filter((o) => compareKeys(listKey(o), token.start) > 0) : items;
  const resourceVersion = token?.rv ?? revision;
  if (!Number.isInteger(limit) || limit <= 0 || rest.length <= limit) return { items: [...rest], resourceVersion };
  const shown = rest.slice(0, limit);
  return { items: shown, resourceVersion, continue: writeToken({ rv: resourceVersion, start: listKey(shown[shown.length - 1]!) }), remainingItemCount: rest.length - limit };
}

function writeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function readToken(text: string | null): Token | undefined {
  if (!text) return undefined;
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
    if (typeof token.rv === 'number' && typeof token.start === 'string') return { rv: token.rv, start: token.start };
  } catch {
    // reported below
  }
  throw badRequest(`continue key is not valid: ${text}`);
}
