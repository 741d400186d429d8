import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exitWhenFlushed } from '../../stacks/cli';

const ROOT = path.resolve(__dirname, '..', '..');

describe('exitWhenFlushed', () => {
  test('exits with the code only after stdout, then stderr, report flushed', () => {
    const events: string[] = [];
    const stream = (name: string) => {
      const pending: Array<() => void> = [];
      return { s: { write: (_d: string, cb: () => void) => (events.push(`${name} write`), pending.push(cb), true) } as unknown as NodeJS.WriteStream, flush: () => pending.splice(0).forEach((cb) => (events.push(`${name} flushed`), cb())) };
    };
    const out = stream('stdout');
    const err = stream('stderr');
    exitWhenFlushed(3, out.s, err.s, (c) => events.push(`exit ${c}`));
    expect(events).toEqual(['stdout write']);
    out.flush();
    expect(events).toEqual(['stdout write', 'stdout flushed', 'stderr write']);
    err.flush();
    expect(events).toEqual(['stdout write', 'stdout flushed', 'stderr write', 'stderr flushed', 'exit 3']);
    // Nothing but the injected exit decides the code (the test runner's own must stay 0).
    expect(process.exitCode).toBeUndefined();
  });
});

test('npm run synth (node scripts/synth.mjs) exits 0 with its whole summary on a pipe and every stack written', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'synth-cli-'));
  const r = spawnSync(process.execPath, ['scripts/synth.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: outdir } });
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n').pop()).toMatch(/^Reports: /);
  for (const stack of ['dev', 'staging', 'production', 'state-backend-production', 'ci-access-production']) {
    expect(existsSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
  }
}, 60_000);
