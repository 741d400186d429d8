/**
 * Every operator-facing rotation error against the runbook table of docs/rotation.md: the table is parsed,
 * each failure is provoked through the real handler (in-memory Secrets Manager and database), and
 * its message must match exactly one row's "message says" text. Every row must be reached, so a
 * reworded message or a row without a cause fails here. Messages never repeat the error's name
 * (`RotationError: ...`), name the secret and, for databases that stop answering, the host and
 * whether connecting or a statement timed out.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TAG } from '../../lambdas/rotation/contract';
import { type DatabaseEngine, databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler, type Step } from '../../lambdas/rotation/protocol';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { runSteps } from '../../tools/testing/rotation-driver';

interface Row {
  says: string;
  patterns: RegExp[];
}

/** The runbook table: one row per message, its backticked fragments (`...` matches anything). */
function runbookRows(): Row[] {
  const page = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'rotation.md'), 'utf8');
  const start = page.indexOf('| message says | cause | fix |');
  expect(start).toBeGreaterThan(0);
  const lines = page.slice(start).split('\n').slice(2);
  const rows: Row[] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const says = line.split('|')[1].trim();
    const fragments = [...says.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(fragments.length).toBeGreaterThan(0);
    rows.push({
      says,
      patterns: fragments.map(
        (f) =>
          new RegExp(
            f
              .split('...')
              .map((p) => p.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*'),
          ),
      ),
    });
  }
  return rows;
}

const HOST = 'db.internal';
const NAME = 'prod/app/db/credentials';

function setup(
  opts: {
    strategy?: 'single-user' | 'admin';
    tags?: Record<string, string>;
    value?: string | null;
    engine?: (db: FakeDatabase) => DatabaseEngine;
  } = {},
) {
  const sm = new MemorySecretsManager();
  const db = new FakeDatabase();
  db.addUser('app', 'Initial-Password-123');
  const tags: Record<string, string> = { ...(opts.tags ?? {}) };
  if (opts.strategy === 'admin') {
    db.addUser('admin', 'Admin-Password-456', { admin: true });
    sm.create('prod/app/db/admin', {
      value: JSON.stringify({ engine: 'postgres', host: HOST, port: 5432, username: 'admin', password: 'Admin-Password-456' }),
    });
    tags[TAG.adminSecret] = 'prod/app/db/admin';
  }
  const value =
    opts.value === undefined
      ? JSON.stringify({ engine: 'postgres', host: HOST, port: 5432, username: 'app', password: 'Initial-Password-123' })
      : opts.value;
  const arn = sm.create(NAME, { value: value ?? undefined, tags });
  const engine = opts.engine ? opts.engine(db) : db.engine();
  const handler = rotationHandler(
    () => databaseStrategy({ engine, strategy: opts.strategy ?? 'single-user' }),
    () => sm,
    new Logger({}, () => undefined),
  );
  const fail = async (steps: Step[], token = sm.startRotation(arn)): Promise<Error> => {
    try {
      await runSteps(handler, arn, token, steps);
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected the rotation to fail');
  };
  return { sm, db, arn, fail };
}

const ALL: Step[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Each operator-facing failure, provoked; `row` is the "message says" text it must match. */
const CASES: Array<[string, string, () => Promise<Error>]> = [
  [
    'database refuses connections',
    '`ECONNREFUSED`, `ETIMEDOUT`',
    async () => {
      const s = setup();
      s.db.down = true;
      return s.fail(ALL);
    },
  ],
  [
    'database stops answering before login',
    '`did not answer: connecting as ... timed out`',
    async () => {
      const s = setup();
      s.db.stalls = 'connect';
      return s.fail(ALL);
    },
  ],
  [
    'database stops answering a statement',
    '`did not answer: a statement timed out`',
    async () => {
      const s = setup();
      s.db.stalls = 'statement';
      return s.fail(ALL);
    },
  ],
  [
    'testSecret before createSecret',
    '`createSecret has not run`',
    async () => {
      const s = setup();
      return s.fail(['testSecret']);
    },
  ],
  [
    'setSecret before createSecret',
    '`createSecret has not run`',
    async () => {
      const s = setup();
      return s.fail(['setSecret']);
    },
  ],
  [
    'a secret without a value',
    '`has no AWSCURRENT value`',
    async () => {
      const s = setup({ value: null });
      return s.fail(ALL);
    },
  ],
  [
    'an untrusted certificate',
    '`self-signed certificate`, `unable to verify`',
    async () => {
      const s = setup({
        engine: (db) => ({
          ...db.engine(),
          connect: async () => {
            throw Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
          },
        }),
      });
      return s.fail(ALL);
    },
  ],
  [
    'password changed outside rotation',
    '`refuses the AWSCURRENT, the AWSPREVIOUS and recent unlabelled passwords`',
    async () => {
      const s = setup();
      s.db.users.get('app')!.password = 'Changed-By-Someone';
      return s.fail(ALL);
    },
  ],
  [
    'wrong admin secret',
    '`neither the current nor the previous login of admin secret`',
    async () => {
      const s = setup({ strategy: 'admin' });
      s.db.users.get('admin')!.password = 'Changed-By-Someone';
      return s.fail(ALL);
    },
  ],
  [
    'malformed JSON',
    '`is not valid JSON`, `lacks string field(s)`',
    async () => {
      const s = setup({ value: '{"username": "app", "password": ' });
      return s.fail(ALL);
    },
  ],
  [
    'fields missing',
    '`is not valid JSON`, `lacks string field(s)`',
    async () => {
      const s = setup({ value: JSON.stringify({ username: 'app' }) });
      return s.fail(ALL);
    },
  ],
  [
    'tags edited by hand',
    '`generator rules ... are unsafe`',
    async () => {
      const s = setup({ tags: { [TAG.length]: '4' } });
      return s.fail(ALL);
    },
  ],
];

describe('runbook table', () => {
  const rows = runbookRows();
  const reached = new Set<string>();

  test.each(CASES)('%s: the message matches its runbook row and no other', async (_, row, provoke) => {
    const err = await provoke();
    const matching = rows.filter((r) => r.patterns.some((p) => p.test(err.message))).map((r) => r.says);
    expect(matching).toEqual([row]);
    reached.add(row);
    // the error's name is not repeated in its message
    expect(['RotationError', 'RotationStepFailed']).toContain(err.name);
    expect(err.message).not.toMatch(/^(RotationError|RotationStepFailed|Error):/);
    expect(err.message).not.toContain('RotationError');
    if (err.name === 'RotationError') expect(err.message).toContain(`secret ${NAME}`);
    expect(err.message).not.toMatch(/Initial-Password-123|Admin-Password-456/);
  });

  test('the timeouts name the host and say what timed out', async () => {
    for (const [stalls, phase] of [
      ['connect', /connecting as app timed out after 5000 ms/],
      ['statement', /a statement timed out after 5000 ms \(connected as app\)/],
    ] as const) {
      const s = setup();
      s.db.stalls = stalls;
      const err = await s.fail(ALL);
      expect(err.message).toContain(`database ${HOST}:5432 did not answer`);
      expect(err.message).toMatch(phase);
      expect(err.message).not.toMatch(/timeout expired|Query read timeout/);
    }
  });

  test('a step before createSecret does not send the operator to write AWSPENDING by hand', async () => {
    const s = setup();
    const err = await s.fail(['testSecret']);
    expect(err.message).not.toMatch(/put-secret-value/);
    expect(err.message).toMatch(/rotate-secret/);
  });

  test('every row of the table is reached by some failure', () => {
    expect([...reached].sort()).toEqual(rows.map((r) => r.says).sort());
  });
});
