import { matchesSelector, type LabelSelectorRequirement } from '@dd-admission/core';
import { badRequest } from './api-errors.js';

// The `fieldSelector` and `labelSelector` query parameters of list and watch.
// Field selectors: `metadata.name` and `metadata.namespace` (what every resource
// supports) with `=`, `==` and `!=`. Label selectors: the set-based grammar.

/** A parsed selector: true when an object matches. */
export type ObjectFilter = (object: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }) => boolean;

const FIELDS = new Set(['metadata.name', 'metadata.namespace']);

/** Parses a field selector; an unsupported field is a 400, as on the real API. */
export function fieldFilter(text: string | null): ObjectFilter {
  if (!text) return () => true;
  const terms = text.split(',').map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!FIELDS.has(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, negate: op === '!=', value };
  });
  return (object) =>
    terms.every(({ field, negate, value }) => {
      const actual = (field === 'metadata.name' ? object.metadata?.name : object.metadata?.namespace) ?? '';
      return (actual === value) !== negate;
    });
}

/** Parses a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`). */
export function labelFilter(text: string | null): ObjectFilter {
  if (!text) return () => true;
  const requirements = splitTerms(text).map((term) => requirement(term, text));
  return (object) => matchesSelector({ matchExpressions: requirements }, object.metadata?.labels ?? {});
}

// Commas inside `( )` belong to a set, not to the term list.
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  terms.push(current.trim());
  return terms.filter((t) => t !== '');
}

function requirement(term: string, text: string): LabelSelectorRequirement {
  let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3]!.split(',').map((v) => v.trim()) };
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) return { key: m[1]!, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] };
  if (/^![^=!\s]+$/.test(term)) return { key: term.slice(1), operator: 'DoesNotExist' };
  if (/^[^=!\s()]+$/.test(term)) return { key: term, operator: 'Exists' };
  throw badRequest(`unable to parse requirement: '${term}' in label selector '${text}'`);
}
