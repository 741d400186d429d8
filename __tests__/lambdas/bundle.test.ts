/**
 * The esbuild bundles the stacks deploy: one per handler, deterministic, self-contained (no
 * node_modules at run time), loadable by plain Node, exporting `handler`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHandler } from '../../lambdas/build';
import { HANDLERS } from '../../lambdas/rotation/contract';

const ROOT = path.resolve(__dirname, '..', '..');

describe.each(HANDLERS)('bundle %s', (name) => {
  const a = mkdtempSync(path.join(os.tmpdir(), 'bundle-a-'));
  const b = mkdtempSync(path.join(os.tmpdir(), 'bundle-b-'));
  const first = buildHandler(name, a);
  const second = buildHandler(name, b);

  test('is deterministic: two builds give the same bytes', () => {
    expect(first.built && second.built).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(second.bytes).toBe(first.bytes);
  });

  test('is reused while its inputs are unchanged', () => {
    const again = buildHandler(name, a);
    expect(again.built).toBe(false);
    expect(again.sha256).toBe(first.sha256);
  });

  test('holds no path of the build machine', () => {
    const text = readFileSync(first.file, 'utf8');
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(os.homedir());
  });

  test('loads in a bare Node with no node_modules and exports an async handler', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', `const m = require(${JSON.stringify(first.file)}); console.log(typeof m.handler, m.handler.constructor.name)`],
      {
        cwd: os.tmpdir(),
        env: { PATH: process.env.PATH, NODE_PATH: '' },
      },
    ).toString();
    expect(out.trim()).toBe('function AsyncFunction');
  });
});
