/**
 * Database credentials that follow rotation, driven by our own rotation functions (the real
 * handler code against the in-memory Secrets Manager and database) on a fake clock: the
 * single-user window bridged with one refused login, alternating users, the retry budget and the
 * failed-login limit, and no value in any log, event or error.
 */
import { TAG } from '../../lambdas/rotation/contract';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler, type Step } from '../../lambdas/rotation/protocol';
import { type CacheEvent, SecretCache } from '../../client/src/cache';
import { type AuthRetryOptions, type DatabaseCredentials, RotatingCredentials } from '../../client/src/credentials';
import type { SecretsClientError } from '../../client/src/util';
import { isMysqlAuthFailure } from '../../client/src/mysql';
import { isPgAuthFailure } from '../../client/src/pg';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { runSteps } from '../../tools/testing/rotation-driver';
import { FakeClock, FakeSdk, flush, HOOK_NAMES } from '../../tools/testing/client-fakes';

type Strategy = 'single-user' | 'alternating-users';

function setup(strategy: Strategy = 'single-user', authRetry: AuthRetryOptions = {}, engineLocksOut = true) {
  const sm = new MemorySecretsManager();
  const db = new FakeDatabase();
  db.addUser('app', 'Initial-Pw-0001');
  const tags: Record<string, string> = {};
  if (strategy === 'alternating-users') {
    db.addUser('admin', 'Admin-Pw-00001', { admin: true });
    sm.create('prod/db/admin', {
      value: JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, username: 'admin', password: 'Admin-Pw-00001' }),
    });
    tags[TAG.adminSecret] = 'prod/db/admin';
  }
  const arn = sm.create('prod/app/db', {
    value: JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, dbname: 'app', username: 'app', password: 'Initial-Pw-0001' }),
    tags,
  });
  const handler = rotationHandler(
    () => databaseStrategy({ engine: db.engine(), strategy }),
    () => sm,
    new Logger({}, () => undefined),
  );
  const clock = new FakeClock();
  const sdk = new FakeSdk(sm);
  const events: Array<[string, CacheEvent]> = [];
  const logs: string[] = [];
  const hooks = Object.fromEntries(HOOK_NAMES.map((k) => [k, (e: CacheEvent) => events.push([k, e])]));
  const cache = new SecretCache({
    client: sdk,
    clock,
    random: () => 0.5,
    hooks,
    logger: { warn: (m, f) => logs.push(JSON.stringify([m, f])) },
  });
  const creds = new RotatingCredentials(cache, arn, authRetry, engineLocksOut);
  const engine = db.engine();
  const used: DatabaseCredentials[] = [];
  /** What a pool does to open a connection. */
  const connect = () =>
    creds.withRetry(
      () =>
        creds.login(async (c) => {
          used.push(c);
          const session = await engine.connect(
            { host: c.host!, port: c.port, username: c.username, password: c.password },
            { tls: { mode: 'disabled' }, timeoutMs: 1000 },
          );
          await session.close();
          return c;
        }, isPgAuthFailure),
      isPgAuthFailure,
    );
  let token = '';
  const start = () => (token = sm.startRotation(arn));
  const steps = (...s: Step[]) => runSteps(handler, arn, token, s);
  return { sm, db, arn, clock, sdk, cache, creds, events, logs, connect, used, start, steps };
}

describe('single-user rotation window', () => {
  test('between setSecret and finishSecret: 50 connections, exactly 1 refused login, AWSPENDING bridges the window', async () => {
    const s = setup();
    await s.connect();
    s.start();
    await s.steps('createSecret', 'setSecret'); // the database now has the new password; AWSCURRENT still the old
    const results = await Promise.all(Array.from({ length: 50 }, () => s.connect()));
    expect(s.db.failedLogins).toBe(1);
    expect(results.every((c) => c.stage === 'AWSPENDING')).toBe(true);
    expect(s.events.filter(([k]) => k === 'authRetry')).toHaveLength(1);
    await s.steps('testSecret', 'finishSecret');
    await s.connect();
    expect(s.db.failedLogins).toBe(1);
    // once the cache sees AWSCURRENT on the pending version, the pin is gone: same version, AWSCURRENT
    await s.clock.advance(5 * 60_000);
    await s.connect();
    await flush();
    const last = await s.connect();
    expect(last.stage).toBe('AWSCURRENT');
    expect(s.db.failedLogins).toBe(1);
  });

  test('20 rotations in a row: at most one refused login each', async () => {
    const s = setup();
    await s.connect();
    for (let i = 0; i < 20; i++) {
      s.start();
      await s.steps('createSecret', 'setSecret');
      await Promise.all(Array.from({ length: 8 }, () => s.connect()));
      await s.steps('testSecret', 'finishSecret');
      await Promise.all(Array.from({ length: 8 }, () => s.connect()));
      await s.clock.advance(15_000); // rotations hours apart in life; 15 s keeps 4 per failure window
    }
    expect(s.db.failedLogins).toBeLessThanOrEqual(20);
    expect(s.db.failedLogins).toBeGreaterThan(0);
  });

  test('two rotations inside the forced-refresh rate limit: a stale cached AWSCURRENT is not taken for news', async () => {
    const s = setup();
    await s.connect();
    s.start();
    await s.steps('createSecret', 'setSecret');
    await s.connect(); // refused once, pinned to the pending version
    await s.steps('testSecret', 'finishSecret');
    await s.clock.advance(500); // the next rotation comes before forced refreshes are allowed again
    s.start();
    await s.steps('createSecret', 'setSecret');
    let done = false;
    const p = s.connect().finally(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) await s.clock.advance(250);
    const c = await p;
    // the cached AWSCURRENT (two versions old, fetched before the pending one) was not tried
    expect(s.db.failedLogins).toBe(2);
    expect(c.password).toBe(JSON.parse(s.sm.valueAt(s.arn, 'AWSPENDING')!).password);
  });

  test('after finishSecret, a stale cache costs one refused login, then AWSCURRENT is refetched', async () => {
    const s = setup();
    await s.connect();
    s.start();
    await s.steps('createSecret', 'setSecret', 'testSecret', 'finishSecret');
    const c = await s.connect();
    expect(c.stage).toBe('AWSCURRENT');
    expect(c.password).toBe(JSON.parse(s.sm.valueAt(s.arn, 'AWSCURRENT')!).password);
    expect(s.db.failedLogins).toBe(1);
  });
});

describe('alternating users', () => {
  test('the previous user keeps working: no refused login; new connections move to the new user', async () => {
    const s = setup('alternating-users');
    await s.connect();
    s.start();
    await s.steps('createSecret', 'setSecret', 'testSecret', 'finishSecret');
    expect((await s.connect()).username).toBe('app'); // cached, still accepted
    await s.clock.advance(60_000);
    await s.connect(); // the watch runs in the background
    await flush();
    expect((await s.connect()).username).toBe('app_clone');
    expect(s.db.failedLogins).toBe(0);
    expect(s.events.some(([k, e]) => k === 'rotation' && e.reason === 'watch')).toBe(true);
  });

  test('rotations on a real schedule (4 hours apart, the shortest Secrets Manager allows): 20 rotations, 0 refused logins', async () => {
    const s = setup('alternating-users');
    const users = new Set<string>();
    for (let i = 0; i < 20; i++) {
      s.start();
      await s.steps('createSecret', 'setSecret');
      await Promise.all(Array.from({ length: 8 }, () => s.connect()));
      await s.steps('testSecret', 'finishSecret');
      for (let m = 0; m < 240; m += 5) {
        await s.clock.advance(5 * 60_000);
        users.add((await s.connect()).username);
        await flush();
      }
    }
    expect(s.db.failedLogins).toBe(0);
    expect([...users].sort()).toEqual(['app', 'app_clone']);
  });

  test('two rotations before the cache notices: one refused login, then the current user', async () => {
    const s = setup('alternating-users');
    await s.connect();
    for (let i = 0; i < 2; i++) {
      s.start();
      await s.steps('createSecret', 'setSecret', 'testSecret', 'finishSecret');
    }
    const c = await s.connect();
    expect(c.username).toBe('app');
    expect(s.db.failedLogins).toBe(1);
  });
});

/** Advances the fake clock in `step` ms until `p` settles; returns its value or error. */
async function drive<T>(s: ReturnType<typeof setup>, p: Promise<T>, step = 1_000): Promise<T | Error> {
  const settled = p.then(
    (v) => ({ v }),
    (e) => ({ e: e as Error }),
  );
  let out: { v: T } | { e: Error } | undefined;
  settled.then((x) => (out = x));
  for (let i = 0; i < 200_000 / step && !out; i++) await s.clock.advance(step);
  if (!out) throw new Error('did not settle');
  return 'v' in out ? out.v : out.e;
}

describe('limits', () => {
  test('a password changed outside rotation: retries with backoff within the budget, then a clear error', async () => {
    const s = setup('single-user', { budgetMs: 30_000, maxFailedLogins: 5, failureWindowMs: 60_000 });
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const err = (await drive(s, s.connect())) as Error & { code: string };
    expect(err.code).toMatch(/AuthFailed|LoginLimit/);
    expect(err.message).toMatch(/secret arn:aws:secretsmanager:us-east-1:111111111111:secret:prod\/app\/db-/);
    expect(err.message).not.toMatch(/Initial-Pw-0001|Changed-By-Hand-9/);
    expect(s.db.failedLogins).toBeGreaterThanOrEqual(2);
    expect(s.db.failedLogins).toBeLessThanOrEqual(5);
  });

  test('no more refused logins than maxFailedLogins per window, however many connections are asked for', async () => {
    const s = setup('single-user', { budgetMs: 120_000, maxFailedLogins: 3, failureWindowMs: 60_000 });
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const all = Promise.allSettled(Array.from({ length: 20 }, () => s.connect()));
    const settled = await drive(s, all);
    await flush();
    expect(Array.isArray(settled)).toBe(true);
    // 120 s of retrying: at most 3 per 60 s window
    expect(s.db.failedLogins).toBeLessThanOrEqual(3 * 3);
    for (const r of settled as PromiseSettledResult<unknown>[]) expect(r.status).toBe('rejected');
  });

  test('the password fixed by an operator within the budget: the retry succeeds', async () => {
    const s = setup('single-user', { budgetMs: 30_000 });
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const p = s.connect();
    await s.clock.advance(1_000);
    s.db.users.get('app')!.password = 'Initial-Pw-0001';
    const r = await drive(s, p);
    expect((r as DatabaseCredentials).stage).toBe('AWSCURRENT');
  });
});

describe('what counts as a refused login', () => {
  test('PostgreSQL, MySQL/MariaDB and RDS Proxy', () => {
    expect(isPgAuthFailure({ code: '28P01', message: 'password authentication failed for user "app"' })).toBe(true);
    expect(isPgAuthFailure({ code: '28000', message: 'role "app" does not exist' })).toBe(true);
    // RDS Proxy for PostgreSQL (texts from AWS's "Troubleshooting for RDS Proxy"; no SQLSTATE documented)
    expect(isPgAuthFailure(new Error('The password that was provided for the role app is wrong.'))).toBe(true);
    expect(
      isPgAuthFailure(
        new Error('This RDS proxy has no credentials for the role app_clone. Check the credentials for this role and try again.'),
      ),
    ).toBe(true);
    expect(isPgAuthFailure({ code: '57P03', message: 'the database system is starting up' })).toBe(false);
    expect(isPgAuthFailure(new Error('timeout expired'))).toBe(false);
    // RDS Proxy for MySQL answers like MySQL: ERROR 1045 (28000)
    expect(isMysqlAuthFailure({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' })).toBe(true);
    expect(isMysqlAuthFailure({ errno: 1698 })).toBe(true);
    expect(isMysqlAuthFailure({ errno: 1040, message: 'Too many connections' })).toBe(false);
  });
});

describe('the refused-login limit counts per credentials version', () => {
  test('a burst of 10 single-user rotations within 60 s, default limits (5 per minute): no connect fails, at most 1 refused login per rotation', async () => {
    const s = setup();
    await s.connect();
    const t0 = s.clock.now();
    for (let i = 0; i < 10; i++) {
      s.start();
      await s.steps('createSecret', 'setSecret');
      const r = await drive(s, Promise.all(Array.from({ length: 8 }, () => s.connect())), 100);
      expect(r).not.toBeInstanceOf(Error);
      await s.steps('testSecret', 'finishSecret');
      expect(await drive(s, Promise.all(Array.from({ length: 8 }, () => s.connect())), 100)).not.toBeInstanceOf(Error);
      await s.clock.advance(5_000);
    }
    expect(s.clock.now() - t0).toBeLessThan(60_000);
    expect(s.db.failedLogins).toBeGreaterThan(0);
    expect(s.db.failedLogins).toBeLessThanOrEqual(10);
  });

  test('new credentials always get their try: the limit of a refused version does not hold back the fix put into the secret', async () => {
    const s = setup('single-user', { maxFailedLogins: 3, failureWindowMs: 60_000, budgetMs: 120_000 });
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const waiting = s.connect();
    let settledAt = 0;
    waiting.then(
      () => (settledAt = s.clock.now()),
      () => undefined,
    );
    for (let i = 0; i < 30; i++) await s.clock.advance(1_000);
    expect(s.db.failedLogins).toBe(3); // the limit held
    // the operator stores the password the database now has: a new AWSCURRENT version
    s.sm.operatorPut(
      s.arn,
      JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, dbname: 'app', username: 'app', password: 'Changed-By-Hand-9' }),
    );
    const fixedAt = s.clock.now();
    const c = (await drive(s, waiting, 100)) as DatabaseCredentials;
    expect(c.password).toBe('Changed-By-Hand-9');
    expect(settledAt - fixedAt).toBeLessThanOrEqual(2_000);
    expect(s.db.failedLogins).toBe(3);
  });

  test('a success clears the count: the next outage starts afresh, and authRecovered says how long logins were refused', async () => {
    const s = setup('single-user', { maxFailedLogins: 3, failureWindowMs: 60_000, budgetMs: 120_000 });
    await s.connect();
    const v = (await s.creds.current()).versionId;
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const p = s.connect();
    await s.clock.advance(1_000); // refused at once, then after the first pacing interval (0.75 s here)
    expect(s.creds.failedLogins(v)).toBe(2);
    s.db.users.get('app')!.password = 'Initial-Pw-0001'; // fixed on the database
    expect(await drive(s, p, 100)).toMatchObject({ versionId: v });
    expect(s.creds.failedLogins(v)).toBe(0);
    const recovered = s.events.filter(([k]) => k === 'authRecovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]![1].ageMs).toBeGreaterThan(2_000);
    // a second outage inside the same minute gets the full allowance again
    s.db.users.get('app')!.password = 'Changed-Again-77';
    const before = s.db.failedLogins;
    const q = s.connect();
    await s.clock.advance(8_000);
    expect(s.db.failedLogins - before).toBe(3);
    // at the limit (the engine locks accounts): the same credentials wait for the window
    s.db.users.get('app')!.password = 'Initial-Pw-0001';
    expect(await drive(s, q, 100)).toMatchObject({ versionId: v });
    expect(s.db.failedLogins - before).toBe(3);
  });

  test('MySQL/MariaDB (accounts lock): a short outage, 8 connections waiting, recovered within 2 s of the fix and fewer refusals than the limit', async () => {
    const s = setup();
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const all = Promise.all(Array.from({ length: 8 }, () => s.connect()));
    let doneAt = 0;
    all.then(
      () => (doneAt = s.clock.now()),
      () => undefined,
    );
    for (let i = 0; i < 15; i++) await s.clock.advance(100);
    s.db.users.get('app')!.password = 'Initial-Pw-0001';
    const fixedAt = s.clock.now();
    expect(await drive(s, all, 50)).toHaveLength(8);
    expect(doneAt - fixedAt).toBeLessThanOrEqual(2_000);
    expect(s.db.failedLogins).toBeLessThan(5);
  });

  test('PostgreSQL (no lockout): no limit; after a minute of refusals a fix is picked up within 1 s', async () => {
    const s = setup('single-user', { budgetMs: 30_000 }, false);
    expect(s.creds.lockout).toBe(false);
    await s.connect();
    s.db.users.get('app')!.password = 'Changed-By-Hand-9';
    const errors: string[] = [];
    // the app keeps asking for connections for a minute; each gives up after its budget
    const start = s.clock.now();
    while (s.clock.now() < start + 60_000) {
      const r = await drive(s, s.connect(), 100);
      if (r instanceof Error) errors.push((r as SecretsClientError).code);
    }
    expect(new Set(errors)).toEqual(new Set(['AuthFailed'])); // never LoginLimit
    // paced to about one refusal a second, not one per waiting connection
    expect(s.db.failedLogins).toBeGreaterThan(30);
    expect(s.db.failedLogins).toBeLessThan(200);
    s.db.users.get('app')!.password = 'Initial-Pw-0001';
    const fixedAt = s.clock.now();
    const p = s.connect();
    let at = 0;
    p.then(() => (at = s.clock.now()));
    expect(await drive(s, p, 50)).toMatchObject({ stage: 'AWSCURRENT' });
    expect(at - fixedAt).toBeLessThanOrEqual(1_000);
  });
});
