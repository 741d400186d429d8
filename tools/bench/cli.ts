/**
 * CLI figures for `npm run bench` (section `cli`): what `cdktf synth` and `cdktn synth` cost on top
 * of synthesizing the same app without a CLI, all measured in this run, interleaved.
 *
 * - `npm run synth` (node tools/synth.mjs, Node 20, cdktf): the baseline users can run today.
 * - `cdktf synth`: cdktf-cli 0.21 from the root tree (what `npx cdktf synth` starts), app from cdktf.json.
 * - `cdktn synth`: cdktn-cli 0.24 from tools/cdktn on its Node 22, app = the same sources built
 *   against cdktn (tools/cdktn/bundle.ts).
 * - the two apps alone on Node 22, so the framework's own cost is told apart from Node's and the CLI's.
 * Both CLIs write into .build/bench (not cdktf.out) and run with CHECKPOINT_DISABLE=1: the
 * version check would wait on a host this machine cannot reach.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { bundleApp, CDKTN_CLI, CDKTN_NODE, cdktnEnv, ensureCdktnInstalled, ROOT } from '../cdktn/bundle';
import { median } from './measure';
import type { BenchRow } from './types';

const OUT = path.join(ROOT, '.build', 'bench');

/** Wall time (ms) of one command; fails loudly, since a failed synth is not a fast one. */
function wall(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`bench cli: ${path.basename(command)} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return ms;
}

export async function benchCli(runs: number): Promise<BenchRow[]> {
  mkdirSync(OUT, { recursive: true });
  ensureCdktnInstalled((s) => console.error(`bench cli: ${s}`));
  const cdktnApp = path.join(OUT, 'main-cdktn.cjs');
  const cdktfApp = path.join(OUT, 'main-cdktf.cjs');
  await bundleApp('main.ts', cdktnApp, 'cdktn');
  await bundleApp('main.ts', cdktfApp, 'cdktf');
  const synthMjs = path.join(ROOT, 'tools', 'synth.mjs');
  const cdktfCli = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const quiet = { CHECKPOINT_DISABLE: '1' };
  const node20Env = { ...process.env, ...quiet };
  const cases: Array<{ key: string; run: () => number }> = [
    {
      key: 'npm run synth',
      run: () => wall(process.execPath, [synthMjs], { ...node20Env, CDKTF_OUTDIR: path.join(OUT, 'npm-synth.out') }),
    },
    { key: 'cdktf synth', run: () => wall(cdktfCli, ['synth', '--output', path.join(OUT, 'cdktf-cli.out')], node20Env) },
    { key: 'cdktf app, node 22', run: () => wall(CDKTN_NODE, [cdktfApp], cdktnEnv({ CDKTF_OUTDIR: path.join(OUT, 'cdktf-node22.out') })) },
    { key: 'cdktn app, node 22', run: () => wall(CDKTN_NODE, [cdktnApp], cdktnEnv({ CDKTF_OUTDIR: path.join(OUT, 'cdktn-app.out') })) },
    {
      key: 'cdktn synth',
      run: () =>
        wall(
          CDKTN_CLI,
          ['synth', '--app', `${JSON.stringify(CDKTN_NODE)} ${JSON.stringify(cdktnApp)}`, '--output', path.join(OUT, 'cdktn-cli.out')],
          cdktnEnv(),
        ),
    },
  ];
  for (const c of cases) c.run(); // warm the file cache, the transpile cache and the Lambda bundles once
  const times = new Map<string, number[]>(cases.map((c) => [c.key, []]));
  for (let i = 0; i < runs; i++) for (const c of cases) times.get(c.key)!.push(c.run());
  const m = (k: string) => median(times.get(k)!);
  const npmSynth = m('npm run synth');
  const cdktfCliMs = m('cdktf synth');
  const cdktnCliMs = m('cdktn synth');
  const cdktnAlone = m('cdktn app, node 22');
  const cdktfNode22 = m('cdktf app, node 22');
  const note = (over: number, what: string) => `CLI adds ${over.toFixed(0)} ms over ${what}; median of ${runs}, interleaved`;
  return [
    {
      group: 'cli',
      name: '`cdktf synth` (cdktf-cli 0.21, Node 20)',
      value: cdktfCliMs,
      unit: 'ms',
      baseline: npmSynth,
      baselineName: '`npm run synth`',
      ratio: cdktfCliMs / npmSynth,
      note: note(cdktfCliMs - npmSynth, '`npm run synth`'),
    },
    {
      group: 'cli',
      name: '`cdktn synth` (cdktn-cli 0.24, Node 22)',
      value: cdktnCliMs,
      unit: 'ms',
      baseline: npmSynth,
      baselineName: '`npm run synth`',
      ratio: cdktnCliMs / npmSynth,
      note: note(cdktnCliMs - cdktnAlone, `the cdktn app alone (${cdktnAlone.toFixed(0)} ms)`),
    },
    {
      group: 'cli',
      name: '`cdktn synth` against `cdktf synth`',
      value: cdktnCliMs,
      unit: 'ms',
      baseline: cdktfCliMs,
      baselineName: '`cdktf synth`',
      ratio: cdktnCliMs / cdktfCliMs,
      note: `median of ${runs}`,
    },
    {
      group: 'cli',
      name: 'the app on cdktn 0.24 alone (Node 22)',
      value: cdktnAlone,
      unit: 'ms',
      baseline: cdktfNode22,
      baselineName: 'the app on cdktf 0.21 alone, Node 22',
      ratio: cdktnAlone / cdktfNode22,
      note: `the framework's own cost, same Node; median of ${runs}`,
    },
  ];
}
