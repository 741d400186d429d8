/**
 * `npm run bench`: every figure is measured in this run against a baseline measured in the same
 * run, on this machine. Prints a table and writes tools/bench/results/latest.local.json (untracked);
 * `npm run bench -- --record` writes the tracked tools/bench/results/latest.json instead (whole runs
 * only), from which `npm run docs` writes docs/performance.md. `--only synth,cdktn` runs some
 * sections. The `lambdas` and `client` sections start PostgreSQL, MariaDB and moto through
 * scripts/services.sh (root, Debian packages, PyPI) unless they are running; `cdktn` and `cli`
 * install tools/cdktn/framework on first use; `tests` runs `npm test` and `npm run validate`.
 *
 * Aims (a row's `aim`, reported as met or not, never a test): synth at most 2x an empty
 * three-stack app of the same framework; `npm test` within 90 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundleApp, CDKTN_NODE, cdktnEnv, ensureCdktnInstalled } from '../cdktn/bundle';
import { benchCli } from './cli';
import { median, timed } from './measure';
import { benchTests } from './tests';
import type { BenchRecord, BenchRow } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.build', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The synth aim: what the app may cost, as a multiple of an empty three-stack app of its framework. */
const SYNTH_AIM = 2;

/** Rewrites every deep provider import to the barrel: the "naive" app a user would write. */
const barrelPlugin: Plugin = {
  name: 'provider-barrel',
  setup(b) {
    b.onResolve({ filter: /^@cdktf\/provider-aws\/lib\/[^/]+$/ }, (args) => ({ path: args.path, namespace: 'barrel' }));
    b.onLoad({ filter: /.*/, namespace: 'barrel' }, (args) => {
      const ns = args.path
        .split('/')
        .pop()!
        .replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
      return { contents: `module.exports = require('@cdktf/provider-aws').${ns};`, loader: 'js', resolveDir: ROOT };
    });
  },
};

async function bundle(entry: string, outfile: string, plugins: Plugin[] = []) {
  await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    plugins,
    logLevel: 'error',
  });
}

interface Case {
  key: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  outdir: string;
}
type Timings = Map<string, Array<{ ms: number; rssMb: number }>>;

/** Runs every case once to warm the caches, then `RUNS` rounds of all of them, interleaved. */
function interleave(cases: Case[]): Timings {
  const run = (c: Case) => timed(c.command, c.args, { cwd: ROOT, env: { ...c.env, CDKTF_OUTDIR: c.outdir } });
  for (const c of cases) run(c); // file cache, transpile caches, the rotation bundles
  const times: Timings = new Map(cases.map((c) => [c.key, []]));
  for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c.key)!.push(run(c));
  return times;
}
const ms = (t: Timings, key: string) => median(t.get(key)!.map((x) => x.ms));
const mb = (t: Timings, key: string) => median(t.get(key)!.map((x) => x.rssMb));

/** A row against the empty app, with the synth aim. */
function againstEmpty(group: string, name: string, value: number, empty: number, emptyName: string, note: string): BenchRow {
  const ratio = value / empty;
  return {
    group,
    name,
    value,
    unit: 'ms',
    baseline: empty,
    baselineName: emptyName,
    ratio,
    aim: `≤ ${SYNTH_AIM}x`,
    met: ratio <= SYNTH_AIM,
    note,
  };
}

const stackCount = (outdir: string) => readdirSync(path.join(outdir, 'stacks')).length;

/** Every file under a directory, by relative path. */
function files(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, base, out);
    else out.set(path.relative(base, p), readFileSync(p, 'utf8'));
  }
  return out;
}
function sameOutput(a: string, b: string): boolean {
  const fa = files(a);
  const fb = files(b);
  return fa.size === fb.size && [...fa].every(([f, text]) => fb.get(f) === text);
}

/**
 * cdktf, Node 20: the app against an empty three-stack cdktf app, both bundled the same way and
 * both through `npm run synth`'s runner; peak memory; and, as information only, the same app
 * with the provider barrel import (why provider imports are deep).
 */
async function benchSynth(rows: BenchRow[]) {
  mkdirSync(OUT, { recursive: true });
  const app = path.join(OUT, 'main.cjs');
  const empty = path.join(OUT, 'empty.cjs');
  const barrel = path.join(OUT, 'main-barrel.cjs');
  await bundle('main.ts', app);
  await bundle('tools/bench/empty-app.ts', empty);
  await bundle('main.ts', barrel, [barrelPlugin]);
  const node = process.execPath;
  const env = process.env;
  const out = (k: string) => path.join(OUT, `${k}.out`);
  const t = interleave([
    { key: 'app', command: node, args: [app], env, outdir: out('app') },
    { key: 'empty', command: node, args: [empty], env, outdir: out('empty') },
    { key: 'npm run synth', command: node, args: [path.join(ROOT, 'tools', 'synth.mjs')], env, outdir: out('npm-synth') },
    {
      key: 'empty, same runner',
      command: node,
      args: [path.join(ROOT, 'tools', 'run-ts.mjs'), '--bundle-deps', 'tools/bench/empty-app.ts'],
      env,
      outdir: out('empty-runner'),
    },
    { key: 'barrel', command: node, args: [barrel], env, outdir: out('barrel') },
  ]);
  const stacks = stackCount(out('app'));
  const note = `${stacks} stacks against 3 empty ones; median of ${RUNS}, interleaved`;
  rows.push(
    againstEmpty(
      'synth',
      'all stacks, cdktf 0.21 on Node 20 (node start to exit)',
      ms(t, 'app'),
      ms(t, 'empty'),
      'empty three-stack cdktf app, bundled the same way',
      note,
    ),
  );
  rows.push(
    againstEmpty(
      'synth',
      '`npm run synth`',
      ms(t, 'npm run synth'),
      ms(t, 'empty, same runner'),
      'empty three-stack cdktf app through the same runner',
      note,
    ),
  );
  rows.push({
    group: 'synth',
    name: 'peak memory, all stacks',
    value: mb(t, 'app'),
    unit: 'MB',
    baseline: mb(t, 'empty'),
    baselineName: 'empty three-stack cdktf app',
    ratio: mb(t, 'app') / mb(t, 'empty'),
  });
  rows.push({
    group: 'synth',
    name: 'information: the same app with the provider barrel import',
    value: ms(t, 'barrel'),
    unit: 'ms',
    baseline: ms(t, 'app'),
    baselineName: 'the app (deep imports)',
    ratio: ms(t, 'barrel') / ms(t, 'app'),
    note: `peak memory ${mb(t, 'barrel').toFixed(0)} MB; why provider imports are deep (npm run lint:deps enforces it); no aim`,
  });
}

/**
 * cdktn 0.24, Node 22: the app built against the fork (tools/cdktn/bundle.ts) against an empty
 * three-stack cdktn app built the same way, without and with cdktn's public
 * CDKTN_DISABLE_CREATION_STACK switch (tokens record no creation stack trace).
 */
async function benchCdktn(rows: BenchRow[]) {
  mkdirSync(OUT, { recursive: true });
  ensureCdktnInstalled((s) => console.error(`bench cdktn: ${s}`));
  const app = path.join(OUT, 'main-cdktn.cjs');
  const empty = path.join(OUT, 'empty-cdktn.cjs');
  await bundleApp('main.ts', app, 'cdktn');
  await bundleApp('tools/bench/empty-app.ts', empty, 'cdktn');
  const plain = cdktnEnv();
  const flag = cdktnEnv({ CDKTN_DISABLE_CREATION_STACK: '1' });
  const out = (k: string) => path.join(OUT, `cdktn-${k}.out`);
  const t = interleave([
    { key: 'app', command: CDKTN_NODE, args: [app], env: plain, outdir: out('app') },
    { key: 'empty', command: CDKTN_NODE, args: [empty], env: plain, outdir: out('empty') },
    { key: 'app, switch', command: CDKTN_NODE, args: [app], env: flag, outdir: out('app-switch') },
    { key: 'empty, switch', command: CDKTN_NODE, args: [empty], env: flag, outdir: out('empty-switch') },
  ]);
  const stacks = stackCount(out('app'));
  rows.push(
    againstEmpty(
      'cdktn',
      'all stacks, cdktn 0.24 on Node 22 (node start to exit)',
      ms(t, 'app'),
      ms(t, 'empty'),
      'empty three-stack cdktn app, bundled the same way',
      `${stacks} stacks against 3 empty ones; median of ${RUNS}, interleaved`,
    ),
  );
  const saved = ms(t, 'app') - ms(t, 'app, switch');
  const savedEmpty = ms(t, 'empty') - ms(t, 'empty, switch');
  const same = sameOutput(out('app'), out('app-switch'));
  rows.push(
    againstEmpty(
      'cdktn',
      'all stacks, cdktn 0.24 with CDKTN_DISABLE_CREATION_STACK=1',
      ms(t, 'app, switch'),
      ms(t, 'empty, switch'),
      'empty three-stack cdktn app, same switch',
      `the switch saves ${saved.toFixed(0)} ms (${((100 * saved) / ms(t, 'app')).toFixed(0)}%) on the app, ${savedEmpty.toFixed(0)} ms on the empty app; output ${same ? 'byte-identical' : 'DIFFERENT'} with and without it`,
    ),
  );
}

async function benchScale(rows: BenchRow[]) {
  const scale = path.join(OUT, 'scale.cjs');
  await bundle('tools/bench/scale.ts', scale);
  const results: Record<number, { synthMs: number; wallMs: number; worst: string; over: number }> = {};
  for (const n of [10, 100, 1000]) {
    const runs = [];
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
      const r = timed(process.execPath, [scale, String(n)], { cwd: ROOT, env: process.env });
      runs.push({ ...JSON.parse(r.stdout), wallMs: r.ms });
    }
    const last = runs[runs.length - 1];
    results[n] = {
      synthMs: median(runs.map((r) => r.synthMs)),
      wallMs: median(runs.map((r) => r.wallMs)),
      worst: `${last.worst.what} of ${last.worst.subject}: ${last.worst.size}/${last.worst.limit}`,
      over: last.over,
    };
  }
  for (const n of [10, 100, 1000]) {
    rows.push({
      group: 'scale',
      name: `${n} secrets, synth in process`,
      value: results[n].synthMs,
      unit: 'ms',
      baseline: results[10].synthMs,
      baselineName: '10 secrets',
      ratio: results[n].synthMs / results[10].synthMs,
      note: `wall ${results[n].wallMs.toFixed(0)} ms; ${results[n].over} policies over limit; largest: ${results[n].worst}`,
    });
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

/**
 * The access proof (secret proof, CI proof, state backend) for the shipped catalogs and for a
 * generated 1,000-secret catalog of the same shapes, in one run; synth is not timed. Aim: 1,000
 * secrets in at most 60 s, with the same differences found (0 for both).
 */
async function benchAccess(rows: BenchRow[]) {
  const child = path.join(OUT, 'access.cjs');
  await bundle('tools/bench/access.ts', child);
  const runOf = (arg: string) =>
    JSON.parse(timed(process.execPath, [child, arg], { cwd: ROOT, env: process.env }).stdout) as {
      secrets: number;
      ms: number;
      requests: number;
      simulations: number;
      differences: number;
    };
  const shipped = runOf('shipped');
  const large = runOf('1000');
  const note = (r: typeof shipped) => `${r.requests} requests, ${r.simulations} evaluations, ${r.differences} difference(s)`;
  rows.push({
    group: 'access',
    name: `proof, shipped catalogs (${shipped.secrets} secrets)`,
    value: shipped.ms,
    unit: 'ms',
    note: note(shipped),
  });
  rows.push({
    group: 'access',
    name: `proof, generated catalog (${large.secrets} secrets, same shapes)`,
    value: large.ms,
    unit: 'ms',
    baseline: shipped.ms,
    baselineName: `shipped (${shipped.secrets} secrets)`,
    ratio: large.ms / shipped.ms,
    note: `${note(large)}; aim <= 60000 ms`,
  });
}

/** The sections, in table order. A new one is one line here. */
const SECTIONS: Array<[name: string, run: (rows: BenchRow[]) => Promise<void>]> = [
  ['synth', benchSynth],
  ['cdktn', benchCdktn],
  ['scale', benchScale],
  ['cli', async (rows) => void rows.push(...(await benchCli(RUNS)))],
  ['tests', async (rows) => void rows.push(...benchTests())],
  ['lambdas', benchLambdaSection],
  ['client', benchClientSection],
  ['access', benchAccess],
];

function parseArgs(argv: string[]): { record: boolean; only?: string[] } {
  const record = argv.includes('--record');
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : undefined;
  const unknown = (only ?? []).filter((n) => !SECTIONS.some(([s]) => s === n));
  if (i >= 0 && (only!.length === 0 || unknown.length > 0))
    throw new Error(`--only takes section names from: ${SECTIONS.map(([s]) => s).join(', ')}`);
  // The tracked file holds one whole run: rows from different runs would not share a machine state.
  if (record && only) throw new Error('--record writes the tracked tools/bench/results/latest.json and needs the whole bench; drop --only');
  return { record, only };
}

async function main() {
  const { record, only } = parseArgs(process.argv.slice(2));
  const rows: BenchRow[] = [];
  const start = os.loadavg()[0];
  // A section that fails (a service that cannot start, a command that breaks) is named in the
  // record; the other sections' rows are kept, and the run exits 1.
  const failures: Array<{ section: string; error: string }> = [];
  for (const [name, run] of SECTIONS) {
    if (only && !only.includes(name)) continue;
    try {
      await run(rows);
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).split('\n').find((l) => l.trim()) ?? 'failed';
      console.error(`bench: section ${name} failed: ${error}`);
      failures.push({ section: name, error: error.slice(0, 300) });
    }
  }
  const fmt = (n: number | undefined, unit = '') => (n === undefined ? '' : `${n >= 100 ? n.toFixed(0) : n.toFixed(2)}${unit}`);
  console.log('| group | measurement | value | baseline | ratio | aim | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const aim = r.aim ? `${r.aim}: ${r.met ? 'met' : 'NOT MET'}` : '';
    console.log(
      `| ${r.group} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baselineName ? `${fmt(r.baseline)} ${r.unit} (${r.baselineName})` : ''} | ${r.ratio ? `${fmt(r.ratio)}x` : ''} | ${aim} | ${r.note ?? ''} |`,
    );
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  // Porcelain lines are `XY path`: the status columns may be spaces, so the output is not trimmed.
  const uncommitted = git('status', '--porcelain')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .filter((f) => !f.startsWith('tools/bench/results/'));
  const result: BenchRecord = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg: { start, end: os.loadavg()[0] },
    tree: { commit: git('rev-parse', '--short=12', 'HEAD').trim(), uncommitted },
    sections: only ?? SECTIONS.map(([s]) => s),
    ...(failures.length > 0 ? { failures } : {}),
    rows,
  };
  console.log(
    `load average (1 min): ${result.loadavg!.start.toFixed(2)} at the start, ${result.loadavg!.end.toFixed(2)} at the end, on ${result.cpus} CPUs`,
  );
  const file = path.join(ROOT, 'tools', 'bench', 'results', record ? 'latest.json' : 'latest.local.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `wrote ${path.relative(ROOT, file)}${record ? ' (npm run docs writes docs/performance.md from it)' : ' (untracked; --record writes tools/bench/results/latest.json)'}`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
