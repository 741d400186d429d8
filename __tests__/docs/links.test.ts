/**
 * The user docs cannot rot silently: every relative link of README.md, CHANGELOG.md and
 * docs/*.md resolves to a file or folder of the repository and, with a `#fragment` into a
 * Markdown page, to a heading of that page (GitHub's anchors); the README links every page of
 * docs/; and every guardrail id a page names in a code span is a rule of the pack or a shape
 * check of catalogs/parse.ts, so a renamed or removed rule cannot leave a page naming nothing.
 *
 * Hand-written rather than a link checker from npm: the maintained ones (remark-validate-links,
 * github-slugger) are ESM-only, which this CommonJS jest setup cannot load without a transform,
 * and what is needed here is a few dozen lines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';
import { SHAPE_CHECKS } from '../../catalogs/parse';

const root = path.resolve(__dirname, '..', '..');
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Files {
  read(p: string): string;
  /** 'file', 'dir', or undefined when nothing is there. */
  kind(p: string): 'file' | 'dir' | undefined;
}
const disk: Files = {
  read: (p) => readFileSync(path.join(root, p), 'utf8'),
  kind: (p) => (existsSync(path.join(root, p)) ? (statSync(path.join(root, p)).isDirectory() ? 'dir' : 'file') : undefined),
};

/** The page's lines with fenced code blocks blanked (line numbers kept). */
function prose(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (m && (fence === undefined || m[1].startsWith(fence))) {
      fence = fence === undefined ? m[1] : undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
}

/** GitHub's anchor for a heading: its text, lower case, without punctuation, spaces as hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link shows its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code spans and emphasis are markup
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page defines: its headings (repeats numbered -1, -2, ...) and explicit ids. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(a[1]);
  }
  return out;
}

/** Relative link targets of a page with their line numbers: inline links, images, definitions. */
function links(text: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  prose(text).forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, '');
    const targets = [...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const def = /^\s*\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (def) targets.push(def[1]);
    for (const target of targets) if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) out.push({ line: i + 1, target });
  });
  return out;
}

/** One line per relative link of `page` that does not resolve; empty when all do. */
function brokenLinks(page: string, files: Files = disk): string[] {
  const problems: string[] = [];
  for (const { line, target } of links(files.read(page))) {
    const hash = target.indexOf('#');
    const file = hash < 0 ? target : target.slice(0, hash);
    const fragment = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURI(file)));
    const where = `${page}:${line}: ${target}`;
    const kind = resolved.startsWith('../') ? undefined : files.kind(resolved);
    if (kind === undefined) problems.push(`${where}: nothing at ${resolved}`);
    else if (fragment !== undefined && kind === 'file' && resolved.endsWith('.md') && !anchors(files.read(resolved)).has(fragment)) {
      problems.push(`${where}: ${resolved} has no heading with that anchor`);
    }
  }
  return problems;
}

/** Guardrail ids named in code spans (`READER-ENV-ORG`), where their area is a guardrail area. */
function ruleIds(text: string, areas: Set<string>): string[] {
  const ids = [
    ...prose(text)
      .join('\n')
      .matchAll(/`([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)`/g),
  ].map((m) => m[1]);
  return ids.filter((id) => areas.has(id.split('-')[0]));
}

describe('links in the user docs', () => {
  test('the pages checked are the README, the CHANGELOG and every page of docs/', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/catalog.md', 'docs/guardrails.md']));
    expect(PAGES.length).toBe(2 + readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).length);
  });

  test.each(PAGES)('every relative link of %s resolves, #anchors included', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  test('the README links every page of docs/', () => {
    const linked = new Set(links(disk.read('README.md')).map((l) => l.target.split('#')[0]));
    expect(PAGES.filter((p) => p.startsWith('docs/') && !linked.has(p))).toEqual([]);
  });

  test('every guardrail id a page names exists (a rule of rules/pack, or a schema code)', () => {
    // The schema's codes are the shape checks of catalogs/parse.ts (CAT-SHAPE, CAT-ENUM, ...).
    const schemaCodes: string[] = SHAPE_CHECKS.map((c) => c.id);
    expect(schemaCodes).toContain('CAT-SHAPE');
    const known = new Set([...RULES.map((r) => r.id), ...schemaCodes]);
    const areas = new Set([...known].map((id) => id.split('-')[0]));
    const unknown = PAGES.flatMap((page) =>
      ruleIds(disk.read(page), areas)
        .filter((id) => !known.has(id))
        .map((id) => `${page}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('the link checker', () => {
  const pages: Record<string, string> = {
    'docs/a.md': [
      '# Page A',
      '## The `values` step: who writes',
      '## Twice',
      '## Twice',
      '<a id="custom"></a>',
      '```',
      '# Not a heading',
      '```',
    ].join('\n'),
    'docs/b.md': [
      '# Page B',
      '[ok](a.md#the-values-step-who-writes) [ok](a.md#twice-1) [ok](a.md#custom) [ok](#page-b) [ok](../README.md) [ok](https://example.com/x.md#y) [ok](./)',
      '[no file](missing.md) [no heading](a.md#nowhere) [outside](../../etc/passwd) [fenced heading](a.md#not-a-heading)',
      '`[in code](missing-in-code.md)`',
      '```',
      '[in a fence](missing-in-fence.md)',
      '```',
      '[ref]: a.md#also-nowhere',
    ].join('\n'),
  };
  const files: Files = {
    read: (p) => pages[p] ?? disk.read(p),
    kind: (p) => (pages[p] !== undefined ? 'file' : p === 'docs' ? 'dir' : disk.kind(p)),
  };

  test('finds a missing file, a missing heading, a path outside the repository; skips code and URLs', () => {
    expect(brokenLinks('docs/b.md', files)).toEqual([
      'docs/b.md:3: missing.md: nothing at docs/missing.md',
      'docs/b.md:3: a.md#nowhere: docs/a.md has no heading with that anchor',
      'docs/b.md:3: ../../etc/passwd: nothing at ../etc/passwd',
      'docs/b.md:3: a.md#not-a-heading: docs/a.md has no heading with that anchor',
      'docs/b.md:8: a.md#also-nowhere: docs/a.md has no heading with that anchor',
    ]);
  });

  test('anchors follow GitHub: punctuation dropped, code and links as text, repeats numbered', () => {
    expect(slug('2. The people: two IAM Identity Center permission sets')).toBe('2-the-people-two-iam-identity-center-permission-sets');
    expect(slug('Database logins (the first password)')).toBe('database-logins-the-first-password');
    expect(slug('data `archive_file`')).toBe('data-archive_file');
    expect(slug('[0.1.1] - 2026-11-25')).toBe('011---2026-11-25');
    expect([...anchors('# A\n## A\n## A')]).toEqual(['a', 'a-1', 'a-2']);
  });

  test('guardrail ids are recognised in code spans only, and only in guardrail areas', () => {
    expect(ruleIds('`READER-ENV-ORG` and `SHA-256`, READER-NOT-IN-CODE, `NOPE-X`', new Set(['READER']))).toEqual(['READER-ENV-ORG']);
  });
});
