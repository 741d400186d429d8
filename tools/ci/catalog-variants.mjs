#!/usr/bin/env node
// The unit tests that read catalogs/ must hold for any valid catalog, not only the examples
// (issue 19). This runs them against other catalogs, each in a scratch copy of the repository
// whose catalogs/ is changed (no product code reads a switch):
//   alt             fixtures/catalogs-alt/ replaces catalogs/ (another team: other systems,
//                   accounts, regions, numbers of secrets; no systems.ts)
//   readme-example  the documentation's "Adding a secret" example pasted into production
// Which tests read catalogs/ is found from the imports (every unit test that imports a catalog
// file, directly or through any module), so a new test that reads them is run here too; the
// catalogs are type-checked first.
//
// usage: node tools/ci/catalog-variants.mjs [alt|readme-example ...]   (default: both)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const ts = require('typescript');
const CATALOG_FILES = ['index.ts', 'dev.ts', 'staging.ts', 'production.ts', 'systems.ts'];
/** catalogs/ modules of the platform itself; every other file there is the team's catalog data. */
const PLATFORM_FILES = ['schema.ts', 'parse.ts', 'violation.ts', 'types.ts', 'project.ts'];
const MARKER = '<!-- example:adding-a-secret -->';

/** The fenced block after the marker (docs/*.md, then README.md), else README's "Adding a secret" section's first block. */
export function addingASecretExample(root = ROOT) {
  const docs = existsSync(path.join(root, 'docs'))
    ? readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join('docs', f))
    : [];
  const fenced = (text) => /```[a-z]*\n([\s\S]*?)\n```/.exec(text)?.[1];
  for (const file of [...docs.sort(), 'README.md']) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const at = text.indexOf(MARKER);
    if (at >= 0) {
      const block = fenced(text.slice(at + MARKER.length));
      if (!block) throw new Error(`${file}: no fenced block after ${MARKER}`);
      return { file, block };
    }
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /^## Adding a secret\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  const block = section && fenced(section);
  if (!block)
    throw new Error(
      `the "Adding a secret" example is gone: no ${MARKER} in docs/*.md or README.md, and no fenced block in README's "## Adding a secret"`,
    );
  return { file: 'README.md', block };
}

/** `source` with `entry` added as the first element of the `secrets` array of the catalog `name`. */
export function pasteSecret(source, name, entry) {
  const sf = ts.createSourceFile('catalog.ts', source, ts.ScriptTarget.Latest, true);
  let array;
  const visit = (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      node.name.getText(sf) === name &&
      node.initializer &&
      ts.isObjectLiteralExpression(node.initializer)
    ) {
      const prop = node.initializer.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'secrets');
      if (prop && ts.isArrayLiteralExpression(prop.initializer)) array = prop.initializer;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!array) throw new Error(`no "secrets: [...]" in the catalog ${name}`);
  const at = array.getStart(sf) + 1;
  // As a person pastes it: one element, whether the docs end the block with a comma or not.
  const element = entry.trim().replace(/,$/, '');
  return `${source.slice(0, at)}\n    ${element.replace(/\n/g, '\n    ')},${source.slice(at)}`;
}

/** Unit test files (jest project `unit`) that import one of `targets`, directly or through other modules. */
export function testsImporting(dir, targets) {
  const wanted = new Set(targets.map((t) => path.resolve(dir, t)));
  const memo = new Map();
  const resolve = (from, spec) => {
    const base = path.resolve(path.dirname(from), spec);
    return [base, `${base}.ts`, `${base}.mjs`, `${base}.js`, path.join(base, 'index.ts')].find(
      (f) => existsSync(f) && !f.endsWith(path.sep) && ts.sys.fileExists(f),
    );
  };
  const reaches = (file, seen = new Set()) => {
    if (wanted.has(file)) return true;
    if (memo.has(file)) return memo.get(file);
    if (seen.has(file)) return false;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
    const hit = specs.some((spec) => {
      const target = resolve(file, spec);
      return target !== undefined && reaches(target, seen);
    });
    memo.set(file, hit);
    return hit;
  };
  const tests = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts') && !/^__tests__\/(proofs|integration|validate)\//.test(path.relative(dir, p)) && reaches(p))
        tests.push(path.relative(dir, p));
    }
  };
  walk(path.join(dir, '__tests__'));
  return tests.sort();
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status})`);
}

/** A copy of the repository's files (tracked and new, not ignored) with node_modules linked. */
function scratchCopy(name) {
  // Outside the repository: jest finds no tests under a dot-directory such as .build/.
  const dir = mkdtempSync(path.join(os.tmpdir(), `catalog-variant-${name}-`));
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\0')
    .filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dir, f));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const VARIANTS = {
  alt(dir) {
    for (const f of CATALOG_FILES) rmSync(path.join(dir, 'catalogs', f), { force: true });
    for (const f of readdirSync(path.join(ROOT, 'fixtures', 'catalogs-alt')).filter((x) => x.endsWith('.ts')))
      cpSync(path.join(ROOT, 'fixtures', 'catalogs-alt', f), path.join(dir, 'catalogs', f));
    return 'fixtures/catalogs-alt/ in place of catalogs/';
  },
  'readme-example'(dir) {
    const { file, block } = addingASecretExample(dir);
    const target = path.join(dir, 'catalogs', 'production.ts');
    writeFileSync(target, pasteSecret(readFileSync(target, 'utf8'), 'production', block));
    return `the example of ${file} pasted into catalogs/production.ts`;
  },
};

function main() {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(VARIANTS);
  for (const name of names) {
    if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
    const started = Date.now();
    const dir = scratchCopy(name);
    const what = VARIANTS[name](dir);
    console.log(`== catalog variant ${name}: ${what}`);
    // The catalogs type-check on their own (tsc follows their imports: the schema, the contract).
    const catalogs = readdirSync(path.join(dir, 'catalogs'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join('catalogs', f));
    run(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--esModuleInterop',
        '--resolveJsonModule',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node',
        '--types',
        'node',
        ...catalogs,
      ],
      dir,
    );
    // Every unit test that imports a catalog file of the team, directly or not.
    const tests = testsImporting(
      dir,
      catalogs.filter((f) => !PLATFORM_FILES.includes(path.basename(f))),
    );
    if (tests.length === 0) throw new Error('no unit test reads catalogs/: the variant would prove nothing');
    console.log(`unit tests that read catalogs/: ${tests.join(', ')}`);
    run(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'unit', '--ci', ...tests], dir);
    rmSync(dir, { recursive: true, force: true });
    console.log(`== catalog variant ${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
