/**
 * The client as a package: `npm pack` ships exactly the builds, declarations, license and README;
 * the packed tarball, installed into a scratch app (offline: the tarball itself, and the peers
 * linked from this repository's node_modules), type-checks a consumer file under nodenext (as
 * ESM and as CommonJS), bundler and node10, each with strict, exactOptionalPropertyTypes and
 * noUncheckedIndexedAccess and with our declarations checked (no skipLibCheck); and it loads at
 * run time through `import` and `require`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const CLIENT = path.join(ROOT, 'client');
const HERE = path.join(__dirname, 'client-consumer');
let scratch: string;
let packed: { filename: string; files: Array<{ path: string }> };

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  mkdirSync(path.join(ROOT, '.build'), { recursive: true });
  scratch = mkdtempSync(path.join(ROOT, '.build', 'consumer-'));
  const pack = run('npm', ['pack', '--json', '--pack-destination', scratch], CLIENT);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.out}`);
  packed = JSON.parse(pack.stdout)[0];
  const app = path.join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // The tarball alone, offline; peers are not fetched (--legacy-peer-deps) but linked below.
  const install = run(
    'npm',
    ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', path.join(scratch, packed.filename)],
    app,
  );
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.out}`);
  for (const peer of ['@aws-sdk', '@smithy', 'pg', 'mysql2', '@types/pg', '@types/node', 'undici-types']) {
    const target = path.join(app, 'node_modules', peer);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', peer), target);
  }
  for (const f of ['run.mjs', 'run.cjs', 'check.cjs']) copyFileSync(path.join(HERE, f), path.join(app, f));
  const source = readFileSync(path.join(HERE, 'app.ts.txt'), 'utf8');
  for (const f of ['app.ts', 'esm.mts', 'cjs.cts']) writeFileSync(path.join(app, f), source);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('npm pack ships the ESM and CommonJS builds with their declarations, the license and the README: nothing else', () => {
  const files = packed.files.map((f) => f.path).sort();
  const dist = (format: string) => [
    ...['index', 'pg', 'mysql'].map((n) => `dist/${format}/${n}.js`),
    ...['cache', 'credentials', 'index', 'mysql', 'pg', 'pool-set', 'util'].map((n) => `dist/${format}/${n}.d.ts`),
    `dist/${format}/package.json`,
  ];
  expect(files).toEqual(['LICENSE', 'README.md', ...dist('cjs'), ...dist('esm'), 'package.json'].sort());
  const manifest = JSON.parse(readFileSync(path.join(CLIENT, 'package.json'), 'utf8'));
  expect(manifest.private).toBeUndefined();
  expect(manifest.license).toBe('MIT');
  expect(readFileSync(path.join(CLIENT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(manifest.peerDependencies['@aws-sdk/client-secrets-manager']).toBe('^3.0.0');
  for (const optional of ['pg', 'mysql2', '@aws-sdk/rds-signer', '@types/pg'])
    expect(manifest.peerDependenciesMeta[optional]).toEqual({ optional: true });
  expect(manifest.peerDependenciesMeta['@aws-sdk/client-secrets-manager']).toBeUndefined();
  // every export has a types condition first, for import and for require
  for (const [sub, conditions] of Object.entries(manifest.exports as Record<string, any>)) {
    if (sub === './package.json') continue;
    for (const c of ['import', 'require']) expect(Object.keys(conditions[c])).toEqual(['types', 'default']);
  }
  const readme = readFileSync(path.join(CLIENT, 'README.md'), 'utf8');
  expect(readme).toMatch(/^# @secrets-platform\/client/);
  expect(readme).toMatch(/npm install @secrets-platform\/client @aws-sdk\/client-secrets-manager/);
});

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  target: 'es2022',
  types: ['node'],
  skipLibCheck: false,
};
const RESOLUTIONS: Array<[string, Record<string, unknown>, string[]]> = [
  ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['esm.mts', 'cjs.cts']],
  ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['app.ts']],
  ['node10', { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }, ['app.ts']],
];

test.each(RESOLUTIONS)('a consumer type-checks under %s with strict and exactOptionalPropertyTypes', (name, compilerOptions, files) => {
  const app = path.join(scratch, 'app');
  writeFileSync(path.join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...STRICT, ...compilerOptions }, files }));
  const tsc = run(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${name}.json`, '--traceResolution'],
    app,
  );
  // resolved from the installed package, through its declarations
  for (const sub of ['', '/pg', '/mysql']) {
    const line = new RegExp(
      `Module name '@secrets-platform/client${sub}' was successfully resolved to '[^']*node_modules/@secrets-platform/client/dist/(esm|cjs)/(index|pg|mysql)\\.d\\.ts'`,
    );
    expect(tsc.out).toMatch(line);
  }
  const errors = tsc.out.split('\n').filter((l) => /error TS\d+/.test(l));
  expect(errors).toEqual([]);
  expect(tsc.status).toBe(0);
});

test.each(['run.mjs', 'run.cjs'])('the package loads at run time (%s): a read, the pools, no timer holding the process', (file) => {
  const r = run(process.execPath, [file], path.join(scratch, 'app'));
  expect(r.status).toBe(0);
  expect(r.out).not.toMatch(/Error/);
  expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({
    format: file.endsWith('.mjs') ? 'esm' : 'cjs',
    redis: 'redis://cache:6379',
    pg: 'function',
    mysql: 'function',
    error: true,
    holding: 0,
    closed: 'Closed',
  });
});
