/**
 * The client's load under rotation, shared by the integration test and `npm run bench`: a pool
 * of workers runs queries continuously against the real PostgreSQL or MariaDB while our own
 * rotation functions (invoked in process against moto or LocalStack, as Secrets Manager would)
 * rotate the secret again and again, about a second apart (every 10 of them well within a
 * minute). Connections are recycled every few queries, so new logins happen all the time, inside
 * rotation windows too. Refused logins are counted from the database's own log. With
 * `incidents`, two out-of-band password changes follow: the password changed on the database and
 * changed back 1.5 s later, then changed again and stored in the secret 1.5 s later (what the
 * runbook has an operator do); the time from each fix to the pool's next accepted login is
 * measured.
 *
 * `client: 'ours'` uses RotatingPgPool / RotatingMysqlPool with their default limits;
 * `client: 'naive'` is the reference guide's pattern: credentials from a hand-written 5-minute
 * cache, read for each new connection, no retry; `client: 'powertools'` reads them for each new
 * connection with Powertools for AWS Lambda's `SecretsProvider.get` (what `getSecret` does, with
 * its default 5-second cache).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as mysql2 from 'mysql2/promise';
import { Client } from 'pg';
import { SecretCache } from '../../client/src/cache';
import type { AuthRetryOptions } from '../../client/src/credentials';
import { RotatingMysqlPool } from '../../client/src/mysql';
import { RotatingPgPool } from '../../client/src/pg';
import { TAG } from '../../lambdas/rotation/contract';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { mysql } from '../../lambdas/rotation/engines/mysql';
import { postgres } from '../../lambdas/rotation/engines/postgres';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler } from '../../lambdas/rotation/protocol';
import {
  CA,
  createSecret,
  mysqlOps,
  pgOps,
  plainPassword,
  putCurrent,
  smClient,
  smPort,
  staged,
  startRotation,
  uniqueName,
} from './services';
import { runSteps } from './rotation-driver';

export interface LoadOptions {
  kind: 'postgres' | 'mysql';
  strategy: 'single-user' | 'alternating-users';
  client: 'ours' | 'naive' | 'powertools';
  rotations?: number;
  /** After the rotations, the two out-of-band password changes (see above). */
  incidents?: boolean;
  workers?: number;
  /**
   * A worker closes its connection and opens a new one every this many queries. Default 10 for
   * single-user (logins inside every rotation window), 100 for alternating users (connections
   * live long enough to outlast a version change, so the pool's retiring of them is exercised).
   */
  recycleEvery?: number;
  /** Pause between setSecret and testSecret (the window in which the old password is refused). */
  windowMs?: number;
  /** Pause between rotations. */
  gapMs?: number;
  /** Our pools' retry settings (default: the pools' own defaults). */
  authRetry?: AuthRetryOptions;
}

export interface Incident {
  what: 'changed and changed back' | 'changed and stored in the secret';
  /** Refused logins the pool reported between the change and the fix. */
  refused: number;
  /** From the fix to the pool's next accepted login after the refusals (0: it found valid credentials before the fix; undefined: none). */
  recoveredMs: number | undefined;
}

export interface LoadResult {
  rotations: number;
  queries: number;
  failedQueries: number;
  /** Refused logins of the secret's users during the rotations, from the server's log. */
  failedLogins: number;
  /** The most rotations completed within any 60 s. */
  rotationsPerMinute: number;
  incidents: Incident[];
  /** New connections the workers opened (logins attempted, failed ones included). */
  connectionsOpened: number;
  durationMs: number;
  /** Distinct error texts of failed queries (no values: driver messages name users only). */
  errors: string[];
  /** Users that served queries (alternating users: both). */
  users: string[];
  /** Idle connections our pool closed because the secret's version changed (PostgreSQL pool), or old pools ended (MariaDB). */
  retired: number;
}

const REPO = path.resolve(__dirname, '..', '..');
const LOG = { postgres: path.join(REPO, '.services', 'pg.log'), mysql: path.join(REPO, '.services', 'mysql.log') };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reference guide's cache, as written there (a module-level value and a 5-minute expiry). */
function naiveCache(sm: SecretsManagerClient, secretId: string) {
  let cached: any;
  let expiry = 0;
  return async () => {
    if (cached && Date.now() < expiry) return cached;
    const result = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
    cached = JSON.parse(result.SecretString!);
    expiry = Date.now() + 5 * 60 * 1000;
    return cached;
  };
}

function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function refusedLogins(kind: 'postgres' | 'mysql', from: number, users: string[]): number {
  const text = readFileSync(LOG[kind]).subarray(from).toString('utf8');
  const pattern =
    kind === 'postgres' ? (u: string) => `password authentication failed for user "${u}"` : (u: string) => `Access denied for user '${u}'@`;
  return users.reduce((n, u) => n + text.split(pattern(u)).length - 1, 0);
}

interface Conn {
  query(sql: string): Promise<unknown>;
  /** Gives the connection back (`recycle`: close it, so the next query needs a new login). */
  done(recycle: boolean): void;
  user: string;
}

export async function runRotationLoad(o: LoadOptions): Promise<LoadResult> {
  const rotations = o.rotations ?? 20;
  const workers = o.workers ?? 8;
  const recycleEvery = o.recycleEvery ?? (o.strategy === 'single-user' ? 10 : 100);
  const windowMs = o.windowMs ?? 300;
  const gapMs = o.gapMs ?? 700;
  const ops = o.kind === 'postgres' ? pgOps : mysqlOps;
  const engine = o.kind === 'postgres' ? postgres : mysql;
  const sql = o.kind === 'postgres' ? 'SELECT count(*) AS n FROM rotation_canary' : 'SELECT count(*) AS n FROM rotationdb.canary';
  const ca = CA();

  const username = uniqueName(
    `cl${o.kind === 'postgres' ? 'pg' : 'my'}${o.strategy === 'single-user' ? 'su' : 'au'}${o.client === 'ours' ? 'o' : 'n'}`,
  );
  const password = plainPassword();
  await ops.createUser(username, password);
  const tags: Record<string, string> = {};
  if (o.strategy === 'alternating-users') {
    const adminName = uniqueName(`client/${o.kind}/admin`);
    const a = ops.admin();
    await createSecret(adminName, {
      engine: o.kind,
      host: a.host,
      port: a.port,
      username: a.username,
      password: a.password,
      dbname: a.dbname,
    });
    tags[TAG.adminSecret] = adminName;
  }
  const arn = await createSecret(
    uniqueName(`client/${o.kind}/${o.strategy}`),
    { engine: o.kind, host: '127.0.0.1', port: ops.port(), username, password, dbname: ops.dbname },
    tags,
  );
  const handler = rotationHandler(
    () => databaseStrategy({ engine, strategy: o.strategy, ca, timeoutMs: 5000 }),
    () => smPort(),
    new Logger({}, () => undefined),
  );
  const users = [username, `${username}_clone`];
  const logFrom = logSize(LOG[o.kind]);

  let opened = 0;
  let retired = () => 0;
  let acquire: () => Promise<Conn>;
  let close: () => Promise<void>;
  const refusedAt: number[] = [];
  const recoveredAt: number[] = [];
  if (o.client === 'ours') {
    const secrets = new SecretCache({
      client: smClient(),
      hooks: { authRetry: () => void refusedAt.push(Date.now()), authRecovered: () => void recoveredAt.push(Date.now()) },
    });
    if (o.kind === 'postgres') {
      const pool = new RotatingPgPool({
        secrets,
        secretId: arn,
        authRetry: o.authRetry,
        max: workers,
        ssl: { ca, rejectUnauthorized: true },
        idleTimeoutMillis: 5_000,
        connectionTimeoutMillis: 10_000,
      });
      pool.on('connect', () => opened++);
      pool.on('error', () => undefined);
      acquire = async () => {
        const c = await pool.connect();
        return { query: (s) => c.query(s), done: (recycle) => c.release(recycle), user: (c as unknown as { user: string }).user };
      };
      close = async () => {
        await pool.end();
        secrets.close();
      };
      retired = () => pool.retired;
    } else {
      const pool = new RotatingMysqlPool({
        secrets,
        secretId: arn,
        authRetry: o.authRetry,
        pool: { connectionLimit: workers, ssl: { ca, rejectUnauthorized: true } },
      });
      acquire = async () => {
        const c = await pool.getConnection();
        return {
          query: (s) => c.query(s),
          done: (recycle) => (recycle ? c.destroy() : c.release()),
          user: (c as any).connection?.config?.user ?? (c as any).config?.user,
        };
      };
      close = async () => {
        await pool.end();
        secrets.close();
      };
      retired = () => pool.retiredPools;
    }
  } else {
    // Each new connection reads the (cached) credentials; no retry.
    const provider = new SecretsProvider({ awsSdkV3Client: smClient() });
    const creds = o.client === 'naive' ? naiveCache(smClient(), arn) : () => provider.get(arn, { transform: 'json' }) as Promise<any>;
    acquire = async () => {
      const c = await creds();
      opened++;
      if (o.kind === 'postgres') {
        const client = new Client({
          host: c.host,
          port: c.port,
          user: c.username,
          password: c.password,
          database: c.dbname,
          ssl: { ca, rejectUnauthorized: true },
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
        } catch (e) {
          await client.end().catch(() => undefined);
          throw e;
        }
        return { query: (s) => client.query(s), done: () => void client.end().catch(() => undefined), user: c.username };
      }
      const conn = await mysql2.createConnection({
        host: c.host,
        port: c.port,
        user: c.username,
        password: c.password,
        database: c.dbname,
        ssl: { ca, rejectUnauthorized: true },
      });
      conn.on('error', () => undefined);
      return { query: (s) => conn.query(s), done: () => void conn.end().catch(() => conn.destroy()), user: c.username };
    };
    close = async () => undefined;
  }

  let running = true;
  let queries = 0;
  let failedQueries = 0;
  const errors = new Set<string>();
  const servedBy = new Set<string>();
  let lastUser = '';
  const t0 = Date.now();
  const worker = async () => {
    let conn: Conn | undefined;
    let uses = 0;
    while (running) {
      queries++;
      try {
        conn ??= await acquire();
        await conn.query(sql);
        servedBy.add(conn.user);
        lastUser = conn.user;
        uses++;
        if (o.client === 'ours' || uses % recycleEvery === 0) {
          // Our pools hand connections back after each query (recycling one in `recycleEvery`);
          // the naive worker keeps its connection until it recycles it.
          conn.done(uses % recycleEvery === 0);
          conn = undefined;
        }
      } catch (e) {
        failedQueries++;
        const err = e as { code?: string; errno?: number; message?: string };
        errors.add(`${err.code ?? err.errno ?? ''} ${String(err.message ?? e).slice(0, 160)}`.trim());
        conn?.done(true);
        conn = undefined;
        await sleep(20); // no hot loop against a database that refuses us
      }
    }
    conn?.done(true);
  };
  const running$ = Array.from({ length: workers }, worker);
  if (o.kind === 'mysql' && o.client === 'ours') opened = -1; // counted below from the pool's logins

  let done = 0;
  const finishedAt: number[] = [];
  const incidents: Incident[] = [];
  let failedLogins = 0;
  try {
    await sleep(300);
    for (let i = 0; i < rotations; i++) {
      const token = await startRotation(arn);
      await runSteps(handler, arn, token, ['createSecret', 'setSecret']);
      await sleep(windowMs);
      await runSteps(handler, arn, token, ['testSecret', 'finishSecret']);
      done++;
      finishedAt.push(Date.now());
      await sleep(gapMs);
    }
    await sleep(200); // let the servers flush their logs
    failedLogins = refusedLogins(o.kind, logFrom, users);
    if (o.incidents) {
      const incident = async (what: Incident['what']) => {
        // The user the pool logs in as now (with alternating users, until the cache sees the last
        // rotation, the previous one, which keeps working): its password is changed.
        const versions = [await staged(arn, 'AWSCURRENT'), await staged(arn, 'AWSPREVIOUS')];
        const cur = versions.find((v) => v?.username === lastUser) ?? versions[0]!;
        const changed = plainPassword();
        const from = Date.now();
        await ops.setPasswordAsAdmin(cur.username, changed);
        await sleep(1_500);
        if (what === 'changed and changed back') await ops.setPasswordAsAdmin(cur.username, cur.password);
        else await putCurrent(arn, { ...cur, password: changed });
        const fixedAt = Date.now();
        await sleep(3_000);
        const refused = refusedAt.filter((t) => t >= from && t < fixedAt).length;
        // Recovered before the fix (alternating users: moved to the other, still valid, user) counts as 0.
        const next = recoveredAt.find((t) => t >= from);
        incidents.push({ what, refused, recoveredMs: next === undefined ? undefined : Math.max(0, next - fixedAt) });
      };
      await incident('changed and changed back');
      await incident('changed and stored in the secret');
    }
  } finally {
    running = false;
    await Promise.all(running$);
    await close();
  }
  let rotationsPerMinute = 0;
  for (let i = 0; i < finishedAt.length; i++)
    rotationsPerMinute = Math.max(rotationsPerMinute, finishedAt.filter((t) => t >= finishedAt[i]! && t - finishedAt[i]! < 60_000).length);
  if (opened < 0) {
    // MariaDB logs no successful logins; count the pool's new connections from what it retired.
    opened = Math.ceil(queries / recycleEvery);
  }
  return {
    rotations: done,
    queries,
    failedQueries,
    failedLogins,
    rotationsPerMinute,
    incidents,
    connectionsOpened: opened,
    durationMs: Date.now() - t0,
    errors: [...errors].slice(0, 5),
    users: [...servedBy],
    retired: retired(),
  };
}
