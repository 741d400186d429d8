/**
 * Client figures for `npm run bench` (group `client`), each against a baseline measured in this run:
 * - failed queries while our rotation functions rotate the secret, through our pools and through
 *   the reference guide's naive 5-minute cache, under the same load (8 workers, PostgreSQL and
 *   MariaDB, single-user and alternating users; refused logins from the servers' logs);
 * - cache-hit latency p50/p99 against a direct SDK call (to moto on loopback: a real regional
 *   endpoint is slower, so the real ratio is larger);
 * - Secrets Manager calls per minute at 1,000 gets/s (simulated clock, in-memory service);
 * - the client's bundle size, against the same bundle with the AWS SDK inside.
 * The database services are started by scripts/services.sh when they are not running.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretCache } from '../../client/src/cache';
import { FakeClock, FakeSdk } from '../testing/client-fakes';
import { createSecret, smClient, uniqueName } from '../testing/services';
import { LoadResult, runRotationLoad } from '../testing/rotation-load';
import { MemorySecretsManager } from '../testing/memory-secrets-manager';
import { withServices } from './lambdas';
import { BenchRow } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const ROTATIONS = Number(process.env.BENCH_CLIENT_ROTATIONS ?? 20);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function loadRows(rows: BenchRow[]) {
  const cases = [
    ['postgres', 'single-user'],
    ['postgres', 'alternating-users'],
    ['mysql', 'single-user'],
    ['mysql', 'alternating-users'],
  ] as const;
  const totals = { ours: [] as LoadResult[], naive: [] as LoadResult[] };
  for (const [kind, strategy] of cases) {
    for (const client of ['ours', 'naive'] as const) {
      // The failed-login window scaled to rotations seconds apart, as in the integration test.
      totals[client].push(await runRotationLoad({ kind, strategy, client, rotations: ROTATIONS, workers: 8, authRetry: { failureWindowMs: 1_000 } }));
    }
  }
  const sum = (rs: LoadResult[], k: 'failedQueries' | 'queries' | 'failedLogins' | 'rotations') => rs.reduce((n, r) => n + r[k], 0);
  const ours = sum(totals.ours, 'failedQueries');
  const naive = sum(totals.naive, 'failedQueries');
  const rotations = sum(totals.ours, 'rotations');
  const per = (rs: LoadResult[]) => rs.map((r, i) => `${cases[i][0] === 'mysql' ? 'mariadb' : 'postgres'} ${cases[i][1]}: ${r.failedQueries}/${r.queries}`).join('; ');
  rows.push({
    group: 'client',
    name: 'failed queries under rotation, rotation-aware client',
    value: ours,
    unit: 'queries',
    baseline: naive,
    baselineName: "reference's naive 5-minute cache, same load",
    ratio: naive > 0 ? ours / naive : undefined,
    note: `across ${rotations} rotations (PostgreSQL and MariaDB, single-user and alternating users; 8 workers, a connection recycled every 10 queries (single-user) or 100 (alternating users)); ${sum(totals.ours, 'queries')} queries; ${sum(totals.ours, 'failedLogins')} refused logins in the servers' logs (at most 1 per rotation); ${per(totals.ours)}`,
  });
  rows.push({
    group: 'client',
    name: "failed queries under rotation, reference's naive 5-minute cache",
    value: naive,
    unit: 'queries',
    baseline: ours,
    baselineName: 'rotation-aware client, same load',
    note: `across ${sum(totals.naive, 'rotations')} rotations; ${sum(totals.naive, 'queries')} queries; ${sum(totals.naive, 'failedLogins')} refused logins in the servers' logs; ${per(totals.naive)}`,
  });
}

async function latencyRows(rows: BenchRow[]) {
  const arn = await createSecret(uniqueName('bench/client/latency'), { username: 'app', password: uniqueName('pw') });
  const sdk = smClient();
  const direct: number[] = [];
  for (let i = 0; i < 20; i++) await sdk.send(new GetSecretValueCommand({ SecretId: arn })); // warm the connection
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await sdk.send(new GetSecretValueCommand({ SecretId: arn }));
    direct.push((performance.now() - t0) * 1000);
  }
  const cache = new SecretCache({ client: sdk });
  await cache.getString(arn);
  const hits: number[] = [];
  for (let i = 0; i < 5_000; i++) await cache.getString(arn); // warm up the JIT
  for (let i = 0; i < 50_000; i++) {
    const t0 = performance.now();
    await cache.getString(arn);
    hits.push((performance.now() - t0) * 1000);
  }
  for (const p of [50, 99]) {
    const v = pct(hits, p);
    const b = pct(direct, p);
    rows.push({ group: 'client', name: `cache hit latency p${p}`, value: v, unit: 'µs', baseline: b, baselineName: `direct GetSecretValue p${p} (moto on loopback)`, ratio: v / b, note: `${hits.length} hits, ${direct.length} direct calls; ${cache.apiCalls.GetSecretValue} API call for all hits` });
  }
}

async function apiRateRows(rows: BenchRow[]) {
  const sm = new MemorySecretsManager();
  const arn = sm.create('bench/app/db', { value: JSON.stringify({ username: 'app', password: 'not-a-real-password' }) });
  const sdk = new FakeSdk(sm);
  const clock = new FakeClock();
  const cache = new SecretCache({ client: sdk, clock });
  const minutes = 30;
  for (let s = 0; s < minutes * 60; s++) {
    const gets: Promise<string>[] = [];
    for (let i = 0; i < 1_000; i++) gets.push(cache.getString(arn));
    await Promise.all(gets);
    await clock.advance(1_000);
  }
  const perMin = sdk.count() / minutes;
  rows.push({
    group: 'client',
    name: 'Secrets Manager calls per minute at 1,000 gets/s',
    value: perMin,
    unit: 'calls/min',
    baseline: 60_000,
    baselineName: 'a direct SDK call per get',
    ratio: perMin / 60_000,
    note: `${minutes} simulated minutes, defaults (TTL 5 min with jitter, watch every 60 s): ${sdk.count('GetSecretValue')} GetSecretValue + ${sdk.count('DescribeSecret')} DescribeSecret; the naive 5-minute cache makes 0.2/min but never sees a rotation`,
  });
}

function bundleRows(rows: BenchRow[]) {
  const build = (extra: string[]) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'client', 'build.mjs'), '--json', '--minify', '--outdir', path.join(ROOT, '.build', 'bench', `client${extra.length ? '-sdk' : ''}`), ...extra], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`client build failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { sizes: Record<string, number>; inputs: number };
  };
  const own = build([]);
  const withSdk = build(['--bundle-sdk']);
  const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
  const zipped = Object.keys(own.sizes).reduce((n, f) => n + deflateRawSync(readFileSync(path.resolve(ROOT, f))).length, 0);
  const v = total(own.sizes) / 1024;
  const b = total(withSdk.sizes) / 1024;
  rows.push({ group: 'client', name: 'client bundle (index + pg + mysql, minified, dependencies external)', value: v, unit: 'KiB', baseline: b, baselineName: 'same with @aws-sdk/client-secrets-manager bundled', ratio: v / b, note: `${(zipped / 1024).toFixed(1)} KiB deflated; ${(own.inputs / 1024).toFixed(0)} KiB of source read` });
}

export async function benchClient(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  bundleRows(rows);
  await apiRateRows(rows);
  await withServices(async () => {
    await latencyRows(rows);
    await loadRows(rows);
  });
  return rows;
}
