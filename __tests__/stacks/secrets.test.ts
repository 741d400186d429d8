import * as path from 'node:path';
import { REPO_ROOT } from '../../app/app';
import { ENVIRONMENTS } from '../../catalogs';
import { ACCOUNTS } from '../../catalogs/project';
import { only, parsePolicy, resources, synth, Synthesized, TfJson } from '../support/synth';
import { scaledEnvironment } from '../../tools/bench/catalog';

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
    // Then deny by default: reads by the named reader (and break-glass, and the deploy role that
    // refreshes the version Terraform wrote) only.
    const readDeny = doc.Statement.find((x: any) => x.Sid === 'DenyValueReadsToUnnamed');
    expect(readDeny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: ['secretsmanager:GetSecretValue'], Resource: secretRef(name) });
    expect(readDeny.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(
      [`arn:aws:iam::${ACCOUNTS.monitoring}:role/datadog-forwarder`, `arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-break-glass`, `arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-deploy`].sort(),
    );
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
      expect(parsePolicy(p.policy).Statement.filter((x: any) => x.Effect === 'Allow')).toEqual([]);
    }
    expect(resources(dev, 'aws_kms_replica_key')).toHaveLength(0);
    for (const [, s] of resources(dev, 'aws_secretsmanager_secret')) expect(s.replica).toEqual([]);
    const role = only(dev, 'aws_iam_role_policy', (b) => b.role === 'ticket-notifier-lambda');
    expect(parsePolicy(role.policy).Statement[0].Resource).toHaveLength(1);
  });

  test('a dev binary file is referenced by path relative to the stack, never copied into the output', () => {
    const v = only(out.stacks.dev, 'aws_secretsmanager_secret_version', (b) => b.secret_binary !== undefined);
    const rel = /^\$\{filebase64\("\$\{path\.module\}\/(.+)"\)\}$/.exec(v.secret_binary)![1];
    expect(path.resolve(out.outdir, 'stacks', 'dev', rel)).toBe(path.join(REPO_ROOT, 'fixtures', 'dev-partner-ca.der'));
    expect(Object.keys(out.files).filter((f) => f.endsWith('.der'))).toEqual([]);
  });
});

describe('value modes', () => {
  test('deploy-time values travel through sensitive ephemeral variables into secret_string_wo', () => {
    const v = only(prod, 'aws_secretsmanager_secret_version', (b) => b.secret_id.includes('datadog'));
    expect(v.secret_string_wo).toBe('${var.datadog_api_key_value}');
    expect(v.secret_string).toBeUndefined();
    expect(prod.variable!.datadog_api_key_value).toMatchObject({ ephemeral: true, sensitive: true, type: 'string', default: null });
    expect(v.secret_string_wo_version).toBe('${var.secret_datadog_api_key_value_version}');
    expect(prod.variable!.secret_datadog_api_key_value_version).toMatchObject({ type: 'number', default: 1 });
  });

  test('generated values come from an ephemeral random password, never from a managed resource', () => {
    const v = only(prod, 'aws_secretsmanager_secret_version', (b) => b.secret_id.includes('jwt'));
    const m = /^\$\{ephemeral\.aws_secretsmanager_random_password\.([a-z0-9_]+)\.random_password\}$/.exec(v.secret_string_wo);
    expect(m).not.toBeNull();
    expect(prod.ephemeral!.aws_secretsmanager_random_password[m![1]]).toMatchObject({ password_length: 64, exclude_punctuation: true });
    expect(prod.resource!.random_password).toBeUndefined();
  });

  test('JSON secrets: catalog fields literal, secret fields generated or deploy-time', () => {
    const v = only(prod, 'aws_secretsmanager_secret_version', (b) => b.secret_id.includes('myapp_db_secret'));
    expect(v.secret_string_wo).toMatch(/^\$\{jsonencode\(\{"engine" = "mysql", "host" = "10\.0\.1\.5", "port" = 3306, "dbname" = "myapp_db", "username" = "myapp_user", "password" = ephemeral\.aws_secretsmanager_random_password\.[a-z_]+\.random_password\}\)\}$/);
    const cfg = only(prod, 'aws_secretsmanager_secret_version', (b) => b.secret_id.includes('ticket_app_config'));
    expect(cfg.secret_string_wo).toContain('"SMTP_PASSWORD" = var.ticket_app_config_smtp_password');
    expect(cfg.secret_string_wo).toContain('"REDIS_PASSWORD" = ephemeral.aws_secretsmanager_random_password.');
  });

  test('external values get no version resource at all, so Terraform never touches them', () => {
    for (const name of ['prod/service/api-gateway/key', 'prod/myapp/mysql/rotation-admin', 'prod/edge/tls/private-key']) {
      const id = ref('aws_secretsmanager_secret', secretByName(name));
      expect(resources(prod, 'aws_secretsmanager_secret_version').filter(([, b]) => b.secret_id.includes(id))).toHaveLength(0);
    }
  });

  test('database passwords exclude characters that break SQL literals and connection URLs', () => {
    const rules = Object.values(prod.ephemeral!.aws_secretsmanager_random_password).find((r: any) => r.exclude_punctuation === false) as any;
    for (const c of ['"', "'", '\\', '/', '@', ':']) expect(rules.exclude_characters).toContain(c);
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
