/**
 * `npm run bench`: every figure is measured in this run against a baseline measured in the same
 * run, on this machine. Prints a table and writes tools/bench/results/latest.local.json (untracked);
 * `npm run bench -- --record` writes the tracked tools/bench/results/latest.json instead (whole runs
 * only). `--only cli,synth` runs some sections. The `lambdas` section starts PostgreSQL, MariaDB
 * and moto through scripts/services.sh (root, Debian packages, PyPI) unless they are running.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, Plugin } from 'esbuild';
import { benchCli } from './cli';
import { BenchRow } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.build', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Rewrites every deep provider import to the barrel: the "naive" app a user would write. */
const barrelPlugin: Plugin = {
  name: 'provider-barrel',
  setup(b) {
    b.onResolve({ filter: /^@cdktf\/provider-aws\/lib\/[^/]+$/ }, (args) => ({ path: args.path, namespace: 'barrel' }));
    b.onLoad({ filter: /.*/, namespace: 'barrel' }, (args) => {
      const ns = args.path.split('/').pop()!.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
      return { contents: `module.exports = require('@cdktf/provider-aws').${ns};`, loader: 'js', resolveDir: ROOT };
    });
  },
};

async function bundle(entry: string, outfile: string, plugins: Plugin[] = []) {
  await build({ entryPoints: [path.join(ROOT, entry)], outfile, bundle: true, packages: 'external', platform: 'node', target: 'node20', format: 'cjs', plugins, logLevel: 'error' });
}

/** Runs `node args` and returns wall time (ms) and peak RSS (MB, from GNU time). */
function timeNode(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; rssMb: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024, stdout: r.stdout };
}

async function benchSynth(rows: BenchRow[]) {
  mkdirSync(OUT, { recursive: true });
  const ours = path.join(OUT, 'main.cjs');
  const barrel = path.join(OUT, 'main-barrel.cjs');
  await bundle('main.ts', ours);
  await bundle('main.ts', barrel, [barrelPlugin]);
  const a: { ms: number; rssMb: number }[] = [];
  const b: { ms: number; rssMb: number }[] = [];
  timeNode([ours]); // warm the file cache and the lambda bundle cache once
  for (let i = 0; i < RUNS; i++) {
    a.push(timeNode([ours]));
    b.push(timeNode([barrel]));
  }
  const oursMs = median(a.map((x) => x.ms));
  const barrelMs = median(b.map((x) => x.ms));
  rows.push({ group: 'synth', name: 'all stacks (deep imports), node start to exit', value: oursMs, unit: 'ms', baseline: barrelMs, baselineName: 'same app, provider barrel import', ratio: barrelMs / oursMs, note: `median of ${RUNS}` });
  const oursRss = median(a.map((x) => x.rssMb));
  const barrelRss = median(b.map((x) => x.rssMb));
  rows.push({ group: 'synth', name: 'peak memory (deep imports)', value: oursRss, unit: 'MB', baseline: barrelRss, baselineName: 'provider barrel import', ratio: barrelRss / oursRss });
  const npmSynth: number[] = [];
  for (let i = 0; i < RUNS; i++) npmSynth.push(timeNode([path.join(ROOT, 'tools', 'synth.mjs')]).ms);
  rows.push({ group: 'synth', name: '`npm run synth` (transpile reused while sources are unchanged)', value: median(npmSynth), unit: 'ms', baseline: barrelMs, baselineName: 'provider barrel import', ratio: barrelMs / median(npmSynth) });
}

async function benchScale(rows: BenchRow[]) {
  const scale = path.join(OUT, 'scale.cjs');
  await bundle('tools/bench/scale.ts', scale);
  const results: Record<number, { synthMs: number; wallMs: number; worst: string; over: number }> = {};
  for (const n of [10, 100, 1000]) {
    const runs = [];
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
      const r = timeNode([scale, String(n)]);
      runs.push({ ...JSON.parse(r.stdout), wallMs: r.ms });
    }
    const last = runs[runs.length - 1];
    results[n] = { synthMs: median(runs.map((r) => r.synthMs)), wallMs: median(runs.map((r) => r.wallMs)), worst: `${last.worst.what} of ${last.worst.subject}: ${last.worst.size}/${last.worst.limit}`, over: last.over };
  }
  for (const n of [10, 100, 1000]) {
    rows.push({ group: 'scale', name: `${n} secrets, synth in process`, value: results[n].synthMs, unit: 'ms', baseline: results[10].synthMs, baselineName: '10 secrets', ratio: results[n].synthMs / results[10].synthMs, note: `wall ${results[n].wallMs.toFixed(0)} ms; ${results[n].over} policies over limit; largest: ${results[n].worst}` });
  }
}

async function benchLambdaSection(rows: BenchRow[]) {
  // The rotation-Lambda figures (bundle sizes, cold loads, rotation duration) live with the handlers.
  const lambdaBench = path.join(OUT, 'lambdas.cjs');
  await bundle('tools/bench/lambdas.ts', lambdaBench);
  const { benchLambdas } = require(lambdaBench) as { benchLambdas: () => Promise<BenchRow[]> };
  rows.push(...(await benchLambdas()));
}

/** The rotation-aware client's figures (failed queries under rotation, cache latency, API rate, bundle). */
async function benchClientSection(rows: BenchRow[]) {
  const clientBench = path.join(OUT, 'client.cjs');
  await bundle('tools/bench/client.ts', clientBench);
  rows.push(...(await (require(clientBench) as { benchClient: () => Promise<BenchRow[]> }).benchClient()));
}

/** The sections, in table order. A new one is one line here. */
const SECTIONS: Array<[name: string, run: (rows: BenchRow[]) => Promise<void>]> = [
  ['synth', benchSynth],
  ['scale', benchScale],
  ['cli', async (rows) => void rows.push(...(await benchCli(RUNS)))],
  ['lambdas', benchLambdaSection],
  ['client', benchClientSection],
];

function parseArgs(argv: string[]): { record: boolean; only?: string[] } {
  const record = argv.includes('--record');
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : undefined;
  const unknown = (only ?? []).filter((n) => !SECTIONS.some(([s]) => s === n));
  if (i >= 0 && (only!.length === 0 || unknown.length > 0)) throw new Error(`--only takes section names from: ${SECTIONS.map(([s]) => s).join(', ')}`);
  // The tracked file holds one whole run: rows from different runs would not share a machine state.
  if (record && only) throw new Error('--record writes the tracked tools/bench/results/latest.json and needs the whole bench; drop --only');
  return { record, only };
}

async function main() {
  const { record, only } = parseArgs(process.argv.slice(2));
  const rows: BenchRow[] = [];
  for (const [name, run] of SECTIONS) if (!only || only.includes(name)) await run(rows);
  const fmt = (n: number | undefined, unit = '') => (n === undefined ? '' : `${n >= 100 ? n.toFixed(0) : n.toFixed(2)}${unit}`);
  console.log('| group | measurement | value | baseline | ratio | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.group} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baselineName ? `${fmt(r.baseline)} ${r.unit} (${r.baselineName})` : ''} | ${r.ratio ? fmt(r.ratio) + 'x' : ''} | ${r.note ?? ''} |`);
  }
  const file = path.join(ROOT, 'tools', 'bench', 'results', record ? 'latest.json' : 'latest.local.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, sections: only ?? SECTIONS.map(([s]) => s), rows }, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, file)}${record ? '' : ' (untracked; --record writes tools/bench/results/latest.json)'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
