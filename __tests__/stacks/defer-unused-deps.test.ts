import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PROBE = '__tests__/support/probes/defer-probe.ts';

function probe(bundleDeps: boolean) {
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', ...(bundleDeps ? ['--bundle-deps'] : []), PROBE], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('libraries cdktf loads and synth never calls are deferred (stacks/defer-unused-deps.ts)', () => {
  test.each([
    ['node_modules external (bench, tests)', false],
    ['dependencies bundled (npm run synth)', true],
  ])('%s: cdktf starts without them; the first call loads the real ones', (_name, bundleDeps) => {
    const r = probe(bundleDeps);
    expect(r.before).toEqual({ archiver: false, semver: false });
    expect(r.again).toEqual([]);
    // The real libraries answer through the stand-ins: a version check and a valid zip.
    expect(r.satisfies).toBe(true);
    expect(r.zipMagic).toBe('PK');
    expect(r.zipHasFile).toBe(true);
    expect(r.after).toEqual({ archiver: true, semver: true });
  }, 60_000);

  test('the bundled synth keeps them external, by the path cdktf resolves, so the stand-ins serve them', () => {
    probe(true);
    const bundle = readFileSync(path.join(ROOT, '.build', 'run', 'defer-probe.bundled.cjs'), 'utf8');
    expect(bundle).toMatch(/require\("(\.\.\/)+([^"]*\/)?node_modules\/(cdktf\/node_modules\/)?archiver\/index\.js"\)/);
    expect(bundle).toMatch(/require\("(\.\.\/)+([^"]*\/)?node_modules\/(cdktf\/node_modules\/)?semver\/index\.js"\)/);
    // None of their own code is inside (esbuild marks each bundled file with a path comment).
    expect(bundle).not.toMatch(/^\/\/ node_modules\/(cdktf\/node_modules\/)?archiver\//m);
    expect(bundle).not.toMatch(/^\/\/ node_modules\/(cdktf\/node_modules\/)?semver\//m);
    // ...while a library that is bundled does carry that comment (the check can fail).
    expect(bundle).toMatch(/^\/\/ node_modules\/(cdktf\/node_modules\/)?json-stable-stringify\//m);
  }, 60_000);
});
