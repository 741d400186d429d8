#!/usr/bin/env node
// Writes rules/index.ts: one import per rule file in rules/pack (sorted).
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const files = readdirSync(path.join(root, 'rules/pack'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const ident = (f) =>
  f
    .split('-')
    .map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1)))
    .join('');
const text =
  '/**\n * The rule pack: every guardrail, one per file in ./pack (regenerate this list with\n * `node tools/gen/rules-index.mjs`; a unit test fails when a file is missing from it).\n */\n' +
  files.map((f) => `import ${ident(f)} from './pack/${f}';\n`).join('') +
  "import type { Rule } from './rule';\n\nexport const RULES: readonly Rule[] = [\n" +
  files.map((f) => `  ${ident(f)},\n`).join('') +
  '];\n';
writeFileSync(path.join(root, 'rules/index.ts'), text);
console.log(`${files.length} rules`);
