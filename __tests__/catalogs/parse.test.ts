/**
 * The catalog boundary: any catalog input, however malformed, gives one clear line per problem
 * (environment, secret, field, what is allowed), exit code 1, no stack trace, nothing written.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCatalogs, SHAPE_CHECKS } from '../../catalogs/parse';
import { runSynth } from '../../app/cli';
import { ENVIRONMENTS } from '../../catalogs';
import { teamCatalogs, teamEnvironment } from '../support/fixtures';

// The fixture team's production (__tests__/support/fixtures.ts), broken one way per case.
type Mutable = any;
const production = teamEnvironment('production');
const prod = (): Mutable => structuredClone(production);
const secret = (c: Mutable, id: string) => c.secrets.find((s: Mutable) => s.id === id);

function run(inputs: unknown[]) {
  const outdir = path.join(mkdtempSync(path.join(os.tmpdir(), 'catalog-')), 'out');
  const lines: string[] = [];
  const code = runSynth(inputs, { outdir }, (l) => lines.push(l), true);
  return { code, lines, written: existsSync(outdir) };
}

const cases: Array<[string, (c: Mutable) => unknown, string, RegExp]> = [
  [
    'category typo',
    (c) => {
      secret(c, 'payments_api_key').category = 'api-key';
      return c;
    },
    'CAT-ENUM',
    /^production: secret payments_api_key: category "api-key" is not one of database, api-keys, service-accounts, application \[CAT-ENUM\] fix: did you mean "api-keys"\?$/,
  ],
  [
    'value.kind typo',
    (c) => {
      secret(c, 'payments_api_key').value = { kind: 'deploytime' };
      return c;
    },
    'CAT-ENUM',
    /^production: secret payments_api_key: value\.kind "deploytime" is not one of external, deploy-time, generated, json, binary-file .*did you mean "deploy-time"/,
  ],
  [
    'external format typo',
    (c) => {
      secret(c, 'edge_tls_key').value = { kind: 'external', format: 'binray' };
      return c;
    },
    'CAT-ENUM',
    /secret edge_tls_key: value\.format "binray" is not one of text, binary, json/,
  ],
  [
    'rotation strategy typo',
    (c) => {
      secret(c, 'billing_db').rotation.strategy = 'alternating';
      return c;
    },
    'CAT-ENUM',
    /secret billing_db: rotation\.strategy "alternating" is not one of single-user, admin, alternating-users/,
  ],
  [
    'rotation engine typo',
    (c) => {
      secret(c, 'billing_db').rotation.engine = 'postgresql';
      return c;
    },
    'CAT-ENUM',
    /rotation\.engine "postgresql" is not one of postgres, mysql, mariadb/,
  ],
  [
    'tls typo',
    (c) => {
      secret(c, 'billing_db').rotation.tls = 'verify';
      return c;
    },
    'CAT-ENUM',
    /rotation\.tls "verify" is not one of verify-full, require, disabled/,
  ],
  [
    'generated format typo',
    (c) => {
      secret(c, 'webhook_secret').rotation.format = 'base64-url';
      return c;
    },
    'CAT-ENUM',
    /rotation\.format "base64-url" is not one of password, alphanumeric, hex, base64, base64url/,
  ],
  [
    'rotation kind typo',
    (c) => {
      secret(c, 'webhook_secret').rotation.kind = 'generate';
      return c;
    },
    'CAT-ENUM',
    /rotation\.kind "generate" is not one of database, generated/,
  ],
  [
    'reader kind typo',
    (c) => {
      c.readers.partner.kind = 'acount';
      return c;
    },
    'CAT-ENUM',
    /^production: reader partner: kind "acount" is not one of account, organization, iam-role/,
  ],
  [
    'environment name typo',
    (c) => {
      c.name = 'prod';
      return c;
    },
    'CAT-ENUM',
    /^prod: catalog: name "prod" is not one of dev, staging, production/,
  ],
  [
    'generator format typo',
    (c) => {
      secret(c, 'session_key').value.generator.format = 'alnum';
      return c;
    },
    'CAT-ENUM',
    /value\.generator\.format "alnum" is not one of password, alphanumeric/,
  ],
  [
    'missing description',
    (c) => {
      delete secret(c, 'billing_db').description;
      return c;
    },
    'CAT-REQUIRED',
    /^production: secret billing_db: description is required \[CAT-REQUIRED\] fix: set description/,
  ],
  [
    'missing breakGlass',
    (c) => {
      delete c.breakGlass;
      return c;
    },
    'CAT-REQUIRED',
    /^production: catalog: breakGlass is required/,
  ],
  [
    'missing rotation schedule',
    (c) => {
      delete secret(c, 'billing_db').rotation.schedule;
      return c;
    },
    'CAT-REQUIRED',
    /rotation\.schedule is required/,
  ],
  [
    'misspelt field',
    (c) => {
      const s = secret(c, 'billing_db');
      s.replica = ['us-west-2'];
      return c;
    },
    'CAT-UNKNOWN-FIELD',
    /secret billing_db: unknown field "replica" .*did you mean "replicas"/,
  ],
  [
    'misspelt nested field',
    (c) => {
      secret(c, 'billing_db').rotation.schedule.afterDay = 3;
      return c;
    },
    'CAT-UNKNOWN-FIELD',
    /unknown field "rotation\.schedule\.afterDay".*"afterDays"/,
  ],
  [
    'number as a string',
    (c) => {
      secret(c, 'billing_db').recoveryWindowDays = '30';
      return c;
    },
    'CAT-SHAPE',
    /recoveryWindowDays is "30"; expected number/,
  ],
  [
    'replicas as a string',
    (c) => {
      secret(c, 'billing_db').replicas = 'us-west-2';
      return c;
    },
    'CAT-SHAPE',
    /replicas is "us-west-2"; expected a list/,
  ],
  [
    'a null secret',
    (c) => {
      c.secrets.push(null);
      return c;
    },
    'CAT-SHAPE',
    /secrets\[\d+\]: \(the whole entry\) is null/,
  ],
  [
    'a secret without id',
    (c) => {
      const s = secret(c, 'billing_db');
      delete s.id;
      return c;
    },
    'CAT-REQUIRED',
    /secrets\[\d+\]: id is required/,
  ],
  [
    'secrets not a list',
    (c) => {
      c.secrets = {};
      return c;
    },
    'CAT-SHAPE',
    /catalog: secrets is an object; expected a list/,
  ],
  [
    'a catalog that is not an object',
    () => 'production',
    'CAT-SHAPE',
    /^catalog #1: catalog: \(the whole entry\) is "production"; expected an object/,
  ],
  [
    'JSON field of a wrong type',
    (c) => {
      secret(c, 'billing_db').value.fields.port = { n: 1 };
      return c;
    },
    'CAT-SHAPE',
    /value\.fields\.port is an object/,
  ],
  [
    'tag value not a string',
    (c) => {
      c.tags = { Team: 5 };
      return c;
    },
    'CAT-SHAPE',
    /tags\.Team is number 5; expected string/,
  ],
];

describe('catalog shape is checked at the boundary', () => {
  test.each(cases)('%s', (_t, mutate, rule, line) => {
    const { code, lines, written } = run([mutate(prod())]);
    expect(code).toBe(1);
    expect(written).toBe(false);
    expect(lines[0]).toMatch(/nothing was written/);
    const hits = lines.filter((l) => l.includes(`[${rule}]`)).map((l) => l.trim());
    expect(hits.some((l) => line.test(l))).toBe(true);
    // One line per problem, no stack trace.
    expect(lines.some((l) => /^\s+at /.test(l))).toBe(false);
  });

  test('every problem of every catalog is listed, each under its environment', () => {
    const a = prod();
    secret(a, 'payments_api_key').category = 'api-key';
    secret(a, 'billing_db').rotation.strategy = 'alternating';
    const b: Mutable = structuredClone(teamCatalogs()[0]);
    b.secrets[0].category = 'db';
    const { problems } = parseCatalogs([a, b]);
    expect(problems.map((p) => [p.environment, p.secretId, p.rule])).toEqual([
      ['production', 'billing_db', 'CAT-ENUM'],
      ['production', 'payments_api_key', 'CAT-ENUM'],
      ['dev', 'orders_db_master', 'CAT-ENUM'],
    ]);
  });

  test('the codes these cases get are exactly the listed shape checks (no code unlisted, none listed that nothing emits)', () => {
    const emitted = new Set(cases.flatMap(([, mutate]) => parseCatalogs([mutate(prod())]).problems.map((p) => p.rule)));
    expect([...emitted].sort()).toEqual(SHAPE_CHECKS.map((c) => c.id).sort());
    expect([...emitted].sort()).toEqual([...new Set(cases.map(([, , rule]) => rule))].sort());
    for (const c of SHAPE_CHECKS) expect([c.id, c.meaning.length > 20, c.fix.length > 10]).toEqual([c.id, true, true]);
  });

  test('the shipped catalogs fit the schema', () => {
    expect(parseCatalogs(ENVIRONMENTS).problems).toEqual([]);
  });

  test('an unexpected error is one line and a hint, with the trace only on request', () => {
    const lines: string[] = [];
    const code = runSynth([production], { outdir: '\0bad' }, (l) => lines.push(l), false);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^Synth failed: /);
    expect(lines.some((l) => /\n\s+at /.test(l) || /^\s+at /.test(l))).toBe(false);
  });
});

describe('the refusal names the catalog files', () => {
  test('the first line names each environment with its catalog file', () => {
    const c = prod();
    secret(c, 'payments_api_key').category = 'api-key';
    const { lines } = run([c]);
    expect(lines[0]).toBe('Synth refused: 1 problem(s) in the catalog of production (catalogs/production.ts); nothing was written.');
  });
});
