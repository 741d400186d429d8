import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../app/app';
import { ENVIRONMENTS } from '../../catalogs';
import { ACCOUNTS } from '../../catalogs/project';
import { EnvironmentConfig } from '../../catalogs/types';
import { VALUE_VERSION_TAG, VALUE_WRITTEN_TAG } from '../../plan/values';
import { only, parsePolicy, resources, synth, Synthesized, TfJson } from '../support/synth';
import { scaledEnvironment } from '../../tools/bench/catalog';

const valuesScript = require('../../tools/ci/values.cjs');

let out: Synthesized;
let prod: TfJson;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
  prod = out.stacks.production;
});

const ref = (type: string, body: any) => {
  const entry = resources(prod, type).find(([, b]) => b === body);
  return entry![0];
};
const secretByName = (name: string) => only(prod, 'aws_secretsmanager_secret', (b) => b.name === name);
const secretRef = (name: string) => `\${aws_secretsmanager_secret.${ref('aws_secretsmanager_secret', secretByName(name))}.arn}`;
const keyByAlias = (alias: string, stack = prod) => {
  const aliasBody = only(stack, 'aws_kms_alias', (b) => b.name === alias && !b.region);
  const keyName = /aws_kms_key\.([^.]+)\.key_id/.exec(aliasBody.target_key_id)![1];
  return { name: keyName, body: stack.resource!.aws_kms_key[keyName], arn: `\${aws_kms_key.${keyName}.arn}` };
};

describe('production secrets', () => {
  const expected = [
    'prod/platform/postgres/master-credentials',
    'prod/platform/postgres/app-credentials',
    'prod/monitoring/datadog/api-key',
    'prod/app/oauth/client_secret',
    'prod/service/api-gateway/key',
    'prod/myapp/mysql/credentials',
    'prod/myapp/mysql/rotation-admin',
    'prod/ticket-system/postgres/master-credentials',
    'prod/ticket-system/postgres/app-credentials',
    'prod/ticket-system/auth/jwt-signing-key',
    'prod/ticket-system/app/config',
    'prod/edge/tls/private-key',
  ];

  test('holds every secret of the catalogs, each under its category key, with a 30-day window', () => {
    const names = resources(prod, 'aws_secretsmanager_secret').map(([, b]) => b.name).sort();
    expect(names).toEqual([...expected].sort());
    for (const [, s] of resources(prod, 'aws_secretsmanager_secret')) {
      expect(s.kms_key_id).toMatch(/^\$\{aws_kms_key\.key-[a-z-]+_key_[A-F0-9]+\.arn\}$/);
      expect(s.recovery_window_in_days).toBe(30);
    }
    expect(secretByName('prod/platform/postgres/master-credentials').kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/database').arn);
    expect(secretByName('prod/monitoring/datadog/api-key').kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/api-keys').arn);
    expect(secretByName('prod/service/api-gateway/key').kms_key_id).toBe(keyByAlias('alias/secrets-platform/prod/service-accounts').arn);
  });

  test('database secrets replicate to us-west-2 under the database key replica there (SM-1)', () => {
    const replica = only(prod, 'aws_kms_replica_key', () => true);
    const replicaName = ref('aws_kms_replica_key', replica);
    expect(replica.region).toBe('us-west-2');
    expect(replica.primary_key_arn).toBe(keyByAlias('alias/secrets-platform/prod/database').arn);
    expect(keyByAlias('alias/secrets-platform/prod/database').body.multi_region).toBe(true);
    for (const name of ['prod/platform/postgres/master-credentials', 'prod/platform/postgres/app-credentials']) {
      expect(secretByName(name).replica).toEqual([{ region: 'us-west-2', kms_key_id: `\${aws_kms_replica_key.${replicaName}.arn}` }]);
    }
    const replicaAlias = only(prod, 'aws_kms_alias', (b) => b.region === 'us-west-2');
    expect(replicaAlias.name).toBe('alias/secrets-platform/prod/database');
    const rp = parsePolicy(replica.policy);
    expect(rp.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices').Condition.StringEquals['kms:ViaService']).toEqual(['secretsmanager.us-west-2.amazonaws.com']);
  });

  test('every key rotates, has the production deletion window, and cannot lock the account out', () => {
    for (const [, k] of resources(prod, 'aws_kms_key')) {
      expect(k.enable_key_rotation).toBe(true);
      expect(k.deletion_window_in_days).toBe(30);
      const admin = parsePolicy(k.policy).Statement.find((s: any) => s.Sid === 'KeyAdministrationByAccount');
      expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNTS.production}:root` });
      expect(admin.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:EnableKey']));
      expect(admin.Action).not.toContain('kms:Decrypt');
    }
  });

  test('key policy: Secrets Manager use only on behalf of the account, decrypt for exactly the named readers', () => {
    const doc = parsePolicy(keyByAlias('alias/secrets-platform/prod/service-accounts').body.policy);
    const via = doc.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices');
    expect(via.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNTS.production}:root` });
    expect(via.Condition.StringEquals).toEqual({ 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'], 'kms:CallerAccount': ACCOUNTS.production });
    const cross = doc.Statement.filter((s: any) => s.Sid.startsWith('CrossAccountDecrypt'));
    expect(cross.map((s: any) => s.Principal.AWS).sort()).toEqual(
      [ACCOUNTS.appPrimary, ACCOUNTS.appSecondary, ACCOUNTS.partner].map((a) => `arn:aws:iam::${a}:root`).sort(),
    );
    const partner = cross.find((s: any) => s.Principal.AWS.includes(ACCOUNTS.partner));
    expect(partner.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(partner.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNTS.partner },
      ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNTS.partner}:role/partner-gateway-client`] },
    });
    // The monitoring account reads only the API-keys category: it must not appear here.
    expect(JSON.stringify(doc)).not.toContain(ACCOUNTS.monitoring);
    const apiKeys = parsePolicy(keyByAlias('alias/secrets-platform/prod/api-keys').body.policy);
    expect(apiKeys.Statement.map((s: any) => s.Sid)).toContain(`CrossAccountDecrypt${ACCOUNTS.monitoring}`);
  });

  test('secret resource policy: named roles of the consumer account, current version only, public policies blocked', () => {
    const name = 'prod/monitoring/datadog/api-key';
    const policy = only(prod, 'aws_secretsmanager_secret_policy', (b) => b.secret_arn === secretRef(name));
    expect(policy.block_public_policy).toBe(true);
    const doc = parsePolicy(policy.policy);
    expect(doc.Statement.slice(0, 2)).toEqual([
      {
        Sid: `ReadCurrent${ACCOUNTS.monitoring}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNTS.monitoring}:root` },
        Action: 'secretsmanager:GetSecretValue',
        Resource: secretRef(name),
        Condition: {
          ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNTS.monitoring}:role/datadog-forwarder`] },
          StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' },
        },
      },
      {
        Sid: `Describe${ACCOUNTS.monitoring}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNTS.monitoring}:root` },
        Action: 'secretsmanager:DescribeSecret',
        Resource: secretRef(name),
        Condition: { ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNTS.monitoring}:role/datadog-forwarder`] } },
      },
    ]);
    // Then deny by default: reads by the named reader and break-glass only (never the deploy role, V1).
    const readDeny = doc.Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamed');
    expect(readDeny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: ['secretsmanager:GetSecretValue'], Resource: secretRef(name) });
    expect(readDeny.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(
      [`arn:aws:iam::${ACCOUNTS.monitoring}:role/datadog-forwarder`, `arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-break-glass`].sort(),
    );
    // Writes: the values step (a deploy-time value) may; the deploy role never (V1).
    const writers = doc.Statement.find((x: any) => x.Sid === 'DenyValueWritesToUnnamed').Condition.ArnNotLike['aws:PrincipalArn'];
    expect(writers).toContain(`arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-values`);
    expect(writers).not.toContain(`arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-deploy`);
    expect(readDeny.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
  });

  test('the database master is shared with no other account; the application login is', () => {
    const crossAccount = (name: string) =>
      parsePolicy(only(prod, 'aws_secretsmanager_secret_policy', (b) => b.secret_arn === secretRef(name)).policy).Statement.filter((x: any) => x.Effect === 'Allow');
    expect(crossAccount('prod/platform/postgres/master-credentials')).toEqual([]);
    expect(crossAccount('prod/platform/postgres/app-credentials').length).toBeGreaterThan(0);
  });

  test('each consumer account gets the exact IAM policy to attach on its side', () => {
    expect(prod.output!.consumer_policies_partner.value).toHaveLength(1);
    const doc = parsePolicy(prod.output!.consumer_policies_partner.value[0]);
    expect(doc.Statement[0]).toEqual({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: [secretRef('prod/service/api-gateway/key')],
    });
    expect(doc.Statement[1]).toEqual({
      Sid: 'DecryptThroughSecretsManager',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: [keyByAlias('alias/secrets-platform/prod/service-accounts').arn],
      Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
    });
  });

  test('ECS: execution role injects, task role reads at run time, each scoped to its own secrets (ECS-1)', () => {
    const roles = Object.fromEntries(resources(prod, 'aws_iam_role').map(([n, b]) => [n, b]));
    const exec = Object.entries(roles).find(([, b]) => b.name === 'prod-ticket-api-ecs-execution')!;
    const task = Object.entries(roles).find(([, b]) => b.name === 'prod-ticket-api-ecs-task')!;
    expect(exec[0]).not.toBe(task[0]);
    const trust = parsePolicy(exec[1].assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(trust.Condition.StringEquals['aws:SourceAccount']).toBe(ACCOUNTS.production);
    const policyOf = (roleName: string) => parsePolicy(only(prod, 'aws_iam_role_policy', (b) => b.role === `\${aws_iam_role.${roleName}.name}`).policy);
    const execDoc = policyOf(exec[0]);
    const read = execDoc.Statement.find((x: any) => x.Sid === 'ReadSecrets');
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
    expect(read.Resource.sort()).toEqual([secretRef('prod/ticket-system/auth/jwt-signing-key'), secretRef('prod/ticket-system/app/config')].sort());
    expect(execDoc.Statement.find((x: any) => x.Sid === 'DecryptThroughSecretsManager').Condition.StringEquals['kms:ViaService']).toEqual(['secretsmanager.us-east-1.amazonaws.com']);
    // Complete for ECS: pull from the service's repository, write to the service's log group.
    expect(execDoc.Statement.find((x: any) => x.Sid === 'PullImagesFromNamedRepositories').Resource).toEqual([`arn:aws:ecr:us-east-1:${ACCOUNTS.production}:repository/ticket-api`]);
    expect(execDoc.Statement.find((x: any) => x.Sid === 'WriteServiceLogs').Resource).toBe(`arn:aws:logs:us-east-1:${ACCOUNTS.production}:log-group:/ecs/prod-ticket-api:log-stream:*`);
    expect(execDoc.Statement.find((x: any) => x.Sid === 'EcrAuthorizationToken')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    const taskDoc = policyOf(task[0]);
    // The API reads its application login, never the Aurora master (issue 10).
    expect(taskDoc.Statement[0].Resource).toEqual([secretRef('prod/ticket-system/postgres/app-credentials')]);
  });

  test('ECS valueFrom strings, including the JSON-key form arn:key::', () => {
    const api = prod.output!.ecs_ticket_api.value;
    const config = secretRef('prod/ticket-system/app/config');
    expect(api.secrets).toEqual(
      expect.arrayContaining([
        { name: 'JWT_SECRET', valueFrom: secretRef('prod/ticket-system/auth/jwt-signing-key') },
        { name: 'REDIS_PASSWORD', valueFrom: `${config}:REDIS_PASSWORD::` },
        { name: 'SMTP_PASSWORD', valueFrom: `${config}:SMTP_PASSWORD::` },
      ]),
    );
    expect(api.executionRoleArn).toMatch(/aws_iam_role\..*execution-role.*\.arn/);
    expect(api.taskRoleArn).toMatch(/aws_iam_role\..*task-role.*\.arn/);
  });

  test('every secret has ARN and name outputs', () => {
    for (const [, s] of resources(prod, 'aws_secretsmanager_secret')) {
      const id = Object.keys(prod.output!).find((k) => prod.output![k].value === `\${aws_secretsmanager_secret.${ref('aws_secretsmanager_secret', s)}.name}`);
      expect(id).toBeDefined();
      expect(prod.output![id!.replace(/_name$/, '_arn')].value).toBe(`\${aws_secretsmanager_secret.${ref('aws_secretsmanager_secret', s)}.arn}`);
    }
  });

  test('dev shares nothing across accounts and replicates nothing', () => {
    const dev = out.stacks.dev;
    for (const [, p] of resources(dev, 'aws_secretsmanager_secret_policy')) {
      // Only roles of dev's own account are named (iam-role readers); no other account, no organisation.
      const allowed = parsePolicy(p.policy).Statement.filter((x: any) => x.Effect === 'Allow');
      expect(allowed.map((x: any) => x.Sid).filter((sid: string) => sid !== 'ReadByNamedRolesOfThisAccount')).toEqual([]);
      for (const x of allowed) expect(x.Principal.AWS.every((a: string) => a.startsWith(`arn:aws:iam::${ACCOUNTS.dev}:role/`))).toBe(true);
    }
    expect(resources(dev, 'aws_kms_replica_key')).toHaveLength(0);
    for (const [, s] of resources(dev, 'aws_secretsmanager_secret')) expect(s.replica).toEqual([]);
    // The iam-role reader is named in its one secret's policy; no stack writes into its role.
    expect(resources(dev, 'aws_iam_role_policy').filter(([, b]) => b.role === 'ticket-notifier-lambda')).toHaveLength(0);
    const named = resources(dev, 'aws_secretsmanager_secret_policy').filter(([, p]) => p.policy.includes(':role/ticket-notifier-lambda"'));
    expect(named).toHaveLength(1);
  });

  test('a dev binary file is named by path and SHA-256 in the values manifest, never copied into the output', () => {
    const manifest = JSON.parse(out.files['stacks/dev/values.json']);
    const entry = manifest.secrets.find((x: any) => x.write.type === 'binary');
    const bytes = readFileSync(path.join(REPO_ROOT, 'fixtures', 'dev-partner-ca.der'));
    expect(entry.write).toEqual({ type: 'binary', file: 'fixtures/dev-partner-ca.der', sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(Object.keys(out.files).filter((f) => f.endsWith('.der'))).toEqual([]);
  });
});

/**
 * V1-V4 (docs/values.md): Terraform writes and reads no value; the values step writes what the
 * manifest lists; rotation writes the first value of what it generates. Checked on the shipped
 * catalogs and on a fixture catalog with every value kind and rotation.
 */
describe('value modes', () => {
  const fixture = (): EnvironmentConfig => {
    const env = structuredClone(ENVIRONMENTS.find((e) => e.name === 'staging')!);
    const base = { service: 'svc', component: 'c', description: 'fixture', category: 'application' as const, noRotationReason: 'a fixture of every value kind, not rotated' };
    env.secrets.push(
      { ...base, id: 'fx_text', type: 'text', value: { kind: 'deploy-time', variable: 'fx_custom_name', version: 3 } },
      { ...base, id: 'fx_gen', type: 'gen', value: { kind: 'generated', generator: { length: 20, format: 'password', excludeCharacters: 'xyz' } } },
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
    expect(byId('fx_text')).toMatchObject({ version: 3, rotateAfterWrite: false, write: { type: 'text', source: { deployTime: 'fx_custom_name' } } });
    expect(byId('fx_gen').write).toEqual({ type: 'text', source: { generate: { length: 20, excludePunctuation: false, excludeCharacters: 'xyz' } } });
    // A JSON secret whose key a generated rotation renews: the values step writes the first JSON.
    const jk = byId('fx_json_key_rotated');
    expect(Object.keys(jk.write.keys)).toEqual(['url', 'TOKEN', 'Other_Key']);
    expect(jk.write.keys).toEqual({ url: { literal: 'https://x' }, TOKEN: { generate: { length: 40, excludePunctuation: true } }, Other_Key: { deployTime: 'fx_json_key_rotated_other_key' } });
    // Rotation writes the first value of what it generates whole; operators upload external ones.
    expect(manifest.notWritten).toEqual(expect.arrayContaining([{ id: 'fx_gen_rotated', name: 'staging/svc/c/gen-rotated', firstValue: 'rotation' }, { id: 'fx_ext', name: 'staging/svc/c/ext', firstValue: 'operator' }]));
    expect(byId('fx_gen_rotated')).toBeUndefined();
    // Database logins: the initial JSON, then the first rotation (V4).
    const app = manifestOf(out, 'production').secrets.find((x: any) => x.name === 'prod/platform/postgres/app-credentials');
    expect(app).toMatchObject({ rotateAfterWrite: true, write: { type: 'json', keys: { username: { literal: 'platform_app' }, password: { generate: { excludePunctuation: false } } } } });
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
    for (const [o, envs] of [[out, ['dev', 'staging', 'production']], [fx, ['staging']]] as const) {
      for (const env of envs) expect(() => valuesScript.checkManifest(manifestOf(o, env), env)).not.toThrow();
    }
  });
});

describe('sharing at scale', () => {
  test('a reader of 100 secrets gets several exact-ARN consumer policies, each within the managed-policy limit', () => {
    // The 100 secrets the partner reads out of a 1,000-secret estate: the others change nothing
    // about the partner's policies, and synthesizing them cost most of this file's time.
    const estate = scaledEnvironment(1000);
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
      expect(d.Statement[1]).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } } });
    }
  });
});
