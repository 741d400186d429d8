/**
 * Secrets, keys, sharing and values, statement by statement, on the fixture team
 * (__tests__/support/fixtures.ts). What must hold for any catalog (every secret under its
 * category key, every reader's grant exactly its secrets, deny by default, ...) is checked over
 * the shipped catalogs by __tests__/catalogs/invariants.test.ts; here are the exact documents.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../app/app';
import type { EnvironmentConfig } from '../../catalogs/types';
import { VALUE_VERSION_TAG, VALUE_WRITTEN_TAG } from '../../plan/values';
import { FIXTURE_ACCOUNTS, FIXTURE_ORG, fixtureName, scaledFixture, teamCatalogs, teamEnvironment } from '../support/fixtures';
import { only, parsePolicy, resources, synth, type Synthesized, type TfJson } from '../support/synth';

const valuesScript = require('../../tools/ci/values.cjs');

const team = teamCatalogs();
const envOf = (name: string) => team.find((e) => e.name === name)!;
const production = envOf('production');
const nameOf = (id: string, env: EnvironmentConfig = production) => fixtureName(env, env.secrets.find((s) => s.id === id)!);
const root = (account: string) => `arn:aws:iam::${account}:root`;
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const PROD = FIXTURE_ACCOUNTS.production;

let out: Synthesized;
let prod: TfJson;
beforeAll(() => {
  out = synth(team);
  prod = out.stacks.production;
});

const ref = (type: string, body: any, stack = prod) => resources(stack, type).find(([, b]) => b === body)![0];
const secretByName = (name: string, stack = prod) => only(stack, 'aws_secretsmanager_secret', (b) => b.name === name);
const secretRef = (name: string, stack = prod) =>
  `\${aws_secretsmanager_secret.${ref('aws_secretsmanager_secret', secretByName(name, stack), stack)}.arn}`;
const keyByAlias = (alias: string, stack = prod) => {
  const aliasBody = only(stack, 'aws_kms_alias', (b) => b.name === alias && !b.region);
  const keyName = /aws_kms_key\.([^.]+)\.key_id/.exec(aliasBody.target_key_id)![1];
  return { name: keyName, body: stack.resource!.aws_kms_key[keyName], arn: `\${aws_kms_key.${keyName}.arn}` };
};
const policyOf = (name: string, stack = prod) =>
  parsePolicy(only(stack, 'aws_secretsmanager_secret_policy', (b) => b.secret_arn === secretRef(name, stack)).policy);

describe('production secrets (fixture team)', () => {
  test('each category of secret under its own key; the AWS-managed-key secret under none', () => {
    expect(secretByName(nameOf('orders_db_master')).kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/database').arn);
    expect(secretByName(nameOf('payments_api_key')).kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/api-keys').arn);
    expect(secretByName(nameOf('webhook_secret')).kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/service-accounts').arn);
    expect(secretByName(nameOf('session_key')).kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/application').arn);
    expect(secretByName(nameOf('metrics_key')).kms_key_id).toBeUndefined();
    expect(nameOf('metrics_key')).toBe('prod/legacy/metrics-key');
    for (const [, s] of resources(prod, 'aws_secretsmanager_secret')) expect(s.recovery_window_in_days).toBe(30);
  });

  test('replicated secrets live in each replica region under the category key replica there (SM-1)', () => {
    const replicas = resources(prod, 'aws_kms_replica_key').map(([n, b]) => [n, b] as const);
    expect(replicas.map(([, b]) => b.region).sort()).toEqual(['eu-west-1', 'us-west-2']);
    const database = keyByAlias('alias/secrets-platform/prod/database');
    expect(database.body.multi_region).toBe(true);
    const replicaRef = (region: string) => `\${aws_kms_replica_key.${replicas.find(([, b]) => b.region === region)![0]}.arn}`;
    for (const [, b] of replicas) expect(b.primary_key_arn).toBe(database.arn);
    expect(secretByName(nameOf('orders_db_master')).replica).toEqual([
      { region: 'us-west-2', kms_key_id: replicaRef('us-west-2') },
      { region: 'eu-west-1', kms_key_id: replicaRef('eu-west-1') },
    ]);
    expect(secretByName(nameOf('orders_db_app')).replica).toEqual([{ region: 'us-west-2', kms_key_id: replicaRef('us-west-2') }]);
    expect(only(prod, 'aws_kms_alias', (b) => b.region === 'eu-west-1').name).toBe('alias/secrets-platform/prod/database');
    const west = parsePolicy(replicas.find(([, b]) => b.region === 'eu-west-1')![1].policy);
    expect(west.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices').Condition.StringEquals['kms:ViaService']).toEqual([
      'secretsmanager.eu-west-1.amazonaws.com',
    ]);
  });

  test('key policy: Secrets Manager use only on behalf of the account, decrypt for exactly the named readers', () => {
    const doc = parsePolicy(keyByAlias('alias/secrets-platform/prod/api-keys').body.policy);
    const via = doc.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices');
    expect(via.Principal).toEqual({ AWS: root(PROD) });
    expect(via.Condition.StringEquals).toEqual({ 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'], 'kms:CallerAccount': PROD });
    const cross = doc.Statement.filter((s: any) => s.Sid.startsWith('CrossAccountDecrypt'));
    // Only the partner reads an api-keys secret; the metrics key is under the AWS-managed key.
    expect(cross).toEqual([
      {
        Sid: `CrossAccountDecrypt${FIXTURE_ACCOUNTS.partner}`,
        Effect: 'Allow',
        Principal: { AWS: root(FIXTURE_ACCOUNTS.partner) },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': FIXTURE_ACCOUNTS.partner },
          ArnLike: { 'aws:PrincipalArn': [role(FIXTURE_ACCOUNTS.partner, 'partner-gateway')] },
        },
      },
    ]);
    expect(JSON.stringify(doc)).not.toContain(FIXTURE_ACCOUNTS.apps);
    // The IAM-role reader of this account decrypts through Secrets Manager by the key policy (no stack writes into its role).
    expect(doc.Statement.find((s: any) => s.Sid === 'NamedRolesOfThisAccountThroughSecretsManager')).toEqual({
      Sid: 'NamedRolesOfThisAccountThroughSecretsManager',
      Effect: 'Allow',
      Principal: { AWS: [role(PROD, 'orders-reports-lambda')] },
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': PROD } },
    });
    const database = parsePolicy(keyByAlias('alias/secrets-platform/prod/database').body.policy);
    expect(database.Statement.map((s: any) => s.Sid)).toContain(`CrossAccountDecrypt${FIXTURE_ACCOUNTS.apps}`);
    const org = parsePolicy(keyByAlias('alias/secrets-platform/prod/service-accounts').body.policy);
    expect(org.Statement.find((s: any) => s.Sid?.startsWith('OrganizationDecrypt')).Condition.StringEquals['aws:PrincipalOrgID']).toBe(
      FIXTURE_ORG,
    );
  });

  test('secret resource policy: named roles of the consumer account, current version only, then deny by default', () => {
    const name = nameOf('payments_api_key');
    const policy = only(prod, 'aws_secretsmanager_secret_policy', (b) => b.secret_arn === secretRef(name));
    expect(policy.block_public_policy).toBe(true);
    const doc = parsePolicy(policy.policy);
    const partner = FIXTURE_ACCOUNTS.partner;
    expect(doc.Statement.slice(0, 2)).toEqual([
      {
        Sid: `ReadCurrent${partner}`,
        Effect: 'Allow',
        Principal: { AWS: root(partner) },
        Action: 'secretsmanager:GetSecretValue',
        Resource: secretRef(name),
        Condition: {
          ArnLike: { 'aws:PrincipalArn': [role(partner, 'partner-gateway')] },
          StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' },
        },
      },
      {
        Sid: `Describe${partner}`,
        Effect: 'Allow',
        Principal: { AWS: root(partner) },
        Action: 'secretsmanager:DescribeSecret',
        Resource: secretRef(name),
        Condition: { ArnLike: { 'aws:PrincipalArn': [role(partner, 'partner-gateway')] } },
      },
    ]);
    // The IAM-role reader of this account: named in the policy, every stage; nothing written into its role.
    expect(doc.Statement[2]).toEqual({
      Sid: 'ReadByNamedRolesOfThisAccount',
      Effect: 'Allow',
      Principal: { AWS: [role(PROD, 'orders-reports-lambda')] },
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: secretRef(name),
    });
    // Value reads: the partner's role, the IAM-role reader and break-glass; never a pipeline role (V1, V7).
    const readDeny = doc.Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamed');
    expect(readDeny).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: secretRef(name),
    });
    expect(readDeny.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(
      [role(partner, 'partner-gateway'), role(PROD, 'orders-reports-lambda'), role(PROD, 'secrets-platform-break-glass')].sort(),
    );
    expect(readDeny.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
    // Writes: the values step (a deploy-time value) and the operator; management: the deploy role too; never a deploy-role write (V1).
    const writers = doc.Statement.find((x: any) => x.Sid === 'DenyValueWritesToUnnamed').Condition.ArnNotLike['aws:PrincipalArn'];
    expect(writers).toEqual([
      role(PROD, 'secrets-platform-break-glass'),
      role(PROD, 'secrets-platform-operator'),
      role(PROD, 'secrets-platform-values'),
    ]);
    expect(doc.Statement.find((x: any) => x.Sid === 'DenyManagementToUnnamed').Condition.ArnNotLike['aws:PrincipalArn']).toContain(
      role(PROD, 'secrets-platform-deploy'),
    );
    // An organisation reader exempts the organisation, but never this account's other principals.
    const hook = policyOf(nameOf('webhook_secret'));
    expect(hook.Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamed').Condition.StringNotEquals).toEqual({
      'aws:PrincipalOrgID': [FIXTURE_ORG],
    });
    expect(hook.Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamedInThisAccount').Condition.StringEquals).toEqual({
      'aws:PrincipalAccount': PROD,
    });
  });

  test('the database master is shared with no other account; the application login is', () => {
    const allows = (name: string) => policyOf(name).Statement.filter((x: any) => x.Effect === 'Allow');
    expect(allows(nameOf('orders_db_master'))).toEqual([]);
    // The rotation roles, under the platform's path, read it.
    expect(
      policyOf(nameOf('orders_db_master')).Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamed').Condition.ArnNotLike[
        'aws:PrincipalArn'
      ],
    ).toEqual(
      [
        role(PROD, 'secrets-platform/prod-secrets-rotation-postgres-alternating-users-role'),
        role(PROD, 'secrets-platform/prod-secrets-rotation-postgres-single-user-role'),
        role(PROD, 'secrets-platform-break-glass'),
      ].sort(),
    );
    expect(allows(nameOf('orders_db_app')).map((s: any) => s.Principal.AWS)).toEqual([
      root(FIXTURE_ACCOUNTS.apps),
      root(FIXTURE_ACCOUNTS.apps),
    ]);
  });

  test('each consumer account gets the exact IAM policy to attach on its side', () => {
    expect(prod.output!.consumer_policies_partner.value).toHaveLength(1);
    const doc = parsePolicy(prod.output!.consumer_policies_partner.value[0]);
    expect(doc.Statement).toEqual([
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: [secretRef(nameOf('payments_api_key'))],
      },
      {
        Sid: 'DecryptThroughSecretsManager',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: [keyByAlias('alias/secrets-platform/prod/api-keys').arn],
        Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
      },
    ]);
    // A replicated secret: the replica by name pattern, decrypt in both regions.
    const apps = parsePolicy(prod.output!.consumer_policies_apps.value[0]);
    expect(apps.Statement[0].Resource).toEqual([
      secretRef(nameOf('orders_db_app')),
      `arn:aws:secretsmanager:us-west-2:${PROD}:secret:${nameOf('orders_db_app')}-??????`,
    ]);
    expect(apps.Statement[1].Condition.StringEquals['kms:ViaService']).toEqual([
      'secretsmanager.us-east-1.amazonaws.com',
      'secretsmanager.us-west-2.amazonaws.com',
    ]);
  });

  test('ECS: execution role injects, task role reads at run time, each scoped to its own secrets (ECS-1)', () => {
    const roles = Object.fromEntries(resources(prod, 'aws_iam_role').map(([n, b]) => [n, b]));
    const exec = Object.entries(roles).find(([, b]) => b.name === 'prod-orders-api-ecs-execution')!;
    const task = Object.entries(roles).find(([, b]) => b.name === 'prod-orders-api-ecs-task')!;
    expect(exec[0]).not.toBe(task[0]);
    const trust = parsePolicy(exec[1].assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(trust.Condition.StringEquals['aws:SourceAccount']).toBe(PROD);
    const inline = (roleName: string) =>
      parsePolicy(only(prod, 'aws_iam_role_policy', (b) => b.role === `\${aws_iam_role.${roleName}.name}`).policy);
    const execDoc = inline(exec[0]);
    const read = execDoc.Statement.find((x: any) => x.Sid === 'ReadSecrets');
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
    expect(read.Resource.sort()).toEqual([secretRef(nameOf('session_key')), secretRef(nameOf('orders_config'))].sort());
    expect(execDoc.Statement.find((x: any) => x.Sid === 'DecryptThroughSecretsManager').Condition.StringEquals['kms:ViaService']).toEqual([
      'secretsmanager.us-east-1.amazonaws.com',
    ]);
    expect(execDoc.Statement.find((x: any) => x.Sid === 'PullImagesFromNamedRepositories').Resource).toEqual([
      `arn:aws:ecr:us-east-1:${PROD}:repository/orders-api`,
    ]);
    expect(execDoc.Statement.find((x: any) => x.Sid === 'WriteServiceLogs').Resource).toBe(
      `arn:aws:logs:us-east-1:${PROD}:log-group:/ecs/prod-orders-api:log-stream:*`,
    );
    expect(execDoc.Statement.find((x: any) => x.Sid === 'EcrAuthorizationToken')).toMatchObject({
      Action: 'ecr:GetAuthorizationToken',
      Resource: '*',
    });
    // The API reads its application login (and its replica), never the master.
    const taskDoc = inline(task[0]);
    expect(taskDoc.Statement[0].Resource).toEqual([
      secretRef(nameOf('orders_db_app')),
      `arn:aws:secretsmanager:us-west-2:${PROD}:secret:${nameOf('orders_db_app')}-??????`,
    ]);
    // A service that only reads at run time still gets an execution role (image, logs), reading no secret.
    const worker = inline(Object.entries(roles).find(([, b]) => b.name === 'prod-orders-worker-ecs-execution')![0]);
    expect(worker.Statement.map((s: any) => s.Sid)).toEqual([
      'EcrAuthorizationToken',
      'PullImagesFromNamedRepositories',
      'WriteServiceLogs',
    ]);
  });

  test('ECS valueFrom strings, including the JSON-key form arn:key::', () => {
    const api = prod.output!.ecs_orders_api.value;
    const config = secretRef(nameOf('orders_config'));
    expect(api.secrets).toEqual([
      { name: 'SESSION_KEY', valueFrom: secretRef(nameOf('session_key')) },
      { name: 'SMTP_PASSWORD', valueFrom: `${config}:SMTP_PASSWORD::` },
      { name: 'CACHE_PASSWORD', valueFrom: `${config}:CACHE_PASSWORD::` },
    ]);
    expect(api.executionRoleArn).toMatch(/aws_iam_role\..*execution-role.*\.arn/);
    expect(api.taskRoleArn).toMatch(/aws_iam_role\..*task-role.*\.arn/);
  });

  test('dev (the team shares nothing from dev) names only roles of its own account, and replicates nothing', () => {
    const dev = out.stacks.dev;
    for (const [, p] of resources(dev, 'aws_secretsmanager_secret_policy')) {
      const allowed = parsePolicy(p.policy).Statement.filter((x: any) => x.Effect === 'Allow');
      expect(allowed.map((x: any) => x.Sid).filter((sid: string) => sid !== 'ReadByNamedRolesOfThisAccount')).toEqual([]);
      for (const x of allowed)
        expect(x.Principal.AWS.every((a: string) => a.startsWith(`arn:aws:iam::${FIXTURE_ACCOUNTS.dev}:role/`))).toBe(true);
    }
    expect(resources(dev, 'aws_kms_replica_key')).toHaveLength(0);
    for (const [, s] of resources(dev, 'aws_secretsmanager_secret')) expect(s.replica).toEqual([]);
    // The IAM-role reader is named in its one secret's policy; no stack writes into its role.
    expect(resources(dev, 'aws_iam_role_policy').filter(([, b]) => b.role === 'orders-reports-lambda')).toHaveLength(0);
    const named = resources(dev, 'aws_secretsmanager_secret_policy').filter(([, p]) => p.policy.includes(':role/orders-reports-lambda"'));
    expect(named.map(([, p]) => p.secret_arn)).toEqual([secretRef(nameOf('payments_api_key', envOf('dev')), dev)]);
  });

  test('a dev binary file is named by path and SHA-256 in the values manifest, never copied into the output', () => {
    const manifest = JSON.parse(out.files['stacks/dev/values.json']);
    const entry = manifest.secrets.find((x: any) => x.write.type === 'binary');
    const bytes = readFileSync(path.join(REPO_ROOT, 'fixtures', 'dev-partner-ca.der'));
    expect(entry.write).toEqual({
      type: 'binary',
      file: 'fixtures/dev-partner-ca.der',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(Object.keys(out.files).filter((f) => f.endsWith('.der'))).toEqual([]);
  });
});

/**
 * V1-V4 (docs/values.md): Terraform writes and reads no value; the values step writes what the
 * manifest lists; rotation writes the first value of what it generates. Checked on the fixture
 * team and on a fixture with every value kind and rotation (for any catalog: the
 * `no-values-in-output` and `values-step-accepts-manifest` invariants).
 */
describe('value modes', () => {
  const fixture = (): EnvironmentConfig => {
    const env = teamEnvironment('staging');
    const base = {
      service: 'svc',
      component: 'c',
      description: 'fixture',
      category: 'application' as const,
      noRotationReason: 'a fixture of every value kind, not rotated',
    };
    env.secrets.push(
      { ...base, id: 'fx_text', type: 'text', value: { kind: 'deploy-time', variable: 'fx_custom_name', version: 3 } },
      {
        ...base,
        id: 'fx_gen',
        type: 'gen',
        value: { kind: 'generated', generator: { length: 20, format: 'password', excludeCharacters: 'xyz' } },
      },
      {
        ...base,
        id: 'fx_gen_rotated',
        type: 'gen-rotated',
        value: { kind: 'generated' },
        rotation: { kind: 'generated', format: 'hex', length: 64, schedule: { afterDays: 30 } },
        noRotationReason: undefined,
      },
      {
        ...base,
        id: 'fx_json_key_rotated',
        type: 'json-key',
        value: { kind: 'json', fields: { url: 'https://x' }, generated: { TOKEN: { length: 40 } }, deployTime: ['Other_Key'] },
        rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'TOKEN', schedule: { afterDays: 30 } },
        noRotationReason: undefined,
      },
      { ...base, id: 'fx_ext', type: 'ext', value: { kind: 'external', format: 'text' } },
    );
    return env;
  };
  let fx: Synthesized;
  beforeAll(() => {
    fx = synth([fixture()]);
  });
  const each = () => [...Object.entries(out.stacks), ...Object.entries(fx.stacks).map(([k, v]) => [`fixture ${k}`, v] as [string, TfJson])];
  const manifestOf = (o: Synthesized, env: string) => JSON.parse(o.files[`stacks/${env}/values.json`]);

  test('no stack writes, reads or asks for a value: no secret version, no variable, no ephemeral resource', () => {
    for (const [name, stack] of each()) {
      expect([name, Object.keys(stack.resource ?? {}).filter((t) => t === 'aws_secretsmanager_secret_version')]).toEqual([name, []]);
      expect([name, stack.variable ?? {}, stack.ephemeral ?? {}]).toEqual([name, {}, {}]);
      expect([name, JSON.stringify(stack)]).not.toEqual([name, expect.stringMatching(/var\.|ephemeral\.|random_password/)]);
    }
  });

  test('every provider ignores the tag the values step sets', () => {
    for (const [name, stack] of each()) {
      for (const p of stack.provider!.aws) expect([name, p.ignore_tags]).toEqual([name, [{ keys: [VALUE_WRITTEN_TAG] }]]);
    }
  });

  test('the value version is a tag on exactly the secrets the values step writes, as the catalog sets it', () => {
    const stack = fx.stacks.staging;
    const manifest = manifestOf(fx, 'staging');
    const written = new Map<string, number>(manifest.secrets.map((x: any) => [x.name, x.version]));
    for (const [, secret] of resources(stack, 'aws_secretsmanager_secret')) {
      const tag = secret.tags?.[VALUE_VERSION_TAG];
      expect([secret.name, tag]).toEqual([secret.name, written.has(secret.name) ? String(written.get(secret.name)) : undefined]);
    }
    expect(written.get('staging/svc/c/text')).toBe(3);
    expect(written.get('staging/svc/c/gen')).toBe(1);
  });

  test('the manifest: where each key comes from, in catalog order, and who writes what is not in it', () => {
    const manifest = manifestOf(fx, 'staging');
    const byId = (id: string) => manifest.secrets.find((x: any) => x.id === id);
    expect(byId('fx_text')).toMatchObject({
      version: 3,
      rotateAfterWrite: false,
      write: { type: 'text', source: { deployTime: 'fx_custom_name' } },
    });
    expect(byId('fx_gen').write).toEqual({
      type: 'text',
      source: { generate: { length: 20, excludePunctuation: false, excludeCharacters: 'xyz' } },
    });
    // A JSON secret whose key a generated rotation renews: the values step writes the first JSON.
    const jk = byId('fx_json_key_rotated');
    expect(Object.keys(jk.write.keys)).toEqual(['url', 'TOKEN', 'Other_Key']);
    expect(jk.write.keys).toEqual({
      url: { literal: 'https://x' },
      TOKEN: { generate: { length: 40, excludePunctuation: true } },
      Other_Key: { deployTime: 'fx_json_key_rotated_other_key' },
    });
    // Rotation writes the first value of what it generates whole; operators upload external ones.
    expect(manifest.notWritten).toEqual(
      expect.arrayContaining([
        { id: 'fx_gen_rotated', name: 'staging/svc/c/gen-rotated', firstValue: 'rotation' },
        { id: 'fx_ext', name: 'staging/svc/c/ext', firstValue: 'operator' },
      ]),
    );
    expect(byId('fx_gen_rotated')).toBeUndefined();
    // Database logins: the initial JSON, then the first rotation (V4).
    const app = manifestOf(out, 'production').secrets.find((x: any) => x.name === 'prod/orders/postgres/app-credentials');
    expect(app).toMatchObject({
      rotateAfterWrite: true,
      write: { type: 'json', keys: { username: { literal: 'orders_app' }, password: { generate: { excludePunctuation: false } } } },
    });
    // A single-user login's first password is the one a person supplies (ROT-FIRST-PASSWORD).
    const master = manifestOf(out, 'production').secrets.find((x: any) => x.id === 'orders_db_master');
    expect(master).toMatchObject({
      rotateAfterWrite: true,
      write: { type: 'json', keys: { password: { deployTime: 'orders_db_master_password' } } },
    });
  });

  test('rotation starts at creation only where it writes the first value', () => {
    const envStacks = each().filter(([name]) => ['dev', 'staging', 'production'].includes(name.replace('fixture ', '')));
    expect(envStacks).toHaveLength(4);
    for (const [name, stack] of envStacks) {
      const manifest = manifestOf(name.startsWith('fixture') ? fx : out, name.replace('fixture ', ''));
      const byName = new Map(resources(stack, 'aws_secretsmanager_secret').map(([id, b]) => [id, b.name]));
      for (const [, rot] of resources(stack, 'aws_secretsmanager_secret_rotation')) {
        const secret = byName.get(/aws_secretsmanager_secret\.([^.]+)\.arn/.exec(rot.secret_id)![1])!;
        const byRotation = manifest.notWritten.some((x: any) => x.name === secret && x.firstValue === 'rotation');
        expect([secret, rot.rotate_immediately]).toEqual([secret, byRotation]);
      }
    }
  });

  test('database passwords the values step generates exclude characters that break SQL literals and connection URLs', () => {
    const manifest = manifestOf(out, 'production');
    const passwords = manifest.secrets.filter((x: any) => x.write.keys?.password?.generate).map((x: any) => x.write.keys.password.generate);
    expect(passwords.length).toBeGreaterThan(0);
    for (const rules of passwords) for (const c of ['"', "'", '\\', '/', '@', ':']) expect(rules.excludeCharacters).toContain(c);
  });

  test('the values step accepts every manifest synth writes', () => {
    for (const [o, envs] of [
      [out, ['dev', 'staging', 'production']],
      [fx, ['staging']],
    ] as const) {
      for (const env of envs) expect(() => valuesScript.checkManifest(manifestOf(o, env), env)).not.toThrow();
    }
  });
});

describe('sharing at scale', () => {
  test('a reader of 100 secrets gets several exact-ARN consumer policies, each within the managed-policy limit', () => {
    // The 100 secrets the partner reads out of a 1,000-secret estate: the others change nothing
    // about the partner's policies, and synthesizing them cost most of this file's time.
    const estate = scaledFixture(1000);
    const env = { ...estate, secrets: estate.secrets.filter((s) => s.readers?.includes('partner')) };
    expect(env.secrets).toHaveLength(100);
    const stack = synth([env]).stacks.production;
    const docs = (stack.output!.consumer_policies_partner.value as string[]).map(parsePolicy);
    expect(docs.length).toBeGreaterThan(1);
    expect(docs.length).toBeLessThanOrEqual(10);
    const shared = env.secrets.filter((s) => s.readers?.includes('partner'));
    const listed = docs.flatMap((d) => d.Statement[0].Resource as string[]);
    expect(new Set(listed).size).toBe(shared.length);
    for (const r of listed) expect(r).toMatch(/^\$\{aws_secretsmanager_secret\.[A-Za-z0-9_-]+\.arn\}$/);
    for (const d of docs) {
      expect(d.Statement[1]).toMatchObject({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
      });
    }
  });
});
