/**
 * The client package builds with esbuild into three CommonJS entry points that share one copy of
 * the cache (pg.js and mysql.js load index.js), never pull in cdktf or the rotation functions, and
 * leave the AWS SDK and the drivers to the app's own pinned copies.
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
  expect(pkg.dependencies['@aws-sdk/client-secrets-manager']).toBe(root.dependencies['@aws-sdk/client-secrets-manager']);
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['mysql2', 'pg']);
});

test('esbuild bundles three entry points sharing one SecretCache', () => {
  // inside the repository, so the built files resolve the SDK and drivers from its node_modules
  mkdirSync(path.join(ROOT, '.build'), { recursive: true });
  const out = mkdtempSync(path.join(ROOT, '.build', 'client-dist-'));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'client', 'build.mjs'), '--json', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const pg = readFileSync(path.join(out, 'pg.js'), 'utf8');
  const mysql = readFileSync(path.join(out, 'mysql.js'), 'utf8');
  for (const text of [pg, mysql]) {
    expect(text).toContain('require("./index.js")');
    expect(text).not.toMatch(/class SecretCache|class SecretsClientError/);
  }
  const index = readFileSync(path.join(out, 'index.js'), 'utf8');
  expect(index).toContain('require("@aws-sdk/client-secrets-manager")');
  expect(index).not.toMatch(/cdktf|require\("pg"\)|require\("mysql2/);
  // the built files load, and the pool classes come with them
  const api = require(path.join(out, 'index.js'));
  expect(typeof api.SecretCache).toBe('function');
  expect(typeof require(path.join(out, 'pg.js')).RotatingPgPool).toBe('function');
  expect(typeof require(path.join(out, 'mysql.js')).RotatingMysqlPool).toBe('function');
});
