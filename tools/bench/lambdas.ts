/**
 * Rotation-Lambda figures for `npm run bench`, each against a baseline measured in this run:
 * - bundle size per handler, against the source bytes esbuild read to make it;
 * - cold load of each bundle in a new Node process, against a bare `node` start;
 * - a whole rotation (four steps) against the local PostgreSQL/MariaDB and moto, against one
 *   TLS login to the same server (the irreducible cost of a step).
 * The services are started by scripts/services.sh when they are not running.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { buildHandler, buildOptions } from '../../lambdas/build';
import { HANDLERS, TAG } from '../../lambdas/rotation/contract';
import { type DatabaseEngine, databaseStrategy } from '../../lambdas/rotation/database';
import { mysql } from '../../lambdas/rotation/engines/mysql';
import { postgres } from '../../lambdas/rotation/engines/postgres';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler } from '../../lambdas/rotation/protocol';
import { CA, createSecret, type DatabaseOps, mysqlOps, pgOps, plainPassword, smPort, startRotation, uniqueName } from '../testing/services';
import { runSteps } from '../testing/rotation-driver';
import { median } from './measure';
import type { BenchRow } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROTATIONS = Number(process.env.BENCH_ROTATIONS ?? 10);

function nodeMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: '/tmp', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

function bundleRows(rows: BenchRow[]) {
  for (const h of HANDLERS) {
    const b = buildHandler(h);
    const meta = buildSync({ ...buildOptions(h, '/dev/null'), write: false, metafile: true }).metafile!;
    const inputBytes = Object.values(meta.inputs).reduce((n, i) => n + i.bytes, 0);
    const zipped = deflateRawSync(readFileSync(b.file), { level: 9 }).length;
    rows.push({
      group: 'lambda',
      name: `${h} bundle (minified)`,
      value: b.bytes / 1024,
      unit: 'KiB',
      baseline: inputBytes / 1024,
      baselineName: 'source bytes bundled',
      ratio: b.bytes / inputBytes,
      note: `${(zipped / 1024).toFixed(0)} KiB deflated (the zip); sha256 ${b.sha256.slice(0, 12)}`,
    });
    const bare: number[] = [];
    const load: number[] = [];
    nodeMs(['-e', `require(${JSON.stringify(b.file)})`]);
    for (let i = 0; i < RUNS * 2; i++) {
      bare.push(nodeMs(['-e', '0']));
      load.push(nodeMs(['-e', `require(${JSON.stringify(b.file)})`]));
    }
    const l = median(load);
    const n = median(bare);
    rows.push({
      group: 'lambda',
      name: `${h} cold load (new process + require)`,
      value: l,
      unit: 'ms',
      baseline: n,
      baselineName: 'bare node start',
      ratio: l / n,
      note: `load cost ${(l - n).toFixed(0)} ms; median of ${RUNS * 2}`,
    });
  }
}

const servicesScript = (verb: string, inherit = false) =>
  spawnSync('bash', [path.join(ROOT, 'scripts', 'services.sh'), verb], { stdio: inherit ? 'inherit' : 'pipe' }).status === 0;

/** Runs `fn` with the database services up: running ones as they are, others started and then stopped. */
export async function withServices<T>(fn: () => Promise<T>): Promise<T> {
  const running = existsSync(path.join(ROOT, '.services', 'env.json')) && servicesScript('status');
  if (!running && !servicesScript('start', true)) throw new Error('bench: scripts/services.sh start failed; see its output above');
  try {
    return await fn();
  } finally {
    if (!running) servicesScript('stop');
  }
}

async function rotationRows(rows: BenchRow[]) {
  await withServices(() => measureRotations(rows));
}

async function measureRotations(rows: BenchRow[]) {
  const cases: Array<[string, DatabaseOps, DatabaseEngine]> = [
    ['postgres', pgOps, postgres],
    ['mariadb', mysqlOps, mysql],
  ];
  for (const [name, ops, engine] of cases) {
    for (const strategy of ['single-user', 'alternating-users'] as const) {
      const username = uniqueName('bench');
      const password = plainPassword();
      await ops.createUser(username, password);
      const tags: Record<string, string> = {};
      if (strategy !== 'single-user') {
        const a = ops.admin();
        const adminName = uniqueName(`bench/${name}/admin`);
        await createSecret(adminName, {
          engine: ops.kind,
          host: a.host,
          port: a.port,
          username: a.username,
          password: a.password,
          dbname: a.dbname,
        });
        tags[TAG.adminSecret] = adminName;
      }
      const arn = await createSecret(
        uniqueName(`bench/${name}/${strategy}`),
        { engine: ops.kind, host: '127.0.0.1', port: ops.port(), username, password, dbname: ops.dbname },
        tags,
      );
      const handler = rotationHandler(
        () => databaseStrategy({ engine, strategy, ca: CA() }),
        () => smPort(),
        new Logger({}, () => undefined),
      );
      const rotations: number[] = [];
      const logins: number[] = [];
      for (let i = 0; i < ROTATIONS; i++) {
        const token = await startRotation(arn);
        const t0 = performance.now();
        await runSteps(handler, arn, token);
        rotations.push(performance.now() - t0);
        const cur = JSON.parse((await smPort().getSecretValue({ SecretId: arn, VersionStage: 'AWSCURRENT' })).SecretString!);
        const t1 = performance.now();
        if (!(await ops.login(cur)).ok) throw new Error(`bench: ${name} ${strategy} rotation left AWSCURRENT unusable`);
        logins.push(performance.now() - t1);
      }
      const r = median(rotations);
      const l = median(logins);
      rows.push({
        group: 'rotation',
        name: `${name} ${strategy}, four steps`,
        value: r,
        unit: 'ms',
        baseline: l,
        baselineName: 'one TLS login + query',
        ratio: r / l,
        note: `median of ${ROTATIONS}; includes moto round trips`,
      });
    }
  }
}

export async function benchLambdas(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  bundleRows(rows);
  await rotationRows(rows);
  return rows;
}
