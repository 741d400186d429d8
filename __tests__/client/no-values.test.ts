/**
 * No secret value leaves the client in anything it emits: marker values are planted in the
 * secrets, every path that logs, fires an event or throws is driven (hits, misses, stale serving,
 * refresh failures whose SDK message echoes the value, JSON and validation errors, timeouts,
 * aborts, failover, rotation, refused logins, the retry budget and the login limit), and every
 * log line, event, error message, stack and console write is scanned for the markers.
 */
import { TAG } from '../../lambdas/rotation/contract';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler } from '../../lambdas/rotation/protocol';
import { type CacheEvent, SecretCache } from '../../client/src/cache';
import { RotatingCredentials } from '../../client/src/credentials';
import { isPgAuthFailure } from '../../client/src/pg';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { rotate, runSteps } from '../../tools/testing/rotation-driver';
import { awsError, FakeClock, FakeSdk, flush, networkError, HOOK_NAMES } from '../../tools/testing/client-fakes';

const MARKERS = ['MARKER-pw-7f3a9c1e5b', 'MARKER-key-2d8e6f4a0c', 'MARKER-plain-9b1c3e5d7f', 'MARKER-admin-4a6c8e0b2d'];

test('no planted value appears in any log line, event, error or console output', async () => {
  const emitted: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void emitted.push(a.map(String).join(' '))),
  );
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: unknown) => (emitted.push(String(c)), true));
  const errOut = jest.spyOn(process.stderr, 'write').mockImplementation((c: unknown) => (emitted.push(String(c)), true));
  const record = (e: unknown) => {
    const err = e as Error;
    emitted.push(
      String(err),
      err?.message ?? '',
      err?.stack ?? '',
      JSON.stringify(err ?? null),
      JSON.stringify(Object.getOwnPropertyDescriptors(err ?? {})),
    );
  };
  const expectFail = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      record(e);
      return;
    }
    throw new Error('expected a failure');
  };

  try {
    const sm = new MemorySecretsManager();
    const db = new FakeDatabase();
    db.addUser('app', MARKERS[0]);
    db.addUser('admin', MARKERS[3], { admin: true });
    sm.create('prod/db/admin', { value: JSON.stringify({ engine: 'postgres', host: 'db', username: 'admin', password: MARKERS[3] }) });
    const dbArn = sm.create('prod/app/db', {
      value: JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, username: 'app', password: MARKERS[0] }),
      tags: { [TAG.adminSecret]: 'prod/db/admin' },
    });
    const keyArn = sm.create('prod/app/api-key', { value: JSON.stringify({ API_KEY: MARKERS[1], region: 'eu' }) });
    const plainArn = sm.create('prod/app/plain', { value: MARKERS[2] });
    const clock = new FakeClock();
    const sdk = new FakeSdk(sm);
    const replica = new FakeSdk(sm, (id) => id.replace(':us-west-2:', ':us-east-1:'));
    const hooks = Object.fromEntries(HOOK_NAMES.map((k) => [k, (e: CacheEvent) => emitted.push(`${k} ${JSON.stringify(e)}`)]));
    const cache = new SecretCache({
      client: sdk,
      region: 'us-east-1',
      clock,
      hooks,
      logger: { warn: (m, f) => emitted.push(`${m} ${JSON.stringify(f)}`) },
      failover: { regions: ['us-west-2'], clientFor: () => replica },
      requestTimeoutMs: 1_000,
    });

    // hits, misses, typed reads
    await cache.getJson(dbArn);
    await cache.getJson(keyArn, { key: 'API_KEY' });
    await cache.getString(plainArn);
    await cache.getJson(dbArn);
    // parse, key and validation errors
    await expectFail(cache.getJson(plainArn));
    await expectFail(cache.getJson(keyArn, { key: 'missing' }));
    await expectFail(
      cache.getJson(keyArn, {
        key: 'API_KEY',
        parse: (v) => {
          throw new Error(`bad value ${String(v)}`);
        },
      }),
    );
    await expectFail(cache.getBinary(keyArn));
    // refresh failures whose SDK message echoes the value (a transient, then a non-transient one)
    await clock.advance(5 * 60_000);
    sdk.failWith = () => awsError('ThrottlingException', `Rate exceeded for ${MARKERS[1]}`);
    await cache.getJson(keyArn);
    await flush();
    await clock.advance(16 * 60_000);
    await expectFail(cache.getJson(keyArn));
    sdk.failWith = () => awsError('DecryptionFailure', `cannot decrypt ${MARKERS[2]}`);
    await clock.advance(5 * 60_000);
    await cache.getString(plainArn).then(record, record);
    await flush();
    await expectFail(cache.getString(plainArn));
    // failover and timeouts
    sdk.failWith = () => networkError('ECONNREFUSED');
    await cache.getJson(keyArn, { forceRefresh: true }).catch(record);
    sdk.failWith = undefined;
    replica.hang = true;
    sdk.hang = true;
    const hung = cache.getJson(dbArn, { versionStage: 'AWSPREVIOUS' }).catch(record);
    await clock.advance(3_000);
    await hung;
    sdk.hang = false;
    replica.hang = false;
    const ac = new AbortController();
    ac.abort();
    await expectFail(cache.getJson(dbArn, { signal: ac.signal }));
    await clock.advance(120_000);

    // rotation (alternating users through our handler), refused logins, retry budget, login limit
    const lambdaLog: string[] = [];
    const handler = rotationHandler(
      () => databaseStrategy({ engine: db.engine(), strategy: 'single-user' }),
      () => sm,
      new Logger({}, (l) => lambdaLog.push(l)),
    );
    const creds = new RotatingCredentials(cache, dbArn, { budgetMs: 20_000, maxFailedLogins: 3 });
    const engine = db.engine();
    const connect = () =>
      creds.withRetry(
        () =>
          creds.login(
            async (c) =>
              (
                await engine.connect(
                  { host: 'db', username: c.username, password: c.password },
                  { tls: { mode: 'disabled' }, timeoutMs: 1000 },
                )
              ).close(),
            isPgAuthFailure,
          ),
        isPgAuthFailure,
      );
    /** Runs a connect to its end, moving the fake clock while it waits. */
    const settle = async (p: Promise<unknown>) => {
      let done = false;
      const q = p.then(() => undefined, record).finally(() => (done = true));
      for (let i = 0; i < 120 && !done; i++) await clock.advance(1_000);
      await q;
    };
    await settle(connect());
    const token = sm.startRotation(dbArn);
    await runSteps(handler, dbArn, token, ['createSecret', 'setSecret']);
    await settle(connect());
    await runSteps(handler, dbArn, token, ['testSecret', 'finishSecret']);
    await rotate({ startRotation: (id) => sm.startRotation(id) }, handler, dbArn);
    await clock.advance(60_000);
    await settle(connect());
    db.users.get('app')!.password = 'Unknown-Pw-000';
    await settle(connect());
    await settle(connect());
    emitted.push(...lambdaLog);

    // every value the rotations created is a marker too
    const values = new Set<string>([...MARKERS]);
    for (const v of Object.keys(sm.stagesOf(dbArn))) {
      const text = (await sm.getSecretValue({ SecretId: dbArn, VersionId: v }).catch(() => undefined))?.SecretString;
      if (text) values.add(JSON.parse(text).password);
    }
    expect(emitted.length).toBeGreaterThan(100);
    const kinds = new Set(emitted.map((l) => l.split(' ')[0]));
    for (const k of ['hit', 'miss', 'stale', 'rotation', 'authRetry', 'failover', 'error']) expect(kinds.has(k)).toBe(true);
    const all = emitted.join('\n');
    for (const v of values) expect(all.includes(v)).toBe(false);
    expect(all).toMatch(/REDACTED/); // the echoed values were there to scrub
  } finally {
    for (const s of spies) s.mockRestore();
    out.mockRestore();
    errOut.mockRestore();
  }
});
