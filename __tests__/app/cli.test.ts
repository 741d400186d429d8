import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../catalogs';

const ROOT = path.resolve(__dirname, '..', '..');

test('npm run synth (node tools/synth.mjs) exits 0 with its whole summary on a pipe and every stack written', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'synth-cli-'));
  const r = spawnSync(process.execPath, ['tools/synth.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n').pop()).toMatch(/^Reports: /);
  // Whatever environments the catalogs declare: each stack, its state backend and its CI access.
  for (const stack of ENVIRONMENTS.flatMap((e) => [e.name, `state-backend-${e.name}`, `ci-access-${e.name}`])) {
    expect(existsSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
  }
}, 60_000);
