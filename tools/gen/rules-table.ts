/**
 * Rewrites the rule table in README.md (between the `rules:start` and `rules:end` markers) from
 * the rule pack: `node tools/run-ts.mjs tools/gen/rules-table.ts`. A unit test checks that the
 * README names every rule.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';

const readme = path.resolve(process.cwd(), 'README.md');
const cell = (s: string) => s.replace(/\|/g, '\\|');
const rows = [...RULES]
  .sort((a, b) => a.id.localeCompare(b.id))
  .map((r) => `| \`${r.id}\` | ${cell(r.explanation)} | ${cell(r.fact.limit)} (${cell(r.fact.page)}) |`);
const table = ['| rule | what it stops | AWS fact (page) |', '|---|---|---|', ...rows].join('\n');
const text = readFileSync(readme, 'utf8');
const start = '<!-- rules:start -->';
const end = '<!-- rules:end -->';
if (!text.includes(start) || !text.includes(end)) throw new Error(`README.md lacks the ${start} / ${end} markers`);
writeFileSync(readme, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${table}\n${end}`));
console.log(`${RULES.length} rules written to README.md`);
