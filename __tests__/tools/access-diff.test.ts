/**
 * `npm run access:diff -- <base> <head>` on a pull request: a base path that is wrong or holds no
 * report must fail, not diff against nothing (which lists every grant as gained and looks real).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../catalogs';
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { environmentReport } from '../../report/report';
import { grantsOf } from '../../tools/access/diff';

const ROOT = path.join(__dirname, '..', '..');
const diff = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'tools', 'run-ts.mjs'), path.join(ROOT, 'tools', 'access', 'diff-main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

/** A cdktf.out with the report of the first shipped environment (any catalog works). */
function out(): { dir: string; grants: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'access-diff-'));
  const report = environmentReport(planEnvironment(parseCatalogs([ENVIRONMENTS[0]]).catalogs[0]));
  mkdirSync(path.join(dir, 'stacks', report.environment), { recursive: true });
  writeFileSync(path.join(dir, 'stacks', report.environment, 'report.json'), JSON.stringify(report));
  const grants = grantsOf([report]).size;
  return { dir, grants };
}

test('a base path that does not exist, or holds no report, fails with one line', () => {
  const head = out();
  const missing = diff(path.join(head.dir, 'nope'), head.dir);
  expect(missing.status).toBe(2);
  expect(missing.stdout).toBe('');
  expect(missing.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^access:diff: .*nope does not exist; .*\(or none for no base\)$/),
  ]);
  const empty = mkdtempSync(path.join(tmpdir(), 'access-diff-empty-'));
  const noReport = diff(empty, head.dir);
  expect(noReport.status).toBe(2);
  expect(noReport.stderr).toMatch(/holds no stacks\/<env>\/report\.json; run npm run synth there first/);
});

test('"none" says there is no base and lists every grant as gained; the same output twice gains nothing', () => {
  const head = out();
  const first = diff('none', head.dir);
  expect(first.status).toBe(0);
  expect(first.stdout).toContain('No base to compare with');
  expect(first.stdout).toContain(`**Gained** (${head.grants})`);
  const same = diff(head.dir, head.dir);
  expect(same.status).toBe(0);
  expect(same.stdout).toContain('**Gained** (0)');
  expect(same.stdout).not.toContain('No base to compare with');
});
