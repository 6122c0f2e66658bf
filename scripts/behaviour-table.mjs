#!/usr/bin/env node
// Prints the table of behaviour changes since 7.49 (docs/behaviour.md embeds it between
// its behaviour-changes markers; a test checks the page matches BEHAVIOUR_CHANGES).
import { pathToFileURL } from 'node:url';

const CERTAINTY = { '7.78': 'read in 7.78-era code', 'older-code': 'read in older code only', unconfirmed: 'unconfirmed' };

/** The Markdown table of `changes` (BEHAVIOUR_CHANGES), oldest first. */
export function behaviourTable(changes) {
  const rows = changes.map((c) => {
    const approx = c.note?.startsWith('≈') ? '≈' : '';
    const certainty = c.note ? `${CERTAINTY[c.certainty]} (${c.note.replace(/^≈:\s*/, '')})` : CERTAINTY[c.certainty];
    return `| ${approx}${c.since} | ${c.summary} | \`${c.id}\` | ${c.spec} | ${certainty} |`;
  });
  return ['| Since | 7.49 → 7.78 | Id | Spec | Certainty |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { BEHAVIOUR_CHANGES } = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
  console.log(behaviourTable(BEHAVIOUR_CHANGES));
}
