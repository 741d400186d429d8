/**
 * The ECS example in docs/client.md, checked against what the stacks synthesize: the reads the
 * client makes (recorded from the client itself, through a single-user rotation window) and the
 * key use behind them are simulated with iam-simulate (the access proof's loader and simulator)
 * for the task role the example's output names, against its identity policy, the secret's policy,
 * the key's policy and the endpoint's policy; each value the example takes from the environment is
 * injected by ECS with the execution role; and what the previous example read at run time (the
 * database master, the app configuration) is denied. The docs' ticket system (the secrets and
 * service the example names), in a fixture catalog of each environment, is checked with the
 * outputs the example names (expectations derived from the synthesized JSON), and another fixture
 * with a service of the same shape is checked the same way. Nothing here reads catalogs/: a team
 * that drops the example systems keeps a green suite.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentConfig } from '../../catalogs/types';
import { databaseStrategy } from '../../lambdas/rotation/database';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler } from '../../lambdas/rotation/protocol';
import { loadStack, resolverFor, type TfJson } from '../../tools/access/model';
import { type Principal, simulation, Simulator, viaContext } from '../../tools/access/proof';
import { SecretCache } from '../../client/src/cache';
import { RotatingCredentials } from '../../client/src/credentials';
import { isPgAuthFailure } from '../../client/src/pg';
import { FakeDatabase } from '../support/fake-database';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { runSteps } from '../../tools/testing/rotation-driver';
import { synth } from '../support/synth';
import { FakeClock, FakeSdk } from '../../tools/testing/client-fakes';
import { databaseLogin, databaseSecurityGroups, environment, generatedValue } from '../support/fixtures';

/** The ticket system docs/client.md describes, as a team would write it, in one environment. */
function docsTicketSystem(name: 'dev' | 'staging' | 'production'): EnvironmentConfig {
  const host = `tickets.${name}.db.example.internal`;
  const sg = [databaseSecurityGroups(name)[0]];
  return environment(name, {
    secrets: [
      databaseLogin('ticket_db_master', 'ticket-system', 'master-credentials', {
        host,
        username: 'tickets_admin',
        databaseSecurityGroupIds: sg,
      }),
      databaseLogin(
        'ticket_db_app',
        'ticket-system',
        'app-credentials',
        { host, username: 'tickets_app', strategy: 'alternating-users', adminSecret: 'ticket_db_master', databaseSecurityGroupIds: sg },
        { ecs: [{ service: 'ticket-api', runtime: true }] },
      ),
      generatedValue('ticket_jwt_signing_key', 'ticket-system', { ecs: [{ service: 'ticket-api', inject: [{ env: 'JWT_SECRET' }] }] }),
      {
        id: 'ticket_app_config',
        service: 'ticket-system',
        component: 'app',
        type: 'config',
        description: 'Ticket system application configuration (JSON)',
        category: 'application',
        value: {
          kind: 'json',
          fields: {},
          generated: { REDIS_PASSWORD: { length: 40, format: 'alphanumeric' } },
          deployTime: ['SMTP_PASSWORD', 'CLOUDFLARE_TOKEN'],
        },
        noRotationReason: 'Mixes third-party tokens rotated at their issuers; raise its value version to rewrite',
        ecs: [
          { service: 'ticket-api', inject: ['REDIS_PASSWORD', 'SMTP_PASSWORD', 'CLOUDFLARE_TOKEN'].map((k) => ({ env: k, jsonKey: k })) },
        ],
      },
    ],
  });
}

jest.setTimeout(120_000);

const VPCE = 'vpce-0123456789abcdef0';

interface Read {
  action: string;
  stage?: string;
}

/** What a pool reads: a first connect, a rotation-watch tick, and a login refused in a single-user rotation window. */
async function recordReads(): Promise<Read[]> {
  const sm = new MemorySecretsManager();
  const db = new FakeDatabase();
  db.addUser('app', 'Initial-Pw-0001');
  const arn = sm.create('fixture/app/db', {
    value: JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, username: 'app', password: 'Initial-Pw-0001' }),
  });
  const sdk = new FakeSdk(sm);
  const clock = new FakeClock();
  const creds = new RotatingCredentials(new SecretCache({ client: sdk, clock }), arn, {}, false);
  const engine = db.engine();
  const connect = () =>
    creds.withRetry(
      () =>
        creds.login(
          async (c) =>
            (
              await engine.connect(
                { host: c.host!, port: c.port, username: c.username, password: c.password },
                { tls: { mode: 'disabled' }, timeoutMs: 1000 },
              )
            ).close(),
          isPgAuthFailure,
        ),
      isPgAuthFailure,
    );
  await connect();
  await clock.advance(60_000);
  await connect(); // the watch's DescribeSecret
  const handler = rotationHandler(
    () => databaseStrategy({ engine, strategy: 'single-user' }),
    () => sm,
    new Logger({}, () => undefined),
  );
  const token = sm.startRotation(arn);
  await runSteps(handler, arn, token, ['createSecret', 'setSecret']);
  await connect(); // refused once, then AWSPENDING
  expect(db.failedLogins).toBe(1);
  const seen = new Map(
    sdk.calls.map((c) => [`${c.api} ${c.stage ?? ''}`, { action: `secretsmanager:${c.api}`, ...(c.stage ? { stage: c.stage } : {}) }]),
  );
  return [...seen.values()];
}

interface Example {
  /** Variables holding secret ARNs the app reads at run time, and the output each comes from. */
  runtime: Array<{ variable: string; output: string }>;
  /** Variables ECS injects, and the ECS service output whose `secrets` carry them. */
  injected: Array<{ variable: string; output: string }>;
}

/** The example section of docs/client.md: its table of variables and its code. */
function exampleFromDocs(): Example & { code: string } {
  const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'client.md'), 'utf8');
  const start = doc.indexOf('## Example: the ticket API on ECS');
  expect(start).toBeGreaterThan(0);
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const ex: Example & { code: string } = { runtime: [], injected: [], code };
  for (const row of section.split('\n').filter((l) => /^\| `[A-Z_]+`/.test(l))) {
    const [vars, from] = row.split('|').slice(1, 3) as [string, string];
    const output = /output `([a-z0-9_]+)(\.secrets)?`/.exec(from);
    expect(output).not.toBeNull();
    for (const v of vars.match(/`([A-Z_]+)`/g)!.map((x) => x.slice(1, -1))) {
      if (output![2]) ex.injected.push({ variable: v, output: output![1]! });
      else ex.runtime.push({ variable: v, output: output![1]! });
    }
  }
  return ex;
}

/** Checks an example against one synthesized stack; returns how many reads were simulated. */
async function check(name: string, tf: TfJson, ex: Example, reads: Read[], deniedOutputs: string[]): Promise<number> {
  const model = loadStack(name, tf);
  const resolve = resolverFor(tf, model.account, model.region);
  const sim = new Simulator();
  const outputs = tf.output ?? {};
  const service = (out: string) => {
    expect(Object.keys(outputs)).toContain(out);
    return outputs[out].value as { taskRoleArn?: string; executionRoleArn?: string; secrets: Array<{ name: string; valueFrom: string }> };
  };
  const principal = (arn: string): Principal => {
    const role = model.roles.find((r) => r.arn === arn);
    if (!role) throw new Error(`${name}: no role ${arn} in the stack`);
    return {
      arn,
      kind: 'stack-role',
      identity: role.policies,
      viaEndpoint: !!model.endpoint && JSON.stringify(role.trust).includes('ecs-tasks.amazonaws.com'),
    };
  };
  const secretAt = (arn: string) => {
    const fact = model.secrets.find((s) => s.arnByRegion[model.region] === arn);
    if (!fact) throw new Error(`${name}: no secret ${arn} in the stack`);
    return { fact, key: model.keys.find((k) => k.arn === fact.keyByRegion[model.region]) };
  };
  const decide = async (p: Principal, action: string, secretArn: string, stage?: string) => {
    const { fact, key } = secretAt(secretArn);
    const ctx: Record<string, string> = stage ? { 'secretsmanager:VersionStage': stage } : {};
    if (p.viaEndpoint) ctx['aws:SourceVpce'] = VPCE;
    const d = await sim.decide(
      simulation(
        p,
        p.identity,
        action,
        secretArn,
        model.account,
        ctx,
        fact.resourcePolicy,
        p.viaEndpoint ? model.endpoint?.policy : undefined,
      ),
    );
    if (!d.allowed || action !== 'secretsmanager:GetSecretValue' || !key)
      return { ...d, what: `${action}${stage ? ` (${stage})` : ''} on ${fact.name}` };
    const k = await sim.decide(simulation(p, p.identity, 'kms:Decrypt', key.arn, model.account, viaContext(model.region, p), key.policy));
    return {
      allowed: k.allowed,
      decidedBy: `${d.decidedBy} | ${k.decidedBy}`,
      what: `${action}${stage ? ` (${stage})` : ''} + kms:Decrypt on ${fact.name}`,
    };
  };
  const outcome = (p: Principal, d: { allowed: boolean; decidedBy: string; what: string }) =>
    `${p.arn} ${d.what}: ${d.allowed ? 'Allowed' : 'Denied'} (${d.decidedBy})`;

  const svcOutputs = [...new Set(ex.injected.map((i) => i.output))];
  expect(svcOutputs).toHaveLength(1);
  const svc = service(svcOutputs[0]!);
  const task = principal(resolve(svc.taskRoleArn!));
  for (const r of ex.runtime) {
    const arn = resolve(outputs[r.output].value as string);
    for (const read of reads) {
      const d = await decide(task, read.action, arn, read.stage);
      expect(outcome(task, d)).toMatch(/: Allowed \(/);
    }
  }
  // What the previous example read with the task role: denied.
  for (const out of deniedOutputs) {
    const d = await decide(task, 'secretsmanager:GetSecretValue', resolve(outputs[out].value as string), 'AWSCURRENT');
    expect(outcome(task, d)).toMatch(/: Denied \(/);
  }
  // Every injected variable is one of the service's container secrets, readable by its execution role.
  const execution = principal(resolve(svc.executionRoleArn!));
  for (const i of ex.injected) {
    const entry = svc.secrets.find((s) => s.name === i.variable);
    expect({ variable: i.variable, injected: !!entry }).toEqual({ variable: i.variable, injected: true });
    const arn = /^(arn:[^:]+:secretsmanager:[^:]+:\d+:secret:[^:]+)/.exec(resolve(entry!.valueFrom))![1]!;
    const d = await decide(execution, 'secretsmanager:GetSecretValue', arn, 'AWSCURRENT');
    expect(outcome(execution, d)).toMatch(/: Allowed \(/);
  }
  return sim.count;
}

let reads: Read[];
beforeAll(async () => {
  reads = await recordReads();
});

test('the reads a pool makes: AWSCURRENT, AWSPENDING (in a rotation window) and DescribeSecret (the watch)', () => {
  expect(reads).toEqual(
    expect.arrayContaining([
      { action: 'secretsmanager:GetSecretValue', stage: 'AWSCURRENT' },
      { action: 'secretsmanager:GetSecretValue', stage: 'AWSPENDING' },
      { action: 'secretsmanager:DescribeSecret' },
    ]),
  );
  expect(reads).toHaveLength(3);
});

test("the example's code reads through the pool what its table says, and takes the rest from ECS", () => {
  const ex = exampleFromDocs();
  expect(ex.runtime.map((r) => r.variable)).toEqual(['TICKET_DB_SECRET_ARN']);
  const used = [...new Set([...ex.code.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]!))].filter((v) => v !== 'AWS_REGION');
  for (const v of used) expect([...ex.runtime, ...ex.injected].map((x) => x.variable)).toContain(v);
  for (const r of ex.runtime) expect(ex.code).toMatch(new RegExp(`secretId: process\\.env\\.${r.variable}\\b`));
  // nothing else is read from Secrets Manager in the example
  expect(ex.code).not.toMatch(/\.get(Json|String|Binary|Secret)\(/);
});

test.each(['dev', 'staging', 'production'] as const)(
  '%s: the task role can make every read of the example, and not those of the previous one',
  async (envName) => {
    const env = docsTicketSystem(envName);
    const tf = synth([env]).stacks[envName] as unknown as TfJson;
    const ex = exampleFromDocs();
    for (const o of [...ex.runtime.map((r) => r.output), ...ex.injected.map((i) => i.output)])
      expect(Object.keys(tf.output ?? {})).toContain(o);
    const simulated = await check(envName, tf, ex, reads, ['secret_ticket_db_master_arn', 'secret_ticket_app_config_arn']);
    expect(simulated).toBeGreaterThanOrEqual(reads.length + 2);
  },
);

test('a fixture catalog: a service that reads its database login at run time and gets its settings injected', async () => {
  const schedule = { afterDays: 30, window: '3h' };
  const sg = ['sg-0a1b2c3d4e5f60022'];
  const fields = { engine: 'postgres', host: 'orders.db.internal.example.com', port: 5432, dbname: 'orders' };
  const fixture: EnvironmentConfig = {
    ...environment('production'),
    readers: {},
    secrets: [
      {
        id: 'orders_db_owner',
        service: 'orders',
        component: 'postgres',
        type: 'master-credentials',
        description: 'Orders database owner; read only by the rotation functions',
        category: 'database',
        value: { kind: 'json', fields: { ...fields, username: 'orders_owner' }, deployTime: ['password'] },
        rotation: { kind: 'database', engine: 'postgres', strategy: 'single-user', schedule, databaseSecurityGroupIds: sg },
      },
      {
        id: 'orders_db_app',
        service: 'orders',
        component: 'postgres',
        type: 'app-credentials',
        description: 'Orders application login',
        category: 'database',
        value: { kind: 'json', fields: { ...fields, username: 'orders_app' }, generated: { password: {} } },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'alternating-users',
          adminSecret: 'orders_db_owner',
          schedule,
          databaseSecurityGroupIds: sg,
        },
        ecs: [{ service: 'orders-api', runtime: true }],
      },
      {
        id: 'orders_settings',
        service: 'orders',
        component: 'app',
        type: 'config',
        description: 'Orders API settings',
        category: 'application',
        value: {
          kind: 'json',
          fields: {},
          generated: { SESSION_KEY: { length: 48, format: 'alphanumeric' } },
          deployTime: ['PAYMENTS_TOKEN'],
        },
        noRotationReason: 'Third-party token rotated at its issuer',
        ecs: [
          {
            service: 'orders-api',
            inject: [
              { env: 'PAYMENTS_TOKEN', jsonKey: 'PAYMENTS_TOKEN' },
              { env: 'SESSION_KEY', jsonKey: 'SESSION_KEY' },
            ],
          },
        ],
      },
    ],
  } as EnvironmentConfig;
  const tf = synth([fixture]).stacks[fixture.name] as unknown as TfJson;
  const ex: Example = {
    runtime: [{ variable: 'ORDERS_DB_SECRET_ARN', output: 'secret_orders_db_app_arn' }],
    injected: [
      { variable: 'PAYMENTS_TOKEN', output: 'ecs_orders_api' },
      { variable: 'SESSION_KEY', output: 'ecs_orders_api' },
    ],
  };
  await check(fixture.name, tf, ex, reads, ['secret_orders_db_owner_arn', 'secret_orders_settings_arn']);
  // and the check fails where it should: the owner login is not readable at run time
  const wrong: Example = { ...ex, runtime: [{ variable: 'ORDERS_DB_SECRET_ARN', output: 'secret_orders_db_owner_arn' }] };
  await expect(check(fixture.name, tf, wrong, reads, [])).rejects.toThrow(/Denied/);
});
