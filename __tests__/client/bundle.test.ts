/**
 * The client package builds with esbuild into three entry points per module system (ESM and
 * CommonJS) that share one copy of the cache (pg.js and mysql.js load index.js), never pull in
 * cdktf or the rotation functions, and leave the AWS SDK and the drivers to the app's own copies.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

test('client/src imports neither cdktf nor the rotation functions', () => {
  const dir = path.join(ROOT, 'client', 'src');
  for (const f of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    expect(text).not.toMatch(/from '(cdktf|constructs|@cdktf\/[^']*)'|lambdas\//);
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'client', 'package.json'), 'utf8'));
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // the SDK is the app's (a peer, ^3), and the repository's own pinned copy satisfies it
  expect(pkg.dependencies).toBeUndefined();
  expect(pkg.peerDependencies['@aws-sdk/client-secrets-manager']).toBe('^3.0.0');
  expect(root.dependencies['@aws-sdk/client-secrets-manager']).toMatch(/^3\./);
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual([
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/rds-signer',
    '@types/pg',
    'mysql2',
    'pg',
  ]);
});

// (declarations: __tests__/proofs/client-package.test.ts, which packs and type-checks them)
test('esbuild bundles three entry points per module system, sharing one SecretCache', () => {
  // inside the repository, so the built files resolve the SDK and drivers from its node_modules
  mkdirSync(path.join(ROOT, '.build'), { recursive: true });
  const out = mkdtempSync(path.join(ROOT, '.build', 'client-dist-'));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'client', 'build.mjs'), '--json', '--no-types', '--outdir', out], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  for (const [format, loads] of [
    ['cjs', (m: string) => `require("${m}")`],
    ['esm', (m: string) => `from "${m}"`],
  ] as const) {
    const read = (f: string) => readFileSync(path.join(out, format, f), 'utf8');
    for (const text of [read('pg.js'), read('mysql.js')]) {
      expect(text).toContain(loads('./index.js'));
      expect(text).not.toMatch(/class SecretCache|class SecretsClientError/);
    }
    const index = read('index.js');
    expect(index).toContain(loads('@aws-sdk/client-secrets-manager'));
    expect(index).not.toMatch(/cdktf|"pg"|"mysql2/);
    expect(JSON.parse(read('package.json'))).toEqual({ type: format === 'esm' ? 'module' : 'commonjs' });
  }
  // the built CommonJS files load, and the pool classes come with them
  const api = require(path.join(out, 'cjs', 'index.js'));
  expect(typeof api.SecretCache).toBe('function');
  expect(typeof require(path.join(out, 'cjs', 'pg.js')).RotatingPgPool).toBe('function');
  expect(typeof require(path.join(out, 'cjs', 'mysql.js')).RotatingMysqlPool).toBe('function');
});
