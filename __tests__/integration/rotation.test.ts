/**
 * The rotation handlers against real PostgreSQL and MariaDB servers (TLS verified against the
 * test CA) and moto's Secrets Manager server: every strategy through 10 consecutive rotations,
 * then the faults. After every rotation and every fault, the database accepts what AWSCURRENT
 * holds. Started by `npm run test:integration` (scripts/integration.sh starts the services).
 */
import { TAG, type TlsMode } from '../../lambdas/rotation/contract';
import { type DatabaseEngine, databaseStrategy } from '../../lambdas/rotation/database';
import { mysql } from '../../lambdas/rotation/engines/mysql';
import { postgres } from '../../lambdas/rotation/engines/postgres';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler, STEPS } from '../../lambdas/rotation/protocol';
import { rotate, runSteps, stepsThrough } from '../../tools/testing/rotation-driver';
import { TcpProxy } from '../support/tcp-proxy';
import {
  CA,
  createSecret,
  type DatabaseOps,
  hostilePassword,
  labels,
  type Login,
  mysqlOps,
  pgOps,
  plainPassword,
  putCurrent,
  smPort,
  staged,
  startRotation,
  uniqueName,
} from '../../tools/testing/services';

jest.setTimeout(120_000);

type StrategyName = 'single-user' | 'admin' | 'alternating-users';
const STRATEGIES: StrategyName[] = ['single-user', 'admin', 'alternating-users'];
const ROTATIONS = 10;
const service = { startRotation };

interface Case {
  kind: 'postgres' | 'mysql';
  ops: DatabaseOps;
  engine: DatabaseEngine;
}
const CASES: Array<[string, Case]> = [
  ['postgres', { kind: 'postgres', ops: pgOps, engine: postgres }],
  ['mariadb', { kind: 'mysql', ops: mysqlOps, engine: mysql }],
];

/** Every log line any handler wrote, checked for values at the end. */
const allLines: string[] = [];
const allValues = new Set<string>();

interface Fixture {
  arn: string;
  handler: (event: unknown) => Promise<void>;
  lines: string[];
  current(): Promise<Login>;
  previous(): Promise<Login | undefined>;
}

async function fixture(
  c: Case,
  strategy: StrategyName,
  opts: { username?: string; password?: string; port?: number; tags?: Record<string, string>; ca?: string; minTls?: TlsMode } = {},
): Promise<Fixture> {
  const username = opts.username ?? uniqueName(`u${strategy.replace(/[^a-z]/g, '').slice(0, 6)}`);
  const password = opts.password ?? plainPassword();
  await c.ops.createUser(username, password);
  allValues.add(password);
  const tags: Record<string, string> = { ...(opts.tags ?? {}) };
  if (strategy !== 'single-user') {
    const adminName = uniqueName(`test/${c.ops.kind}/admin`);
    const a = c.ops.admin();
    await createSecret(adminName, {
      engine: c.ops.kind,
      host: a.host,
      port: opts.port ?? a.port,
      username: a.username,
      password: a.password,
      dbname: a.dbname,
    });
    tags[TAG.adminSecret] = adminName;
  }
  const name = uniqueName(`test/${c.ops.kind}/${strategy}`);
  const arn = await createSecret(
    name,
    { engine: c.ops.kind, host: '127.0.0.1', port: opts.port ?? c.ops.port(), username, password, dbname: c.ops.dbname },
    tags,
  );
  const lines: string[] = [];
  const log = new Logger({}, (l) => {
    lines.push(l);
    allLines.push(l);
  });
  const handler = rotationHandler(
    () => databaseStrategy({ engine: c.engine, strategy, ca: opts.ca ?? CA(), timeoutMs: 3000, minTls: opts.minTls }),
    () => smPort(),
    log,
  );
  const read = async (stage: string) => {
    const v = await staged(arn, stage);
    if (v) allValues.add(v.password);
    return v as Login | undefined;
  };
  return { arn, handler, lines, current: async () => (await read('AWSCURRENT'))!, previous: () => read('AWSPREVIOUS') };
}

async function expectCurrentLogsIn(c: Case, f: Fixture): Promise<Login> {
  const cur = await f.current();
  const r = await c.ops.login(cur);
  expect({ ok: r.ok, user: r.user, tls: r.tls }).toEqual({ ok: true, user: cur.username, tls: true });
  return cur;
}

function expectCleanLabels(stages: Record<string, string[]>, token: string) {
  expect(stages[token]).toEqual(['AWSCURRENT']);
  expect(
    Object.values(stages)
      .flat()
      .filter((l) => l === 'AWSPENDING'),
  ).toEqual([]);
}

describe.each(CASES)('%s', (_, c) => {
  describe.each(STRATEGIES)('%s', (strategy) => {
    test(`${ROTATIONS} consecutive rotations: AWSCURRENT logs in after each`, async () => {
      const f = await fixture(c, strategy);
      const users = new Set<string>();
      for (let i = 0; i < ROTATIONS; i++) {
        const before = await f.current();
        const token = await rotate(service, f.handler, f.arn);
        const cur = await expectCurrentLogsIn(c, f);
        users.add(cur.username);
        expectCleanLabels(await labels(f.arn), token);
        expect(cur.password).not.toBe(before.password);
        if (strategy === 'alternating-users') {
          // The previous user keeps its password until the next rotation: no lock-out window.
          expect((await c.ops.login(before)).ok).toBe(true);
          expect(cur.username).not.toBe(before.username);
          expect(await c.ops.canRead(cur)).toBe(true);
        } else {
          expect((await c.ops.login(before)).ok).toBe(false);
          expect(cur.username).toBe(before.username);
        }
      }
      expect(users.size).toBe(strategy === 'alternating-users' ? 2 : 1);
    });

    test('hostile user name and password: rotation works and injects nothing', async () => {
      // Quotes, backslash, semicolon, comment marker; short enough for MySQL's 32 with "_clone".
      const username = `h'"\\;--${uniqueName('x').slice(2)}`;
      const f = await fixture(c, strategy, { username, password: hostilePassword() });
      for (let i = 0; i < 3; i++) {
        await rotate(service, f.handler, f.arn);
        await expectCurrentLogsIn(c, f);
      }
      expect(await c.ops.canaryIntact()).toBe(true);
    });

    test.each(STEPS.slice(0, 3))('a crash right after %s, then a retry, converges', async (last) => {
      const f = await fixture(c, strategy);
      const token = await startRotation(f.arn);
      await runSteps(f.handler, f.arn, token, stepsThrough(last));
      await runSteps(f.handler, f.arn, token);
      await expectCurrentLogsIn(c, f);
      expectCleanLabels(await labels(f.arn), token);
    });
  });

  describe('faults', () => {
    test('database down during setSecret: the step fails, AWSCURRENT still logs in, the retry succeeds', async () => {
      const proxy = new TcpProxy('127.0.0.1', c.ops.port());
      await proxy.up();
      try {
        const f = await fixture(c, 'single-user', { port: proxy.port });
        const token = await startRotation(f.arn);
        await runSteps(f.handler, f.arn, token, ['createSecret']);
        await proxy.down();
        await expect(runSteps(f.handler, f.arn, token, ['setSecret'])).rejects.toThrow(/ECONNREFUSED/);
        await proxy.up();
        await expectCurrentLogsIn(c, { ...f, current: async () => ({ ...(await f.current()), port: proxy.port }) });
        await runSteps(f.handler, f.arn, token);
        await expectCurrentLogsIn(c, f);
      } finally {
        await proxy.down();
      }
    });

    test('database stops answering: the error names the host and says connecting timed out', async () => {
      const proxy = new TcpProxy('127.0.0.1', c.ops.port());
      await proxy.up();
      try {
        const f = await fixture(c, 'single-user', { port: proxy.port });
        proxy.stalled = true;
        const token = await startRotation(f.arn);
        await runSteps(f.handler, f.arn, token, ['createSecret']);
        const err = (await runSteps(f.handler, f.arn, token, ['setSecret']).catch((e) => e)) as Error;
        expect(err.name).toBe('RotationError');
        expect(err.message).toMatch(
          new RegExp(`database 127\\.0\\.0\\.1:${proxy.port} did not answer: connecting as \\S+ timed out after 3000 ms`),
        );
        expect(err.message).not.toMatch(/^RotationError|timeout expired/);
      } finally {
        await proxy.down();
      }
    });

    if (c.kind === 'postgres') {
      test('a statement that gets no answer (a lock held on the role): named as a statement timeout', async () => {
        const f = await fixture(c, 'single-user');
        const user = (await f.current()).username;
        const s = (await import('../../tools/testing/services')).services().postgres;
        const { Client } = await import('pg');
        const blocker = new Client({
          host: s.host,
          port: s.port,
          user: s.user,
          password: s.password,
          database: s.database,
          ssl: { ca: CA(), rejectUnauthorized: true },
        });
        await blocker.connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query(`ALTER ROLE ${blocker.escapeIdentifier(user)} VALID UNTIL 'infinity'`);
          const token = await startRotation(f.arn);
          await runSteps(f.handler, f.arn, token, ['createSecret']);
          const err = (await runSteps(f.handler, f.arn, token, ['setSecret']).catch((e) => e)) as Error;
          expect(err.message).toMatch(/did not answer: a statement timed out after 3000 ms \(connected as /);
          expect(err.message).toContain(`database 127.0.0.1:${c.ops.port()}`);
        } finally {
          await blocker.query('ROLLBACK').catch(() => undefined);
          await blocker.end();
        }
        await rotate(service, f.handler, f.arn);
        await expectCurrentLogsIn(c, f);
      });
    }

    test('AWSCURRENT overwritten out of band: rotation recovers through AWSPREVIOUS', async () => {
      const f = await fixture(c, 'single-user');
      await putCurrent(f.arn, { ...(await f.current()), password: 'typed-wrong-by-an-operator' });
      expect((await c.ops.login(await f.current())).ok).toBe(false);
      await rotate(service, f.handler, f.arn);
      await expectCurrentLogsIn(c, f);
      expect(f.lines.some((l) => l.includes('changed the password with an older one'))).toBe(true);
    });

    test.each(STRATEGIES)('two rotations started at once (%s): AWSCURRENT logs in once they settle', async (strategy) => {
      const f = await fixture(c, strategy);
      const results = await Promise.allSettled([rotate(service, f.handler, f.arn), rotate(service, f.handler, f.arn)]);
      // The emulator lets the second RotateSecret replace the first's pending version (the real
      // service refuses it); whichever lost is left for the next scheduled rotation to repair.
      if (!results.some((r) => r.status === 'fulfilled')) await rotate(service, f.handler, f.arn);
      if (!(await c.ops.login(await f.current())).ok) await rotate(service, f.handler, f.arn);
      await expectCurrentLogsIn(c, f);
    });

    test('malformed secret JSON: refused before anything is written; the database keeps its password', async () => {
      const f = await fixture(c, 'single-user');
      const good = await f.current();
      await putCurrent(f.arn, '{"username": "x", "password": ');
      const token = await startRotation(f.arn);
      await expect(runSteps(f.handler, f.arn, token, ['createSecret'])).rejects.toThrow(/is not valid JSON/);
      expect((await c.ops.login(good)).ok).toBe(true);
      // Restored by an operator, the next rotation succeeds.
      await putCurrent(f.arn, good);
      await runSteps(f.handler, f.arn, token);
      await expectCurrentLogsIn(c, f);
    });
  });

  describe('a writer of the secret cannot escalate through rotation', () => {
    test('admin strategy: a value naming the admin login is refused, and the admin keeps its password', async () => {
      const f = await fixture(c, 'admin');
      const a = c.ops.admin();
      await putCurrent(f.arn, { ...(await f.current()), username: a.username, password: 'anything-at-all' });
      const token = await startRotation(f.arn);
      await runSteps(f.handler, f.arn, token, ['createSecret']);
      await expect(runSteps(f.handler, f.arn, token, ['setSecret'])).rejects.toThrow(
        /refusing to rotate .*: it is the login of admin secret/,
      );
      expect((await c.ops.login(a)).ok).toBe(true);
    });

    test('admin strategy: a user that can create users is refused', async () => {
      const f = await fixture(c, 'admin');
      const cur = await f.current();
      await c.ops.adminExec(
        c.kind === 'postgres' ? `ALTER ROLE "${cur.username}" CREATEROLE` : `GRANT CREATE USER ON *.* TO '${cur.username}'@'%'`,
      );
      const token = await startRotation(f.arn);
      await runSteps(f.handler, f.arn, token, ['createSecret']);
      await expect(runSteps(f.handler, f.arn, token, ['setSecret'])).rejects.toThrow(/it can create users or is a superuser/);
      expect((await c.ops.login(cur)).ok).toBe(true);
    });
  });

  test('alternating users: a privilege revoked from the base user is not copied back and leaves the clone', async () => {
    const f = await fixture(c, 'alternating-users');
    const base = (await f.current()).username;
    await rotate(service, f.handler, f.arn); // -> clone, with the base user's read
    expect(await c.ops.canRead(await f.current())).toBe(true);
    await c.ops.revokeRead(base);
    await rotate(service, f.handler, f.arn); // -> base
    expect(await c.ops.canRead(await f.current())).toBe(false);
    await rotate(service, f.handler, f.arn); // -> clone, matched to the base user again
    const clone = await f.current();
    expect(clone.username).toBe(`${base}_clone`);
    expect(await c.ops.canRead(clone)).toBe(false);
    await expectCurrentLogsIn(c, f);
  });

  describe('TLS', () => {
    test('verify-full refuses a server whose certificate the trust store does not know; nothing changes', async () => {
      // Node's own trust store instead of the test CA: the handshake fails, with no plaintext retry.
      const f = await fixture(c, 'single-user', { ca: '' });
      const good = await f.current();
      const token = await startRotation(f.arn);
      await runSteps(f.handler, f.arn, token, ['createSecret']);
      await expect(runSteps(f.handler, f.arn, token, ['setSecret'])).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
      expect((await c.ops.login(good)).ok).toBe(true);
    });

    test('tls=disabled (explicit per-secret opt-out) rotates over plaintext and says so in the log', async () => {
      // The function's floor (ROTATION_MIN_TLS, from the catalog) allows it, as the stack would set.
      const f = await fixture(c, 'single-user', { tags: { [TAG.tls]: 'disabled' }, minTls: 'disabled' });
      await rotate(service, f.handler, f.arn);
      await expectCurrentLogsIn(c, f);
      expect(f.lines.some((l) => l.includes('"tls":"disabled"') && l.includes('WARN'))).toBe(true);
    });
  });
});

test('postgres: a user whose default role is another (ALTER ROLE ... SET role) rotates its own password', async () => {
  const c = CASES[0][1];
  const f = await fixture(c, 'single-user');
  const user = (await f.current()).username;
  const group = uniqueName('grp');
  await c.ops.adminExec(`CREATE ROLE ${group} NOLOGIN`);
  await c.ops.adminExec(`GRANT ${group} TO "${user}"`);
  await c.ops.adminExec(`ALTER ROLE "${user}" SET role = ${group}`);
  for (let i = 0; i < 2; i++) {
    await rotate(service, f.handler, f.arn);
    const cur = await f.current();
    expect(cur.username).toBe(user);
    expect((await c.ops.login(cur)).ok).toBe(true);
  }
});

afterAll(() => {
  // No value ever reached a log line.
  expect(allLines.length).toBeGreaterThan(100);
  for (const v of allValues)
    for (const l of allLines) if (l.includes(v)) throw new Error(`a secret value appeared in a log line: ${l.slice(0, 80)}...`);
});
