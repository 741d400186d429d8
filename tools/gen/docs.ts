/**
 * `npm run docs`: rewrites every generated block of the pages under docs/ from the code and
 * from the recorded bench run, so a page that lists rules, fields, layers or figures cannot
 * drift from what it describes. `npm run docs -- --check` only reports stale blocks (exit 1);
 * __tests__/docs/generated.test.ts fails in `npm test` for the same reason.
 *
 * A block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in its page;
 * everything outside the markers is written by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { RULES } from '../../rules';
import { SHAPE_CHECKS } from '../../catalogs/parse';
import type { Rule } from '../../rules/rule';
import type { BenchRecord, BenchRow } from '../bench/types';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The guardrail table: one row per rule of rules/pack, sorted by id. */
function rulesTable(): string {
  const rows = [...RULES]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => `| \`${r.id}\` | ${cell(r.explanation)} | ${cell(r.fact.limit)} (${cell(r.fact.page)}) |`);
  return [
    `${RULES.length} rules, one file each in \`rules/pack/\`.`,
    '',
    '| rule | what it stops | AWS fact (page) |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The shape checks of catalogs/parse.ts: every code a catalog that does not fit the schema gets. */
function shapeChecksTable(): string {
  const rows = SHAPE_CHECKS.map((c) => `| \`${c.id}\` | ${cell(c.meaning)} | ${cell(c.fix)} |`);
  return [
    `${SHAPE_CHECKS.length} codes, listed in \`SHAPE_CHECKS\` of \`catalogs/parse.ts\`.`,
    '',
    '| code | what it means | fix |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

/** A short table of some rules (id and explanation), for the page's section about them. */
function someRules(rules: readonly Rule[]): string {
  return ['| rule | what it stops |', '|---|---|', ...rules.map((r) => `| \`${r.id}\` | ${cell(r.explanation)} |`)].join('\n');
}

/** The rules evaluated once over every environment together (`scope: 'app'`). */
const acrossEnvironments = () => someRules([...RULES].filter((r) => r.scope === 'app').sort((a, b) => a.id.localeCompare(b.id)));

/** Rules a section names, in its order; a rule the pack no longer has stops the generator. */
function named(ids: readonly string[]): () => string {
  return () =>
    someRules(
      ids.map((id) => {
        const r = RULES.find((x) => x.id === id);
        if (!r) throw new Error(`tools/gen/docs.ts names the rule ${id}, which rules/pack does not have`);
        return r;
      }),
    );
}

/** Every rule of .dependency-cruiser.cjs with its comment: the arrows `npm run lint:deps` enforces. */
function layersTable(): string {
  // The config is CommonJS, read as data.
  const config = require(path.join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: Array<{ name: string; comment?: string }> };
  const rows = config.forbidden.map((r) => {
    const layer = r.name.split('-imports-only-');
    const what = (r.comment ?? r.name.replace(/-/g, ' ')).replace(/\\\./g, '.');
    return layer.length === 2 ? `| \`${layer[0]}/\` | ${cell(what.replace(/^\S+ may/, 'may'))} |` : `| ${cell(r.name)} | ${cell(what)} |`;
  });
  return ['| layer, or rule | what `npm run lint:deps` enforces (`.dependency-cruiser.cjs`) |', '|---|---|', ...rows].join('\n');
}

// ---- catalog fields, read from catalogs/schema.ts ------------------------------------------------

/** `const NAME = ['a', 'b'] as const` arrays of the schema and the rotation contract, by name. */
function constantLists(files: ts.SourceFile[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const sf of files) {
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        let init = d.initializer;
        if (init && ts.isAsExpression(init)) init = init.expression;
        if (ts.isIdentifier(d.name) && init && ts.isArrayLiteralExpression(init) && init.elements.every(ts.isStringLiteral)) {
          lists.set(
            d.name.text,
            init.elements.map((e) => (e as ts.StringLiteral).text),
          );
        }
      }
    }
  }
  return lists;
}

/** The `/** ... *\/` comment just before a node, as one line. */
function docComment(node: ts.Node, sf: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const doc = ranges
    .map((r) => sf.text.slice(r.pos, r.end))
    .filter((c) => c.startsWith('/**'))
    .pop();
  if (!doc) return '';
  return doc
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Field {
  name: string;
  required: boolean;
  type: string;
  meaning: string;
}
interface ObjectShape {
  title: string;
  meaning: string;
  /** Heading level: 3 for a schema of catalogs/schema.ts, deeper for its options and inner objects. */
  level: number;
  fields: Field[];
}

class SchemaReader {
  readonly shapes: ObjectShape[] = [];
  constructor(
    private readonly sf: ts.SourceFile,
    private readonly lists: Map<string, string[]>,
    private readonly schemaNames: Set<string>,
  ) {}

  private call(node: ts.Expression): { fn: string; args: readonly ts.Expression[] } | undefined {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression))
      return { fn: node.expression.name.text, args: node.arguments };
    return undefined;
  }

  /** A short, readable type for a valibot expression. */
  type(node: ts.Expression): string {
    if (ts.isIdentifier(node)) {
      const aliases: Record<string, string> = {
        str: 'string',
        int: 'integer',
        strings: 'list of strings',
        tagMap: 'map of string to string',
      };
      if (aliases[node.text]) return aliases[node.text];
      if (this.schemaNames.has(node.text))
        return `[${node.text.replace(/Schema$/, '')}](#${node.text.replace(/Schema$/, '').toLowerCase()})`;
      return `\`${node.text}\``;
    }
    const c = this.call(node);
    if (!c) return `\`${node.getText(this.sf)}\``;
    const [a, b] = c.args;
    switch (c.fn) {
      case 'string':
        return 'string';
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'literal':
        return `\`${a.getText(this.sf).replace(/'/g, '"')}\``;
      case 'optional':
        return this.type(a);
      case 'array':
        return `list of ${this.type(a)}`;
      case 'record':
        return `map of ${this.type(a)} to ${this.type(b)}`;
      case 'union':
        return (a as ts.ArrayLiteralExpression).elements.map((e) => this.type(e)).join(' or ');
      case 'pipe':
        return this.type(a);
      case 'picklist': {
        const values = ts.isIdentifier(a)
          ? this.lists.get(a.text)
          : ts.isArrayLiteralExpression(a)
            ? a.elements.map((e) => (e as ts.StringLiteral).text)
            : undefined;
        return values ? values.map((v) => `\`"${v}"\``).join(', ') : `one of \`${a.getText(this.sf)}\``;
      }
      case 'strictObject':
      case 'object':
        return 'object (below)';
      case 'variant':
        return 'one of the kinds below';
      default:
        return `\`${node.getText(this.sf)}\``;
    }
  }

  /** A top-level `const name = ...` of the schema file: its initializer and its doc comment. */
  private constant(name: string): { initializer: ts.Expression; meaning: string } {
    for (const st of this.sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      const d = st.declarationList.declarations.find((x) => ts.isIdentifier(x.name) && x.name.text === name);
      if (d?.initializer) return { initializer: d.initializer, meaning: docComment(st, this.sf) };
    }
    throw new Error(`catalogs/schema.ts: field "${name}" is shorthand for a constant the file does not declare`);
  }

  /** The type of an object literal's property `name`, for variant headings. */
  private discriminant(option: ts.Expression, name: string): string {
    const o = this.call(option);
    // A nested variant: its options share the outer discriminant; read it from the first.
    if (o?.fn === 'variant') return this.discriminant((o.args[1] as ts.ArrayLiteralExpression).elements[0], name);
    const literal = o?.args[0];
    if (!literal || !ts.isObjectLiteralExpression(literal)) return '';
    const prop = literal.properties.find((p) => p.name?.getText(this.sf) === name);
    return prop && ts.isPropertyAssignment(prop) ? `${name} ${this.type(prop.initializer)}` : '';
  }

  /**
   * Reads a strictObject literal into a table; nested objects become their own tables. A variant
   * becomes one table per option (nested variants flattened), headed by its discriminants.
   */
  object(title: string, meaning: string, node: ts.Expression, level = 3, labels: string[] = []): void {
    const c = this.call(node);
    if (!c) return;
    if (c.fn === 'variant') {
      if (labels.length === 0) this.shapes.push({ title, meaning, level, fields: [] });
      const discriminant = (c.args[0] as ts.StringLiteral).text;
      for (const option of (c.args[1] as ts.ArrayLiteralExpression).elements) {
        const label = this.discriminant(option, discriminant);
        const inner = docComment(option, this.sf) || (labels.length > 0 ? meaning : '');
        this.object(title, inner, option, level, label ? [...labels, label] : labels);
      }
      return;
    }
    if (c.fn !== 'strictObject' && c.fn !== 'object') return;
    const literal = c.args[0] as ts.ObjectLiteralExpression;
    const heading = labels.length > 0 ? `${title}: ${labels.join(', ')}` : title;
    const shape: ObjectShape = { title: heading, meaning, level: labels.length > 0 ? level + 1 : level, fields: [] };
    this.shapes.push(shape);
    for (const p of literal.properties) {
      // `{ version }` stands for a constant of the schema file: its value and comment are the field's.
      const field = ts.isPropertyAssignment(p)
        ? { name: p.name.getText(this.sf), initializer: p.initializer, meaning: docComment(p, this.sf) }
        : ts.isShorthandPropertyAssignment(p)
          ? { name: p.name.text, ...this.constant(p.name.text) }
          : undefined;
      if (!field) continue;
      const { name } = field;
      const inner = this.call(field.initializer);
      const required = inner?.fn !== 'optional';
      shape.fields.push({ name, required, type: this.type(field.initializer), meaning: field.meaning });
      // An inline object (an array of them, too) gets its own table right after.
      let nested: ts.Expression | undefined = required ? field.initializer : inner!.args[0];
      const n = nested && this.call(nested);
      if (n?.fn === 'array') nested = n.args[0];
      const m = nested && this.call(nested);
      if (m && (m.fn === 'strictObject' || m.fn === 'variant')) this.object(`${heading}.${name}`, '', nested!, shape.level + 1);
    }
  }
}

/** One table per catalog object, in the order of catalogs/schema.ts, from its source and comments. */
function catalogFields(): string {
  const parse = (rel: string) => ts.createSourceFile(rel, read(rel), ts.ScriptTarget.ES2022, true);
  const schema = parse('catalogs/schema.ts');
  const lists = constantLists([schema, parse('lambdas/rotation/contract.ts')]);
  const exported: Array<[string, ts.Expression, string]> = [];
  for (const st of schema.statements) {
    if (!ts.isVariableStatement(st) || !st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text.endsWith('Schema') && d.initializer)
        exported.push([d.name.text, d.initializer, docComment(st, schema)]);
    }
  }
  const reader = new SchemaReader(schema, lists, new Set(exported.map(([n]) => n)));
  // The environment first: it is what a catalog file exports.
  const order = [...exported.filter(([n]) => n === 'EnvironmentSchema'), ...exported.filter(([n]) => n !== 'EnvironmentSchema')];
  for (const [name, init, meaning] of order) reader.object(name.replace(/Schema$/, ''), meaning, init);
  const out: string[] = [];
  for (const s of reader.shapes) {
    out.push(`${'#'.repeat(s.level)} ${s.title}`, '');
    if (s.meaning) out.push(s.meaning, '');
    if (s.fields.length === 0) {
      out.push('One of the kinds below.', '');
      continue;
    }
    out.push('| field | required | type | meaning |', '|---|---|---|---|');
    for (const f of s.fields) out.push(`| \`${f.name}\` | ${f.required ? 'yes' : ''} | ${cell(f.type)} | ${cell(f.meaning)} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

// ---- versions for the move to cdktn -------------------------------------------------------------

function versionsTable(): string {
  const root = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const fork = JSON.parse(read('tools/cdktn/framework/package.json')) as { dependencies: Record<string, string> };
  const ours = { ...root.dependencies, ...root.devDependencies };
  const pairs: Array<[string, string]> = [
    ['cdktf', 'cdktn'],
    ['cdktf-cli', 'cdktn-cli'],
    ['@cdktf/provider-aws', '@cdktn/provider-aws'],
    ['@cdktf/provider-archive', '@cdktn/provider-archive'],
    ['constructs', 'constructs'],
  ];
  const rows = pairs.map(([a, b]) => `| \`${a}\` ${ours[a]} | \`${b}\` ${fork.dependencies[b]} |`);
  return ['| today (`package.json`) | after the move (`tools/cdktn/framework/package.json`) |', '|---|---|', ...rows].join('\n');
}

// ---- the bench ----------------------------------------------------------------------------------

const num = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
function value(r: BenchRow, n: number | undefined) {
  return n === undefined ? '' : `${num(n)} ${r.unit}`;
}

/** The recorded `npm run bench -- --record` run: when, where, how loaded, and every row. */
function benchTables(): string {
  const rec = JSON.parse(read('tools/bench/results/latest.json')) as BenchRecord;
  const load = rec.loadavg
    ? `; load average (1 min) ${rec.loadavg.start.toFixed(2)} at the start, ${rec.loadavg.end.toFixed(2)} at the end, on ${rec.cpus} CPUs`
    : '; load average not recorded';
  const tree = rec.tree
    ? ` Measured at commit \`${rec.tree.commit}\`${rec.tree.uncommitted.length > 0 ? ` with uncommitted changes to ${rec.tree.uncommitted.map((f) => `\`${f}\``).join(', ')}` : ''}.`
    : '';
  const failed = (rec.failures ?? []).map((f) => `\`${f.section}\` (${cell(f.error)})`);
  const out = [
    `Run of ${rec.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, Node ${rec.node.replace(/^v/, '')}${load}. Sections: ${rec.sections.join(', ')}.${tree}`,
    '',
  ];
  if (failed.length > 0) out.push(`Sections that failed in this run, so their rows are missing: ${failed.join('; ')}.`, '');
  const aims = rec.rows.filter((r) => r.aim);
  if (aims.length > 0) {
    out.push('| aim | measurement | figure | met? |', '|---|---|---|---|');
    for (const r of aims)
      out.push(
        `| ${cell(r.aim!)} | ${cell(r.name)} | ${r.ratio !== undefined && /x$/.test(r.aim!) ? `${r.ratio.toFixed(2)}x` : value(r, r.value)} | ${r.met ? 'yes' : '**no**'} |`,
      );
    out.push('');
  }
  for (const group of [...new Set(rec.rows.map((r) => r.group))]) {
    out.push(`**${group}**`, '', '| measurement | value | baseline (same run) | ratio | note |', '|---|---|---|---|---|');
    for (const r of rec.rows.filter((x) => x.group === group)) {
      const base = r.baselineName ? `${value(r, r.baseline)} (${cell(r.baselineName)})` : '';
      out.push(
        `| ${cell(r.name)} | ${value(r, r.value)} | ${base} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : ''} | ${cell(r.note ?? '')} |`,
      );
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** Every generated block: where it lives and what writes it. */
export const BLOCKS: ReadonlyArray<{ name: string; page: string; render: () => string }> = [
  { name: 'rules', page: 'docs/guardrails.md', render: rulesTable },
  { name: 'rules-across-environments', page: 'docs/guardrails.md', render: acrossEnvironments },
  { name: 'shape-checks', page: 'docs/guardrails.md', render: shapeChecksTable },
  {
    name: 'rules-one-login',
    page: 'docs/guardrails.md',
    render: named(['ROT-LOGIN-SHARED', 'ROT-ADMIN-HOST', 'ROT-ADMIN-ENGINE', 'ACCESS-MASTER-READERS']),
  },
  { name: 'catalog-fields', page: 'docs/catalog.md', render: catalogFields },
  { name: 'layers', page: 'docs/architecture.md', render: layersTable },
  { name: 'cdktn-versions', page: 'docs/cdktn.md', render: versionsTable },
  { name: 'bench', page: 'docs/performance.md', render: benchTables },
];

const NOTE = (name: string) => `<!-- generated:${name} (npm run docs; do not edit by hand) -->`;
const END = (name: string) => `<!-- /generated:${name} -->`;

/** The page with every block it holds rewritten. Throws when a page lacks a block's markers. */
export function regenerate(page: string, text: string, blocks = BLOCKS): string {
  let out = text;
  for (const b of blocks.filter((x) => x.page === page)) {
    const start = out.indexOf(`<!-- generated:${b.name} `);
    const end = out.indexOf(END(b.name));
    if (start < 0 || end < start) throw new Error(`${page} lacks the markers of block "${b.name}": ${NOTE(b.name)} ... ${END(b.name)}`);
    out = `${out.slice(0, start)}${NOTE(b.name)}\n${b.render()}\n${out.slice(end)}`;
  }
  return out;
}

/** Pages whose generated blocks differ from what the code and the recorded bench say now. */
export function stalePages(): string[] {
  return [...new Set(BLOCKS.map((b) => b.page))].filter((page) => read(page) !== regenerate(page, read(page)));
}

// Run as a script (node tools/run-ts.mjs tools/gen/docs.ts), not when a test imports it.
if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  const check = process.argv.includes('--check');
  const stale = stalePages();
  if (check) {
    for (const p of stale) console.error(`${p} is stale: run npm run docs`);
    if (stale.length === 0) console.log('docs are up to date');
    process.exitCode = stale.length > 0 ? 1 : 0;
  } else {
    for (const p of stale) writeFileSync(path.join(ROOT, p), regenerate(p, read(p)));
    console.log(stale.length > 0 ? `rewrote ${stale.join(', ')}` : 'docs are up to date');
  }
}
