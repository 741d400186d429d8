/**
 * RotatingMysqlPool with mysql2 replaced by a fake that logs in against the in-memory database:
 * one mysql2 pool per secret version, the old pool ended once its last connection is back, and
 * refused logins (1045) bridged through AWSPENDING during a single-user rotation.
 */
import { EventEmitter } from 'node:events';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler, type Step } from '../../lambdas/rotation/protocol';
import { SecretCache } from '../../client/src/cache';
import { RotatingMysqlPool } from '../../client/src/mysql';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { runSteps } from '../../tools/testing/rotation-driver';
import { FakeClock, FakeSdk, flush } from '../../tools/testing/client-fakes';

class FakePool extends EventEmitter {
  ended = false;
  free: FakeConn[] = [];
  logins = 0;
  constructor(
    readonly config: { user?: string; password?: string; host?: string },
    private readonly db: FakeDatabase,
  ) {
    super();
  }
  async getConnection(): Promise<FakeConn> {
    if (this.ended) throw new Error('Pool is closed.');
    const idle = this.free.pop();
    if (idle) return idle;
    this.logins++;
    // RDS asks an IAM user for the clear-text plugin and checks the token it sends.
    const plugin = (this.config as any).authPlugins?.mysql_clear_password;
    const sent = plugin ? String(plugin({})({})).replace(/\0$/, '') : this.config.password!;
    if (plugin ? !sent.startsWith(`db:3306/?Action=connect&DBUser=${this.config.user}&`) : !this.db.accepts(this.config.user!, sent)) {
      this.db.failedLogins++;
      throw Object.assign(new Error(`Access denied for user '${this.config.user}'@'10.0.0.1' (using password: YES)`), {
        errno: 1045,
        code: 'ER_ACCESS_DENIED_ERROR',
      });
    }
    const conn = new FakeConn(this);
    this.emit('connection', conn); // as mysql2's pool does for a new connection
    return conn;
  }
  async end() {
    this.ended = true;
  }
}

class FakeConn {
  constructor(readonly pool: FakePool) {}
  async query(sql: string) {
    return [[{ sql, user: this.pool.config.user }], []];
  }
  async execute(sql: string) {
    return this.query(sql);
  }
  release() {
    this.pool.free.push(this);
  }
  destroy() {}
}

function setup(iamSigner?: (r: { hostname: string; port: number; username: string }) => Promise<string>) {
  const sm = new MemorySecretsManager();
  const db = new FakeDatabase();
  db.addUser('app', 'Initial-Pw-0001');
  const arn = sm.create('prod/app/mysql', {
    value: JSON.stringify({ engine: 'mysql', host: 'db', port: 3306, dbname: 'app', username: 'app', password: 'Initial-Pw-0001' }),
  });
  const handler = rotationHandler(
    () => databaseStrategy({ engine: db.engine(), strategy: 'single-user' }),
    () => sm,
    new Logger({}, () => undefined),
  );
  const clock = new FakeClock();
  const cache = new SecretCache({ client: new FakeSdk(sm), clock });
  const pools: FakePool[] = [];
  const pool = new RotatingMysqlPool({
    secrets: cache,
    secretId: arn,
    pool: { connectionLimit: 4 },
    iam: { signer: iamSigner },
    mysql: { createPool: (config: any) => (pools.push(new FakePool(config, db)), pools[pools.length - 1]) as any },
  });
  let token = '';
  const steps = (...s: Step[]) => runSteps(handler, arn, token, s);
  return { sm, db, arn, clock, cache, pool, pools, steps, start: () => (token = sm.startRotation(arn)) };
}

test('new connections get the current credentials; the old pool ends when its last connection is back', async () => {
  const s = setup();
  const held = await s.pool.getConnection();
  const [rows] = await s.pool.query<Array<{ user: string }>>('SELECT 1');
  expect(rows[0].user).toBe('app');
  expect(s.pools).toHaveLength(1);
  expect(s.pools[0].config).toMatchObject({ host: 'db', port: 3306, database: 'app', user: 'app', connectionLimit: 4 });

  // single-user rotation, window open: the first new login is refused, AWSPENDING logs in
  s.start();
  await s.steps('createSecret', 'setSecret');
  await Promise.all([s.pool.query('SELECT 2'), s.pool.query('SELECT 3'), s.pool.getConnection().then((c) => c.release())]);
  // the idle connection of the first pool was reused (no login), so force new ones
  const conns = await Promise.all(Array.from({ length: 3 }, () => s.pool.getConnection()));
  expect(s.db.failedLogins).toBeLessThanOrEqual(1);
  expect(s.pools.length).toBeGreaterThanOrEqual(2);
  const newest = s.pools[s.pools.length - 1];
  expect(newest.config.password).toBe(JSON.parse(s.sm.valueAt(s.arn, 'AWSPENDING')!).password);
  // the first pool is retired but still has a borrowed connection: not ended yet
  expect(s.pools[0].ended).toBe(false);
  held.release();
  for (const c of conns) c.release();
  await flush();
  expect(s.pools[0].ended).toBe(true);
  await s.steps('testSecret', 'finishSecret');
  await s.pool.query('SELECT 4');
  expect(s.db.failedLogins).toBeLessThanOrEqual(1);
  expect(s.pool.retiredPools).toBeGreaterThanOrEqual(1);
  await s.pool.end();
  expect(s.pools.every((p) => p.ended)).toBe(true);
});

test('a window with only reused connections costs no refused login at all', async () => {
  const s = setup();
  await s.pool.query('SELECT 1');
  s.start();
  await s.steps('createSecret', 'setSecret');
  for (let i = 0; i < 20; i++) await s.pool.query('SELECT 1');
  expect(s.db.failedLogins).toBe(0);
  expect(s.pools[0].logins).toBe(1);
});

test('the secret switched to IAM authentication: a new mysql2 pool for the IAM user, tokens through mysql_clear_password, the password pool retired', async () => {
  let n = 0;
  const s = setup(async (r) => `${r.hostname}:${r.port}/?Action=connect&DBUser=${r.username}&X-Amz-Expires=900&n=${++n}`);
  await s.pool.query('SELECT 1');
  s.sm.operatorPut(s.arn, JSON.stringify({ engine: 'mysql', host: 'db', port: 3306, dbname: 'app', username: 'app_iam', auth: 'iam' }));
  await s.cache.getString(s.arn, { forceRefresh: true });
  const [rows] = await s.pool.query<Array<{ user: string }>>('SELECT 2');
  expect(rows[0]!.user).toBe('app_iam');
  expect(s.pools).toHaveLength(2);
  expect(s.pools[0]!.ended).toBe(true);
  expect(s.pools[1]!.config).toMatchObject({ host: 'db', port: 3306, database: 'app', user: 'app_iam' });
  expect(s.db.failedLogins).toBe(0);
  await s.pool.end();
});

test('a checkout that reuses an open connection is no login: it clears no refused-login count (accounts can lock)', async () => {
  const s = setup();
  (await s.pool.getConnection()).release(); // one login; the connection stays open in the pool
  const version = (await s.pool.credentials.current()).versionId;
  s.db.users.get('app')!.password = 'Changed-By-Hand-9';
  const open = await s.pool.getConnection(); // the open one: no login
  let got: { release(): void } | undefined;
  const waiting = s.pool.getConnection().then((c) => (got = c)); // needs a login: refused, then paced
  await flush();
  expect(s.db.failedLogins).toBe(1);
  expect(s.pool.credentials.failedLogins(version)).toBe(1);
  open.release();
  for (let i = 0; i < 10 && !got; i++) await s.clock.advance(250);
  await waiting;
  // its retry found the open connection: served, but no login happened, so the count stands
  expect(s.db.failedLogins).toBe(1);
  expect(s.pool.credentials.failedLogins(version)).toBe(1);
  expect(s.pools[0]!.logins).toBe(2);
  got!.release();
  await s.pool.end();
});
