#!/usr/bin/env node
// Prints the Markdown table of every configuration key (docs/configuration.md embeds it;
// a test checks the page lists every key with its env var, default and releases).
const { CONFIG_KEYS, keyReleases } = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
const show = (v) => (v === undefined ? 'unset' : '`' + JSON.stringify(v) + '`');
console.log('| Key | Env var | Type | Default | Read by |');
console.log('| --- | --- | --- | --- | --- |');
for (const k of CONFIG_KEYS) console.log(`| \`${k.key}\` | \`${k.env}\` | ${k.type} | ${show(k.default)} | ${keyReleases(k.key)} |`);
