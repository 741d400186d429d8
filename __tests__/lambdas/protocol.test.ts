/**
 * The rotation protocol and the database strategies against an in-memory Secrets Manager that
 * behaves like the real one, and an in-memory database. Every check and every step, retries
 * after crashes, and the guarantee that no value reaches a log line or an error.
 */
import { TAG } from '../../lambdas/rotation/contract';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler, STEPS } from '../../lambdas/rotation/protocol';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { rotate, runSteps, stepsThrough } from '../../tools/testing/rotation-driver';

const HOST = 'db.internal';
type Strategy = 'single-user' | 'admin' | 'alternating-users';

function setup(strategy: Strategy = 'single-user', opts: { username?: string; password?: string; tags?: Record<string, string> } = {}) {
  const sm = new MemorySecretsManager();
  const db = new FakeDatabase();
  const lines: string[] = [];
  const username = opts.username ?? 'app';
  const password = opts.password ?? 'Initial-Password-123';
  db.addUser(username, password, { privileges: ['SELECT ON orders'] });
  const tags: Record<string, string> = { ...(opts.tags ?? {}) };
  let adminArn: string | undefined;
  if (strategy !== 'single-user') {
    db.addUser('admin', 'Admin-Password-456', { admin: true });
    adminArn = sm.create('dev/app/db/admin', {
      value: JSON.stringify({ engine: 'postgres', host: HOST, port: 5432, username: 'admin', password: 'Admin-Password-456' }),
    });
    tags[TAG.adminSecret] = 'dev/app/db/admin';
  }
  const arn = sm.create('dev/app/db/credentials', {
    value: JSON.stringify({ engine: 'postgres', host: HOST, port: 5432, dbname: 'orders', username, password }),
    tags,
  });
  const handler = rotationHandler(
    () => databaseStrategy({ engine: db.engine(), strategy }),
    () => sm,
    new Logger({}, (l) => lines.push(l)),
  );
  const current = () => JSON.parse(sm.valueAt(arn, 'AWSCURRENT')!) as { username: string; password: string };
  const service = { startRotation: (id: string) => sm.startRotation(id) };
  return { sm, db, lines, arn, adminArn, handler, current, service, password };
}

/** The database accepts what AWSCURRENT holds: the guarantee after every fault. */
function expectCurrentWorks(s: ReturnType<typeof setup>) {
  const c = s.current();
  expect(s.db.accepts(c.username, c.password)).toBe(true);
  expect(s.db.open).toBe(0);
}

describe('protocol checks', () => {
  test('rejects an event without SecretId, token or a known step', async () => {
    const s = setup();
    await expect(s.handler({})).rejects.toThrow(/lacks SecretId or ClientRequestToken/);
    await expect(s.handler({ SecretId: s.arn, ClientRequestToken: 't', Step: 'dropTables' })).rejects.toThrow(/unknown step "dropTables"/);
  });

  test('refuses a secret whose rotation is not enabled, and writes nothing', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    s.sm.setRotationEnabled(s.arn, false);
    await expect(s.handler({ SecretId: s.arn, ClientRequestToken: token, Step: 'createSecret' })).rejects.toThrow(
      /dev\/app\/db\/credentials is not enabled for rotation/,
    );
    expect(s.sm.calls.filter((c) => c.startsWith('Put') || c.startsWith('Update'))).toEqual([]);
  });

  test('refuses a token that is not a version of the secret', async () => {
    const s = setup();
    await expect(s.handler({ SecretId: s.arn, ClientRequestToken: 'not-a-version', Step: 'createSecret' })).rejects.toThrow(
      /not a version of this secret/,
    );
  });

  test('a token that is no longer AWSPENDING must not act (a newer rotation replaced it)', async () => {
    const s = setup();
    const old = await rotate(s.service, s.handler, s.arn);
    await rotate(s.service, s.handler, s.arn);
    expect(s.sm.stagesOf(s.arn)[old]).toEqual(['AWSPREVIOUS']);
    const before = s.db.statements.length;
    // A late duplicate invocation of the first rotation must not set its (previous) password again.
    await expect(s.handler({ SecretId: s.arn, ClientRequestToken: old, Step: 'setSecret' })).rejects.toThrow(
      /not AWSPENDING \(it is AWSPREVIOUS\).*must not act/,
    );
    // A pending version whose label was removed has no stage left: the service no longer lists it.
    const stale = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, stale, ['createSecret']);
    await s.sm.updateSecretVersionStage({ SecretId: s.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: stale });
    await expect(s.handler({ SecretId: s.arn, ClientRequestToken: stale, Step: 'setSecret' })).rejects.toThrow(
      /not a version of this secret/,
    );
    expect(s.db.statements.length).toBe(before);
    expectCurrentWorks(s);
  });

  test('a token already AWSCURRENT means done: no writes', async () => {
    const s = setup();
    const token = await rotate(s.service, s.handler, s.arn);
    const calls = s.sm.calls.length;
    for (const Step of ['createSecret', 'setSecret', 'finishSecret']) await s.handler({ SecretId: s.arn, ClientRequestToken: token, Step });
    expect(s.sm.calls.slice(calls).filter((c) => !c.startsWith('Describe') && !c.startsWith('Get'))).toEqual([]);
  });
});

describe('steps', () => {
  test('createSecret stages a new password for the same user, and a repeat keeps it', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    const first = JSON.parse(s.sm.valueAt(s.arn, 'AWSPENDING')!);
    expect(first).toMatchObject({ username: 'app', host: HOST, port: 5432, dbname: 'orders' });
    expect(first.password).not.toBe(s.password);
    expect(first.password).toMatch(/^[^"'\\`/@:;?#%&$\s]{32}$/);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    expect(JSON.parse(s.sm.valueAt(s.arn, 'AWSPENDING')!).password).toBe(first.password);
    expect(s.sm.calls.filter((c) => c.startsWith('PutSecretValue'))).toHaveLength(1);
  });

  test('a whole rotation: new password works, old one fails, labels end clean', async () => {
    const s = setup();
    const before = s.sm.valueAt(s.arn, 'AWSCURRENT');
    const token = await rotate(s.service, s.handler, s.arn);
    const stages = s.sm.stagesOf(s.arn);
    expect(stages[token]).toEqual(['AWSCURRENT']);
    expect(
      Object.values(stages)
        .flat()
        .filter((l) => l === 'AWSPENDING'),
    ).toEqual([]);
    expect(s.sm.valueAt(s.arn, 'AWSPREVIOUS')).toBe(before);
    expectCurrentWorks(s);
    expect(s.db.accepts('app', s.password)).toBe(false);
  });

  test('testSecret invoked alone works: on the pending version, and on the current one as a health check', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret', 'setSecret']);
    // A new handler instance (a cold start): nothing is carried in memory between steps.
    const fresh = rotationHandler(
      () => databaseStrategy({ engine: s.db.engine(), strategy: 'single-user' }),
      () => s.sm,
      new Logger({}, () => undefined),
    );
    await expect(fresh({ SecretId: s.arn, ClientRequestToken: token, Step: 'testSecret' })).resolves.toBeUndefined();
    await runSteps(s.handler, s.arn, token, ['finishSecret']);
    await expect(fresh({ SecretId: s.arn, ClientRequestToken: token, Step: 'testSecret' })).resolves.toBeUndefined();
    // Break the current password out of band: the health check now fails.
    s.db.users.get('app')!.password = 'changed-elsewhere';
    await expect(fresh({ SecretId: s.arn, ClientRequestToken: token, Step: 'testSecret' })).rejects.toThrow(
      /does not accept the tested password/,
    );
  });

  test('a finishSecret cut between its two label moves is completed by the retry', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret', 'setSecret', 'testSecret']);
    const current = Object.entries(s.sm.stagesOf(s.arn)).find(([, st]) => st.includes('AWSCURRENT'))![0];
    await s.sm.updateSecretVersionStage({
      SecretId: s.arn,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token,
      RemoveFromVersionId: current,
    });
    expect(s.sm.stagesOf(s.arn)[token]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    await runSteps(s.handler, s.arn, token, ['finishSecret']);
    expect(s.sm.stagesOf(s.arn)[token]).toEqual(['AWSCURRENT']);
  });
});

describe('faults (the database must accept AWSCURRENT after every one)', () => {
  test.each(STEPS.slice(0, 3))('a crash right after %s, then a retry of the whole rotation', async (last) => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, stepsThrough(last));
    expectCurrentWorks_orPending(s, token);
    await runSteps(s.handler, s.arn, token);
    expectCurrentWorks(s);
    expect(s.sm.stagesOf(s.arn)[token]).toEqual(['AWSCURRENT']);
  });

  test('database down during setSecret: the step fails, nothing changes, the retry succeeds', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    s.db.down = true;
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(/ECONNREFUSED/);
    s.db.down = false;
    expectCurrentWorks(s);
    await runSteps(s.handler, s.arn, token);
    expectCurrentWorks(s);
  });

  test('connection lost while changing the password: the retry converges', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    s.db.failNextChange = true;
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(/terminated unexpectedly/);
    expect(s.db.open).toBe(0);
    await runSteps(s.handler, s.arn, token);
    expectCurrentWorks(s);
  });

  test('AWSCURRENT overwritten out of band: the previous password still changes it', async () => {
    const s = setup();
    s.sm.operatorPut(s.arn, JSON.stringify({ ...s.current(), password: 'typo-by-operator' }));
    await rotate(s.service, s.handler, s.arn);
    expectCurrentWorks(s);
    expect(s.lines.some((l) => l.includes('changed the password with an older one'))).toBe(true);
  });

  test('neither current nor previous logs in: a clear error, and the database is untouched', async () => {
    const s = setup();
    s.db.users.get('app')!.password = 'reset-by-someone';
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(
      /refuses the AWSCURRENT, the AWSPREVIOUS and recent unlabelled passwords.*see docs\/rotation\.md/,
    );
    expect(s.db.accepts('app', 'reset-by-someone')).toBe(true);
  });

  test('a rotation replaced by a newer one after its setSecret: the newer one recovers the orphaned password', async () => {
    const s = setup();
    const first = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, first, ['createSecret', 'setSecret']);
    // An operator clears the stuck label and starts again (emulators and old tooling allow this).
    await s.sm.updateSecretVersionStage({ SecretId: s.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: first });
    await rotate(s.service, s.handler, s.arn);
    expectCurrentWorks(s);
    expect(s.lines.some((l) => l.includes('"usedStage":"an unlabelled version"'))).toBe(true);
  });

  test('two rotations at once: the service refuses the second; concurrent invocations of one converge', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    expect(() => s.sm.startRotation(s.arn)).toThrow(/previous rotation isn’t complete/);
    const results = await Promise.allSettled([runSteps(s.handler, s.arn, token), runSteps(s.handler, s.arn, token)]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    // Whichever lost a race retries, as the service would.
    await runSteps(s.handler, s.arn, token);
    expectCurrentWorks(s);
  });

  test.each([
    ['not JSON', '{"username": "app", "password": '],
    ['a JSON array', '["app"]'],
    ['missing the password', JSON.stringify({ host: HOST, username: 'app' })],
    ['a port that is no port', JSON.stringify({ host: HOST, username: 'app', password: 'x-long-enough', port: 'http' })],
  ])('malformed current value (%s): refused before anything is written', async (_, value) => {
    const s = setup();
    s.sm.operatorPut(s.arn, value);
    const token = s.sm.startRotation(s.arn);
    await expect(runSteps(s.handler, s.arn, token, ['createSecret'])).rejects.toThrow(
      /dev\/app\/db\/credentials \(AWSCURRENT\) (is not valid JSON|is not a JSON object|lacks string field|has port)/,
    );
    expect(s.sm.calls.filter((c) => c.startsWith('PutSecretValue'))).toEqual([]);
  });

  test('a pending value that points at another server or user is refused', async () => {
    const s = setup();
    const token = s.sm.startRotation(s.arn);
    await s.sm.putSecretValue({
      SecretId: s.arn,
      ClientRequestToken: token,
      SecretString: JSON.stringify({ ...s.current(), host: 'evil.example.com', password: 'x'.repeat(20) }),
      VersionStages: ['AWSPENDING'],
    });
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(/never moves a secret between servers/);
    const t2 = setup();
    const token2 = t2.sm.startRotation(t2.arn);
    await t2.sm.putSecretValue({
      SecretId: t2.arn,
      ClientRequestToken: token2,
      SecretString: JSON.stringify({ ...t2.current(), username: 'postgres', password: 'x'.repeat(20) }),
      VersionStages: ['AWSPENDING'],
    });
    await expect(runSteps(t2.handler, t2.arn, token2, ['setSecret'])).rejects.toThrow(/changes one user's password only/);
    expectCurrentWorks(t2);
  });
});

/** After a crash the database accepts AWSCURRENT, or (single user, crash after setSecret) AWSPENDING: the retry's fallback path. */
function expectCurrentWorks_orPending(s: ReturnType<typeof setup>, token: string) {
  const c = s.current();
  const pending = s.sm.valueAt(s.arn, 'AWSPENDING');
  const p = pending ? JSON.parse(pending) : undefined;
  expect(
    s.db.accepts(c.username, c.password) ||
      (p && s.sm.stagesOf(s.arn)[token].includes('AWSPENDING') && s.db.accepts(p.username, p.password)),
  ).toBe(true);
}

describe('strategies', () => {
  test('admin: the admin login changes the password; the user itself needs no right to', async () => {
    const s = setup('admin');
    await rotate(s.service, s.handler, s.arn);
    expectCurrentWorks(s);
    expect(s.db.statements).toContain('ALTER ROLE app');
    expect(s.db.statements.some((x) => x.includes('CURRENT_USER'))).toBe(false);
  });

  test("admin: falls back to the admin secret's previous login", async () => {
    const s = setup('admin');
    s.sm.operatorPut(
      s.adminArn!,
      JSON.stringify({ engine: 'postgres', host: HOST, port: 5432, username: 'admin', password: 'not-the-admin-password' }),
    );
    await rotate(s.service, s.handler, s.arn);
    expectCurrentWorks(s);
  });

  test('admin: an admin secret for another server is refused', async () => {
    const s = setup('admin');
    s.sm.operatorPut(
      s.adminArn!,
      JSON.stringify({ engine: 'postgres', host: 'other.internal', username: 'admin', password: 'Admin-Password-456' }),
    );
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(
      /admin secret dev\/app\/db\/admin is for other.internal:5432/,
    );
  });

  test('admin: without an admin secret the rotation says what to configure', async () => {
    const s = setup('single-user');
    const h = rotationHandler(
      () => databaseStrategy({ engine: s.db.engine(), strategy: 'admin' }),
      () => s.sm,
      new Logger({}, () => undefined),
    );
    const token = s.sm.startRotation(s.arn);
    await runSteps(h, s.arn, token, ['createSecret']);
    await expect(runSteps(h, s.arn, token, ['setSecret'])).rejects.toThrow(/needs an admin secret; set the catalog's rotation.adminSecret/);
  });

  test('alternating users over 10 rotations: switches app <-> app_clone, privileges carried, previous login keeps working', async () => {
    const s = setup('alternating-users');
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const prev = s.current();
      await rotate(s.service, s.handler, s.arn);
      const c = s.current();
      seen.push(c.username);
      expectCurrentWorks(s);
      expect(s.db.accepts(prev.username, prev.password)).toBe(true);
      expect([...s.db.users.get(c.username)!.privileges]).toContain('SELECT ON orders');
    }
    expect(seen).toEqual(['app_clone', 'app', 'app_clone', 'app', 'app_clone', 'app', 'app_clone', 'app', 'app_clone', 'app']);
    // Only the clone is ever matched to the base user; the base user is never rewritten from the clone.
    expect(new Set(s.db.statements.filter((x) => x.startsWith('MATCH')))).toEqual(new Set(['MATCH app_clone TO app']));
  });

  test('alternating users: a user name too long for its clone is refused before anything is written', async () => {
    const s = setup('alternating-users', { username: 'u'.repeat(60) });
    const token = s.sm.startRotation(s.arn);
    await expect(runSteps(s.handler, s.arn, token, ['createSecret'])).rejects.toThrow(/longer than postgres's 63 characters/);
  });
});

describe('a writer of the secret cannot escalate through rotation', () => {
  test('admin strategy: a value naming the admin login is refused; the admin password is untouched', async () => {
    const s = setup('admin');
    s.sm.operatorPut(s.arn, JSON.stringify({ ...s.current(), username: 'admin', password: 'whatever-it-was' }));
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(
      /refusing to rotate admin: it is the login of admin secret/,
    );
    expect(s.db.accepts('admin', 'Admin-Password-456')).toBe(true);
  });

  test('admin strategy: a privileged user is refused', async () => {
    const s = setup('admin');
    s.db.addUser('dba', 'Dba-Password-789', { admin: true });
    s.sm.operatorPut(s.arn, JSON.stringify({ ...s.current(), username: 'dba', password: 'Dba-Password-789' }));
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(
      /refusing to rotate dba: it can create users or is a superuser/,
    );
    expect(s.db.accepts('dba', 'Dba-Password-789')).toBe(true);
  });

  test('alternating users: a value naming another base user (postgres -> postgres_clone) is refused', async () => {
    const s = setup('alternating-users', { tags: { [TAG.username]: 'app' } });
    s.db.addUser('postgres', 'Postgres-Password', { admin: true });
    s.sm.operatorPut(s.arn, JSON.stringify({ ...s.current(), username: 'postgres', password: 'Postgres-Password' }));
    const token = s.sm.startRotation(s.arn);
    await expect(runSteps(s.handler, s.arn, token, ['createSecret'])).rejects.toThrow(
      /names user postgres, but the catalog pins app or app_clone/,
    );
    expect(s.db.users.has('postgres_clone')).toBe(false);
  });

  test('a pinned single user cannot be swapped for another', async () => {
    const s = setup('single-user', { tags: { [TAG.username]: 'app' } });
    s.db.addUser('other', 'Other-Password-1');
    s.sm.operatorPut(s.arn, JSON.stringify({ ...s.current(), username: 'other', password: 'Other-Password-1' }));
    const token = s.sm.startRotation(s.arn);
    await expect(runSteps(s.handler, s.arn, token, ['createSecret'])).rejects.toThrow(/catalog pins app/);
  });

  test('alternating users: a privilege revoked from the base user is never copied back, and leaves the clone too', async () => {
    const s = setup('alternating-users');
    s.db.users.get('app')!.privileges.add('DELETE ON orders');
    await rotate(s.service, s.handler, s.arn); // -> app_clone (copied from app)
    expect(s.db.users.get('app_clone')!.privileges.has('DELETE ON orders')).toBe(true);
    s.db.users.get('app')!.privileges.delete('DELETE ON orders'); // a DBA revokes it from the base user
    await rotate(s.service, s.handler, s.arn); // -> app
    await rotate(s.service, s.handler, s.arn); // -> app_clone
    expect(s.db.users.get('app')!.privileges.has('DELETE ON orders')).toBe(false);
    expect(s.db.users.get('app_clone')!.privileges.has('DELETE ON orders')).toBe(false);
    expectCurrentWorks(s);
  });

  test('a TLS tag weaker than the function allows is refused before connecting', async () => {
    const s = setup('single-user', { tags: { [TAG.tls]: 'disabled' } });
    const token = s.sm.startRotation(s.arn);
    await runSteps(s.handler, s.arn, token, ['createSecret']);
    await expect(runSteps(s.handler, s.arn, token, ['setSecret'])).rejects.toThrow(
      /rotation:tls="disabled" is weaker than this function allows \(verify-full\)/,
    );
    expect(s.db.statements).toEqual([]);
  });
});

test('single user: a normal rotation makes no failed login (failed logins can lock a live account)', async () => {
  const s = setup();
  for (let i = 0; i < 3; i++) await rotate(s.service, s.handler, s.arn);
  expect(s.db.failedLogins).toBe(0);
});

describe('values never leave the handler', () => {
  test('no password appears in any log line or error, even when the driver echoes it', async () => {
    const s = setup('single-user', { password: 'Hostile\'"\\;--Password-Value' });
    await rotate(s.service, s.handler, s.arn);
    const values = [s.password, s.current().password, s.sm.valueAt(s.arn, 'AWSCURRENT')!];
    // A driver error that quotes the statement with the new password in it.
    const engine = s.db.engine();
    const leaky = {
      ...engine,
      connect: async () => {
        throw new Error(`syntax error at or near "${s.current().password}"`);
      },
    };
    const h = rotationHandler(
      () => databaseStrategy({ engine: leaky, strategy: 'single-user' }),
      () => s.sm,
      new Logger({}, (l) => s.lines.push(l)),
    );
    const token = s.sm.startRotation(s.arn);
    await runSteps(h, s.arn, token, ['createSecret']);
    const pendingPassword = JSON.parse(s.sm.valueAt(s.arn, 'AWSPENDING')!).password;
    const err = await h({ SecretId: s.arn, ClientRequestToken: token, Step: 'setSecret' }).catch((e: Error) => e);
    expect(String((err as Error).message)).toContain('[REDACTED]');
    for (const v of [...values, pendingPassword]) {
      expect(String((err as Error).message)).not.toContain(v);
      for (const line of s.lines) expect(line).not.toContain(v);
    }
    expect(s.lines.length).toBeGreaterThan(8);
    for (const line of s.lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
