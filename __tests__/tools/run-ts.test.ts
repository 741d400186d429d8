/**
 * tools/run-ts.mjs runs main.ts for `npm run synth`. A mistake in a catalog file that TypeScript
 * would catch (a syntax error, a name that does not exist) must end in one line naming the file
 * and line, not in a Node stack through the generated bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const RUN_TS = path.join(__dirname, '..', '..', 'tools', 'run-ts.mjs');

function run(source: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'run-ts-'));
  const entry = path.join(dir, `entry-${path.basename(dir)}.ts`);
  writeFileSync(entry, source);
  const r = spawnSync(process.execPath, [RUN_TS, entry], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status, stderr: r.stderr, lines: r.stderr.trim().split('\n'), name: path.basename(entry) };
}

test('a name that does not exist: one line with the TypeScript file and line', () => {
  const r = run("const secrets = [\n  { id: 'a' },\n  ...missingHelper(),\n];\nconsole.log(secrets);\n");
  expect(r.code).toBe(1);
  expect(r.lines).toEqual([
    `${r.name}: ReferenceError: missingHelper is not defined at ${r.name}:3:6; nothing was written (SECRETS_PLATFORM_DEBUG=1 prints the stack)`,
  ]);
});

test('SECRETS_PLATFORM_DEBUG keeps the whole stack, mapped to the TypeScript source', () => {
  const r = run('export const x = 1;\nthrow new Error("boom");\n', { SECRETS_PLATFORM_DEBUG: '1' });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Error: boom');
  expect(r.stderr).toMatch(new RegExp(`${r.name.replace('.', '\\.')}:2:7`));
});

test('a syntax error: esbuild names the file and line, then one closing line, no Node stack', () => {
  const r = run("export const costCenter = 'platform-security;\n");
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/Unterminated string literal/);
  expect(r.stderr).toContain(`${r.name}:1:`);
  expect(r.lines.at(-1)).toBe(`${r.name}: does not compile (see above); nothing was run. npm run typecheck shows every type error.`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
