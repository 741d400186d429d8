/**
 * The plan (plan/plan.ts): pure, frozen, complete. Fast tests with exact documents, so mutation
 * testing of the plan and the policy builders has tests that bite.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../catalogs';
import type { EnvironmentConfig } from '../../catalogs/types';
import { databaseLogin, databaseSecurityGroups, environment, FIXTURE_ACCOUNTS, teamCatalogs, teamEnvironment } from '../support/fixtures';
import { ArnResolver } from '../../modules/arn-resolver';
import { policySize } from '../../plan/policy';
import { planEnvironment } from '../../plan/plan';

const root = path.resolve(__dirname, '../..');

/** Two PostgreSQL databases, each with a master and an application login rotated by alternating users. */
function twoDatabases(sameSecurityGroup = false): EnvironmentConfig {
  const [a, b] = databaseSecurityGroups('production');
  const login = (db: string, sg: string) => [
    databaseLogin(`${db}_master`, db, 'master-credentials', {
      host: `${db}.db.example.internal`,
      username: `${db}_admin`,
      databaseSecurityGroupIds: [sg],
    }),
    databaseLogin(`${db}_app`, db, 'app-credentials', {
      host: `${db}.db.example.internal`,
      username: `${db}_app`,
      strategy: 'alternating-users',
      adminSecret: `${db}_master`,
      databaseSecurityGroupIds: [sg],
    }),
  ];
  return environment('production', { secrets: [...login('orders', a), ...login('billing', sameSecurityGroup ? a : b)] });
}

/** Relative runtime imports of a file, transitively (type-only imports are erased). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    const spec = m[1];
    if (!spec.startsWith('.')) {
      seen.add(`pkg:${spec}`);
      continue;
    }
    const base = path.resolve(path.dirname(file), spec);
    const candidate = [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => {
      try {
        return readFileSync(f) && true;
      } catch {
        return false;
      }
    });
    if (candidate && candidate.endsWith('.ts')) runtimeImports(candidate, seen);
  }
  return seen;
}

function small(): EnvironmentConfig {
  return {
    name: 'staging',
    accountId: '234567890123',
    region: 'us-east-1',
    breakGlass: { roleName: 'bg' },
    owner: 'o',
    costCenter: 'c',
    recoveryWindowDays: 14,
    keyDeletionWindowDays: 14,
    logRetentionDays: 30,
    readers: {
      apps: { kind: 'account', accountId: '555566667777', roleNames: ['reader'] },
      org: { kind: 'organization', organizationId: 'o-abcdefghij' },
      fn: { kind: 'iam-role', roleName: 'notifier' },
    },
    secrets: [
      {
        id: 'api',
        service: 'app',
        component: 'partner',
        type: 'api-key',
        description: 'd',
        category: 'api-keys',
        value: { kind: 'deploy-time' },
        readers: ['apps', 'org', 'fn'],
        replicas: ['us-west-2'],
        ecs: [{ service: 'web', inject: [{ env: 'API_KEY' }], runtime: true }],
      },
    ],
  };
}

describe('planEnvironment', () => {
  test('imports nothing of cdktf, constructs or the provider at run time', () => {
    const deps = [...runtimeImports(path.join(root, 'plan/plan.ts'))];
    const packages = deps.filter((d) => d.startsWith('pkg:'));
    expect(packages.filter((p) => /cdktf|constructs/.test(p))).toEqual([]);
    expect(deps.filter((d) => d.includes(`${path.sep}modules${path.sep}`) || d.includes(`${path.sep}stacks${path.sep}`))).toEqual([]);
  });

  test('is deterministic and deeply frozen, and leaves the catalog alone', () => {
    const env = small();
    const a = planEnvironment(env);
    expect(JSON.stringify(planEnvironment(env))).toBe(JSON.stringify(a));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.secrets[0].resourcePolicy!.Statement[0])).toBe(true);
    expect(Object.isFrozen(a.catalog.secrets[0])).toBe(true);
    expect(Object.isFrozen(env)).toBe(false);
    expect(() => ((a.secrets as any)[0].name = 'x')).toThrow();
  });

  test('resolves readers to accounts, role ARNs and organisation ids', () => {
    const p = planEnvironment(small());
    expect(p.secrets[0].readers).toEqual([
      {
        name: 'apps',
        kind: 'account',
        accountId: '555566667777',
        roleNames: ['reader'],
        roleArns: ['arn:aws:iam::555566667777:role/reader'],
      },
      { name: 'org', kind: 'organization', organizationId: 'o-abcdefghij' },
      { name: 'fn', kind: 'iam-role', roleName: 'notifier', roleArn: 'arn:aws:iam::234567890123:role/notifier' },
    ]);
    expect(p.breakGlass).toEqual({ roleName: 'bg', roleArn: 'arn:aws:iam::234567890123:role/bg' });
  });

  test('an unknown reader is planned as unknown (a rule refuses it), not a crash', () => {
    const env = small();
    env.secrets[0].readers = ['ghost'];
    const p = planEnvironment(env);
    expect(p.secrets[0].readers).toEqual([{ name: 'ghost', kind: 'unknown' }]);
    expect(p.readers).toEqual([]);
  });

  test('the secret resource policy names each cross-account reader, pinned to AWSCURRENT, on the secret and its replica', () => {
    const p = planEnvironment(small());
    const primary = 'arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/app/partner/api-key-AbCdEf';
    const arn = [primary, 'arn:aws:secretsmanager:us-west-2:234567890123:secret:staging/app/partner/api-key-??????'];
    expect(p.secrets[0].arn).toBe(primary);
    expect(p.secrets[0].resourcePolicy.Statement.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'ReadCurrent555566667777',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::555566667777:root' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: arn,
        Condition: {
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader'] },
          StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' },
        },
      },
      {
        Sid: 'Describe555566667777',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::555566667777:root' },
        Action: 'secretsmanager:DescribeSecret',
        Resource: arn,
        Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader'] } },
      },
      {
        Sid: 'ReadCurrentoabcdefghij',
        Effect: 'Allow',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: arn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'secretsmanager:VersionStage': 'AWSCURRENT' } },
      },
      {
        Sid: 'Describeoabcdefghij',
        Effect: 'Allow',
        Principal: '*',
        Action: 'secretsmanager:DescribeSecret',
        Resource: arn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
      },
      {
        Sid: 'ReadByNamedRolesOfThisAccount',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::234567890123:role/notifier'] },
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: arn,
      },
    ]);
    // Deny by default: value reads by the named roles (and the organisation, never this account's
    // other principals), writes by the rotation and deploy roles, management by the deploy role.
    const sids = p.secrets[0].resourcePolicy.Statement.filter((s) => s.Effect === 'Deny').map((s) => s.Sid);
    expect(sids).toEqual([
      'DenyValueReadsToUnnamed',
      'DenyValueReadsToUnnamedInThisAccount',
      'DenyValueWritesToUnnamed',
      'DenyManagementToUnnamed',
    ]);
    expect(p.secrets[0].access.readers).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::234567890123:role/notifier',
        'arn:aws:iam::234567890123:role/secrets-platform/staging-web-ecs-task',
      ]),
    );
  });

  test('two readers in one account (and one organisation twice) become one grantee each: every Sid stays unique', () => {
    const env = small();
    env.readers.batch = { kind: 'account', accountId: '555566667777', roleNames: ['batch', 'reader'] };
    env.readers.org2 = { kind: 'organization', organizationId: 'o-abcdefghij' };
    env.secrets[0].readers = ['apps', 'org', 'batch', 'org2'];
    const p = planEnvironment(env);
    for (const d of p.documents) {
      const sids = d.document.Statement.map((s) => s.Sid).filter((s) => s !== undefined);
      expect([d.subject, d.what, sids.filter((s, i) => sids.indexOf(s) !== i)]).toEqual([d.subject, d.what, []]);
    }
    const read = p.secrets[0].resourcePolicy.Statement.find((s) => s.Sid === 'ReadCurrent555566667777')!;
    expect(read.Condition).toEqual({
      ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader', 'arn:aws:iam::555566667777:role/batch'] },
      StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' },
    });
    const keyPolicy = p.keys[0].policyByRegion['us-east-1'];
    expect(keyPolicy.Statement.filter((s) => s.Sid?.startsWith('CrossAccountDecrypt')).length).toBe(1);
    expect(keyPolicy.Statement.filter((s) => s.Sid?.startsWith('OrganizationDecrypt')).length).toBe(1);
  });

  test('keys: one per category, replicated where its secrets are, distinct estimated ARNs, a policy per region', () => {
    const p = planEnvironment(small());
    expect(p.keys.map((k) => [k.id, k.alias, k.regions])).toEqual([
      ['key-api-keys', 'alias/secrets-platform/staging/api-keys', ['us-east-1', 'us-west-2']],
    ]);
    const k = p.keys[0];
    expect(Object.keys(k.policyByRegion)).toEqual(['us-east-1', 'us-west-2']);
    expect(k.arnByRegion['us-east-1']).toMatch(/^arn:aws:kms:us-east-1:234567890123:key\/mrk-[0-9a-f]{32}$/);
    expect(k.arnByRegion['us-west-2']).toMatch(/^arn:aws:kms:us-west-2:234567890123:key\/mrk-[0-9a-f]{32}$/);
    expect(p.monitoringKey.arnByRegion['us-east-1']).not.toBe(k.arnByRegion['us-east-1']);
    const west = k.policyByRegion['us-west-2'].Statement.find((s) => s.Sid === 'CrossAccountDecrypt555566667777')!;
    expect(west.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com', 'kms:CallerAccount': '555566667777' },
      ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader'] },
    });
    expect(k.policyByRegion['us-east-1'].Statement.map((s) => s.Sid)).toEqual([
      'KeyAdministrationByAccount',
      'GrantsOnlyForAwsResources',
      'AccountPrincipalsThroughServices',
      'NamedRolesOfThisAccountThroughSecretsManager',
      'CrossAccountDecrypt555566667777',
      'OrganizationDecryptoabcdefghij',
    ]);
    expect(k.grantees).toHaveLength(2);
  });

  test('ECS: execution role for injected secrets, task role for run-time reads, valueFrom with the secret ARN', () => {
    const p = planEnvironment(small());
    const svc = p.ecsServices[0];
    const arn = p.secrets[0].arn;
    const key = p.keys[0].arnByRegion['us-east-1'];
    expect(svc.executionRole!.name).toBe('staging-web-ecs-execution');
    const west = p.keys[0].arnByRegion['us-west-2'];
    const replica = arn.replace(':us-east-1:', ':us-west-2:').replace(/-AbCdEf$/, '-??????');
    expect(svc.executionRole!.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrAuthorizationToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'PullImagesFromNamedRepositories',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: ['arn:aws:ecr:us-east-1:234567890123:repository/web'],
        },
        {
          Sid: 'WriteServiceLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: 'arn:aws:logs:us-east-1:234567890123:log-group:/ecs/staging-web:log-stream:*',
        },
        { Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [arn, replica] },
        {
          Sid: 'DecryptThroughSecretsManager',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: [key, west],
          Condition: {
            StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.us-west-2.amazonaws.com'] },
          },
        },
      ],
    });
    expect(svc.logGroupName).toBe('/ecs/staging-web');
    expect(svc.taskRole!.name).toBe('staging-web-ecs-task');
    expect(svc.taskRole!.policy.Statement[0].Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(svc.containerSecrets).toEqual([{ name: 'API_KEY', valueFrom: arn, secretId: 'api' }]);
  });

  test('readers: an iam-role reader is named in the secret and key policies, accounts and organisations get consumer policies', () => {
    const p = planEnvironment(small());
    expect(p.readers.map((r) => [r.name, r.consumerPolicies?.length ?? 0, r.outputName])).toEqual([
      ['apps', 1, 'consumer_policies_apps'],
      ['org', 1, 'consumer_policies_org'],
      ['fn', 0, undefined],
    ]);
    const notifier = 'arn:aws:iam::234567890123:role/notifier';
    const sids = (d: { Statement: readonly { Sid?: string; Principal?: unknown }[] } | undefined) =>
      (d?.Statement ?? []).filter((st) => JSON.stringify(st.Principal ?? '').includes(notifier)).map((st) => st.Sid);
    expect(sids(p.secrets[0].resourcePolicy)).toEqual(['ReadByNamedRolesOfThisAccount']);
    expect(p.keys[0].namedReaders).toEqual([notifier]);
    for (const d of Object.values(p.keys[0].policyByRegion)) expect(sids(d)).toEqual(['NamedRolesOfThisAccountThroughSecretsManager']);
  });

  test('rotation functions: names, roles, environment and the role policy with the estimated log group', () => {
    const p = planEnvironment(twoDatabases());
    const f = p.rotationFunctions.find((r) => r.key === 'postgres-alternating-users')!;
    expect(f.functionName).toBe('prod-secrets-rotation-postgres-alternating-users');
    expect(f.roleName).toBe('prod-secrets-rotation-postgres-alternating-users-role');
    expect(f.environment).toEqual({
      ROTATION_STRATEGY: 'alternating-users',
      ROTATION_MIN_TLS: 'verify-full',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(f.secretIds).toEqual(['orders_app', 'billing_app']);
    expect(f.adminSecretIds).toEqual(['orders_master', 'billing_master']);
    expect(f.logGroupArn).toBe(
      `arn:aws:logs:us-east-1:${FIXTURE_ACCOUNTS.production}:log-group:/aws/lambda/prod-secrets-rotation-postgres-alternating-users`,
    );
    const logs = f.rolePolicy.Statement.find((s) => s.Sid === 'WriteOwnLogs')!;
    expect(logs.Resource).toBe(`${f.logGroupArn}:*`);
    const admin = f.rolePolicy.Statement.find((s) => s.Sid === 'ReadAdminSecrets')!;
    expect(admin.Resource).toEqual(['orders_master', 'billing_master'].map((id) => p.secrets.find((s) => s.id === id)!.arn));
    const team = planEnvironment(teamEnvironment('production'));
    const gen = team.rotationFunctions.find((r) => r.key === 'generated')!;
    expect(gen.environment).toEqual({});
    expect(gen.description).toBe('Secrets Manager rotation (generated values)');
    expect(team.secrets.find((s) => s.id === 'webhook_secret')!.rotation!.schedule.rotateImmediately).toBe(true);
    expect(team.secrets.find((s) => s.id === 'orders_db_app')!.rotation!.schedule.rotateImmediately).toBe(false);
  });

  test('rotation tags pin the admin secret and the user; catalog tags come after them', () => {
    const p = planEnvironment(teamEnvironment('production'));
    const app = p.secrets.find((s) => s.id === 'orders_db_app')!;
    expect(app.rotationTags).toEqual({
      RotationFunction: 'prod-secrets-rotation-postgres-alternating-users',
      'rotation:admin-secret': 'prod/orders/postgres/master-credentials',
      'rotation:username': 'orders_app',
    });
    const ledger = p.secrets.find((s) => s.id === 'ledger_db')!;
    expect(Object.keys(ledger.tags)).toContain('DataClass');
    expect(Object.keys(ledger.tags).indexOf('DataClass')).toBeGreaterThan(Object.keys(ledger.tags).indexOf('rotation:username'));
  });

  test('every document the stack writes is in plan.documents, measured as rendered', () => {
    // The shipped catalogs, whatever they hold, and the fixture team.
    for (const env of [...ENVIRONMENTS, ...teamCatalogs()]) {
      const p = planEnvironment(env);
      const docs = new Set(p.documents.map((d) => d.document));
      for (const k of [...p.keys, p.monitoringKey]) for (const d of Object.values(k.policyByRegion)) expect(docs.has(d)).toBe(true);
      for (const s of p.secrets) if (s.resourcePolicy) expect(docs.has(s.resourcePolicy)).toBe(true);
      for (const f of p.rotationFunctions) expect(docs.has(f.rolePolicy) && docs.has(f.trustPolicy)).toBe(true);
      for (const e of p.ecsServices) for (const r of [e.executionRole, e.taskRole]) if (r) expect(docs.has(r.policy)).toBe(true);
      for (const r of p.readers) for (const d of r.consumerPolicies ?? []) expect(docs.has(d)).toBe(true);
      expect(docs.has(p.monitoring.topicPolicy)).toBe(true);
      if (p.endpoint) expect(docs.has(p.endpoint.policy)).toBe(true);
    }
  });

  test('rendering replaces each estimated ARN with its reference and changes nothing else', () => {
    const p = planEnvironment(small());
    const arns = new ArnResolver();
    arns.bind(p.secrets[0].arn, '${aws_secretsmanager_secret.x.arn}');
    arns.bind(p.keys[0].arnByRegion['us-east-1'], '${aws_kms_key.k.arn}');
    const doc = p.ecsServices[0].executionRole!.policy;
    const rendered = JSON.parse(arns.render(doc)).Statement;
    const sid = (id: string) => rendered.find((s: { Sid: string }) => s.Sid === id);
    expect(sid('ReadSecrets').Resource[0]).toBe('${aws_secretsmanager_secret.x.arn}');
    expect(sid('DecryptThroughSecretsManager').Resource[0]).toBe('${aws_kms_key.k.arn}');
    expect(arns.resolve(`${p.secrets[0].arn}:password::`)).toBe('${aws_secretsmanager_secret.x.arn}:password::');
    expect(arns.resolve('arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*')).toBe(
      'arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*',
    );
    // The measured size is the size of the document with ARNs of their real length.
    expect(policySize(doc)).toBe(JSON.stringify(doc).length);
    expect(() => arns.bind(p.secrets[0].arn, '${other}')).toThrow(/bound to two resources/);
  });
});

describe('planEnvironment: rotation network targets', () => {
  test('two secrets behind one database security group give one egress target, not a duplicate EC2 refuses', () => {
    const env = twoDatabases(true);
    env.secrets = env.secrets.filter((s) => s.id.endsWith('_master'));
    const f = planEnvironment(env).rotationFunctions[0];
    expect(f.vpc!.databases).toEqual([
      { port: 5432, cidrs: [], securityGroupIds: [databaseSecurityGroups('production')[0]] },
      { port: 5432, cidrs: [], securityGroupIds: [] },
    ]);
  });
});

describe('planEnvironment: exact documents', () => {
  const p = planEnvironment(small());

  test('the iam-role reader: the secret policy lets the named role read and describe, the key lets it decrypt only through Secrets Manager in this account', () => {
    const notifier = 'arn:aws:iam::234567890123:role/notifier';
    expect(p.secrets[0].resourcePolicy!.Statement.find((st) => st.Sid === 'ReadByNamedRolesOfThisAccount')).toEqual({
      Sid: 'ReadByNamedRolesOfThisAccount',
      Effect: 'Allow',
      Principal: { AWS: [notifier] },
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: expect.arrayContaining([p.secrets[0].arn]),
    });
    expect(p.keys[0].policyByRegion['us-west-2'].Statement.find((st) => st.Sid === 'NamedRolesOfThisAccountThroughSecretsManager')).toEqual(
      {
        Sid: 'NamedRolesOfThisAccountThroughSecretsManager',
        Effect: 'Allow',
        Principal: { AWS: [notifier] },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com', 'kms:CallerAccount': '234567890123' } },
      },
    );
  });

  test('the ECS trust policy: ECS tasks of this account and region only', () => {
    expect(p.ecsServices[0].trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EcsTasksOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '234567890123' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:234567890123:*' },
          },
        },
      ],
    });
  });

  test('the generated rotation role: rotate exactly its secrets, write its own logs, keys through Secrets Manager', () => {
    const env = small();
    env.network = { vpcId: 'vpc-0a1b2c3d4e5f60001', subnetIds: ['subnet-0a1b2c3d4e5f60011'] };
    env.secrets.push({
      id: 'sig',
      service: 'app',
      component: 'auth',
      type: 'signing',
      description: 'd',
      category: 'application',
      value: { kind: 'external', format: 'text' },
      rotation: { kind: 'generated', format: 'hex', length: 64, schedule: { afterDays: 30 } },
    });
    const plan = planEnvironment(env);
    const f = plan.rotationFunctions[0];
    const sig = plan.secrets.find((s) => s.id === 'sig')!;
    expect(f.rolePolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RotateTheseSecrets',
          Effect: 'Allow',
          Action: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:ListSecretVersionIds',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          Resource: [sig.arn],
        },
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: 'arn:aws:logs:us-east-1:234567890123:log-group:/aws/lambda/staging-secrets-rotation-generated:*',
        },
        {
          Sid: 'KeysThroughSecretsManager',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: [sig.kmsKeyArn],
          Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
        },
        {
          Sid: 'LambdaVpcNetworkInterfaces',
          Effect: 'Allow',
          Action: [
            'ec2:AssignPrivateIpAddresses',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:UnassignPrivateIpAddresses',
          ],
          Resource: '*',
        },
      ],
    });
    expect(sig.rotationTags).toEqual({
      RotationFunction: 'staging-secrets-rotation-generated',
      'rotation:format': 'hex',
      'rotation:length': '64',
    });
    expect(f.vpc).toEqual({
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      subnetIds: ['subnet-0a1b2c3d4e5f60011'],
      securityGroupName: 'staging-secrets-rotation-generated-sg',
      databases: [],
    });
    expect(plan.endpoint!.policy.Statement.map((s) => s.Sid)).toEqual(['OwnAccountsOwnSecrets', 'RandomPasswordsForOwnAccounts']);
    expect(f.bulkInvokeSourceArn).toBeUndefined();
  });

  test('above 40 rotated secrets the role and the invoke permission switch to the tagged name prefix', () => {
    const env = small();
    for (let i = 0; i < 41; i++)
      env.secrets.push({
        id: `g${i}`,
        service: 'app',
        component: `c${i}`,
        type: 't',
        description: 'd',
        category: 'application',
        value: { kind: 'external', format: 'text' },
        rotation: { kind: 'generated', format: 'hex', length: 64, schedule: { afterDays: 30 } },
      });
    const f = planEnvironment(env).rotationFunctions[0];
    expect(f.bulkInvokeSourceArn).toBe('arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*');
    expect(f.rolePolicy.Statement[0]).toMatchObject({
      Resource: 'arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*',
      Condition: { StringEquals: { 'aws:ResourceTag/RotationFunction': 'staging-secrets-rotation-generated' } },
    });
  });

  test("the monitoring key lets only the alerting services and this account's log groups use it", () => {
    const doc = p.monitoringKey.policyByRegion['us-east-1'];
    expect(doc.Statement.map((s) => s.Sid)).toEqual(
      expect.arrayContaining([
        'KeyAdministrationByAccount',
        'EventBridgePublishToEncryptedTopic',
        'CloudWatchAlarmsPublishToEncryptedTopic',
        'CloudWatchLogsEncryption',
      ]),
    );
    expect(doc.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryption')!.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': [
          'arn:aws:logs:us-east-1:234567890123:log-group:/aws/lambda/staging-secrets-*',
          'arn:aws:logs:us-east-1:234567890123:log-group:/ecs/staging-*',
        ],
      },
    });
    expect(
      doc.Statement.some(
        (s) =>
          s.Principal !== undefined &&
          typeof s.Principal === 'object' &&
          'AWS' in s.Principal &&
          s.Principal.AWS !== 'arn:aws:iam::234567890123:root',
      ),
    ).toBe(false);
  });

  test('the alert topic policy names the topic and the three rules', () => {
    expect(p.monitoring.topicArn).toBe('arn:aws:sns:us-east-1:234567890123:staging-secrets-alerts');
    expect(p.monitoring.topicPolicy.Statement[0]).toEqual({
      Sid: 'EventBridgeRulesOfThisStack',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: p.monitoring.topicArn,
      Condition: {
        ArnEquals: {
          'aws:SourceArn': expect.arrayContaining(
            ['rotation-failed', 'denied-reads', 'key-anomalies'].map(
              (n) => `arn:aws:events:us-east-1:234567890123:rule/staging-secrets-${n}`,
            ),
          ),
        },
      },
    });
    const arns = p.monitoring.topicPolicy.Statement[0].Condition!.ArnEquals['aws:SourceArn'] as string[];
    expect(arns.every((a) => a.startsWith('arn:aws:events:us-east-1:234567890123:rule/staging-secrets-'))).toBe(true);
  });

  test('values: generated fields use database exclusions only for database secrets; deploy-time keys get one DEPLOY_TIME_VALUES name each', () => {
    const prod = planEnvironment(teamEnvironment('production'));
    const app = prod.secrets.find((s) => s.id === 'orders_db_app')!;
    expect(app.value).toEqual({
      kind: 'json',
      version: 1,
      rotateAfterWrite: true,
      keys: {
        engine: { literal: 'postgres' },
        host: { literal: 'orders.production.db.example.internal' },
        port: { literal: 5432 },
        dbname: { literal: 'orders' },
        username: { literal: 'orders_app' },
        password: { generate: { length: 32, excludePunctuation: false, excludeCharacters: '"\'\\`/@:;?#%&$' } },
      },
    });
    // Single-user: the database's own first password, supplied at deploy time (ROT-FIRST-PASSWORD).
    const master = prod.secrets.find((s) => s.id === 'orders_db_master')!;
    expect(master.value.kind === 'json' && master.value.keys.password).toEqual({ deployTime: 'orders_db_master_password' });
    const cfg = prod.secrets.find((s) => s.id === 'orders_config')!;
    expect(cfg.value.kind === 'json' && cfg.value.keys.SMTP_PASSWORD).toEqual({ deployTime: 'orders_config_smtp_password' });
    expect(cfg.value.kind === 'json' && cfg.value.keys.CACHE_PASSWORD).toEqual({
      generate: { length: 40, excludePunctuation: true, excludeCharacters: undefined },
    });
    expect(cfg.value).toMatchObject({ rotateAfterWrite: false });
    expect(prod.secrets.find((s) => s.id === 'payments_api_key')!.value).toEqual({
      kind: 'text',
      version: 1,
      rotateAfterWrite: false,
      source: { deployTime: 'payments_api_key_value' },
    });
    expect(prod.secrets.find((s) => s.id === 'webhook_secret')!.value).toEqual({ kind: 'none', firstValue: 'rotation' });
    expect(prod.secrets.find((s) => s.id === 'billing_db_admin')!.value).toEqual({ kind: 'none', firstValue: 'operator' });
  });

  test('the longest bound ARN wins when one estimate is a prefix of another', () => {
    const arns = new ArnResolver();
    arns.bind('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf', 'A');
    arns.bind('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf-b-AbCdEf', 'B');
    expect(
      arns.resolve(
        '["arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf-b-AbCdEf","arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf:k::"]',
      ),
    ).toBe('["B","A:k::"]');
  });
});

describe('planEnvironment: every derivation, one assertion each', () => {
  const base = () => {
    const env = small();
    env.network = {
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
      endpointClientCidrs: ['10.0.1.0/24'],
    };
    env.tags = { Team: 'platform' };
    env.breakGlass = { roleName: 'bg', description: 'emergency only' };
    return env;
  };
  const add = (env: EnvironmentConfig, s: Partial<EnvironmentConfig['secrets'][number]> & { id: string }) =>
    env.secrets.push({
      service: 'svc',
      component: s.id,
      type: 't',
      description: 'd',
      category: 'application',
      value: { kind: 'external', format: 'text' },
      ...s,
    } as EnvironmentConfig['secrets'][number]);

  test('values: external writes nothing, generated and binary values carry their rules, file and version', () => {
    const env = base();
    add(env, { id: 'ext' });
    add(env, { id: 'gen', value: { kind: 'generated' } });
    add(env, { id: 'bin', value: { kind: 'binary-file', path: 'fixtures/x.der', version: 4 } });
    add(env, { id: 'my', value: { kind: 'json', fields: { engine: 'mysql', host: 'h', username: 'u' }, generated: { password: {} } } });
    add(env, { id: 'plain', value: { kind: 'json', fields: { a: 'b' }, generated: { token: {} } } });
    const p = planEnvironment(env);
    const v = (id: string) => p.secrets.find((s) => s.id === id)!.value;
    expect(v('ext')).toEqual({ kind: 'none', firstValue: 'operator' });
    expect(v('gen')).toEqual({
      kind: 'text',
      version: 1,
      rotateAfterWrite: false,
      source: { generate: { length: 32, excludePunctuation: true, excludeCharacters: undefined } },
    });
    expect(v('bin')).toEqual({ kind: 'binary-file', version: 4, rotateAfterWrite: false, file: 'fixtures/x.der' });
    // The engine field marks a database password even without rotation: connection-string-safe characters.
    expect(v('my')).toMatchObject({
      keys: { password: { generate: { length: 32, excludePunctuation: false, excludeCharacters: '"\'\\`/@:;?#%&$' } } },
    });
    expect(v('plain')).toMatchObject({
      keys: { a: { literal: 'b' }, token: { generate: { length: 32, excludePunctuation: true, excludeCharacters: undefined } } },
    });
  });

  test("rotation: TLS below verify-full is tagged and gets its own function, so it lowers no other secret's floor; admin ids are listed once; unknown admins are not granted", () => {
    const env = base();
    const db = (id: string, tls?: 'require', adminSecret = 'adm') =>
      add(env, {
        id,
        category: 'database',
        value: { kind: 'json', fields: { engine: 'postgres', host: 'h', username: id }, generated: { password: {} } },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'admin',
          adminSecret,
          schedule: { afterDays: 30 },
          databaseCidrs: ['10.0.0.5/32'],
          ...(tls ? { tls } : {}),
        },
      });
    add(env, {
      id: 'adm',
      category: 'database',
      value: { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'username', 'password'] },
    });
    db('a', 'require');
    db('b');
    db('c', undefined, 'ghost');
    const p = planEnvironment(env);
    const f = p.rotationFunctions.find((x) => x.key === 'postgres-admin')!;
    const weak = p.rotationFunctions.find((x) => x.key === 'postgres-admin-tlsreq')!;
    expect([f.strategy, f.minimumTls, f.secretIds]).toEqual(['admin', 'verify-full', ['b', 'c']]);
    expect([weak.strategy, weak.minimumTls, weak.secretIds, weak.functionName, weak.roleName]).toEqual([
      'admin',
      'require',
      ['a'],
      'staging-secrets-rotation-postgres-admin-tlsreq',
      'staging-secrets-rotation-postgres-admin-tlsreq-role',
    ]);
    expect(f.environment).toEqual({
      ROTATION_STRATEGY: 'admin',
      ROTATION_MIN_TLS: 'verify-full',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(weak.environment).toEqual({
      ROTATION_STRATEGY: 'admin',
      ROTATION_MIN_TLS: 'require',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(p.secrets.find((s) => s.id === 'a')!.rotation!.functionName).toBe(weak.functionName);
    expect(f.adminSecretIds).toEqual(['adm', 'ghost']);
    expect(f.rolePolicy.Statement.find((s) => s.Sid === 'ReadAdminSecrets')!.Resource).toEqual([
      p.secrets.find((s) => s.id === 'adm')!.arn,
    ]);
    expect(p.secrets.find((s) => s.id === 'a')!.rotationTags['rotation:tls']).toBe('require');
    expect(p.secrets.find((s) => s.id === 'b')!.rotationTags['rotation:tls']).toBeUndefined();
    expect(p.secrets.find((s) => s.id === 'c')!.rotationTags['rotation:admin-secret']).toBeUndefined();
    expect(f.vpc!.databases).toEqual([
      { port: 5432, cidrs: ['10.0.0.5/32'], securityGroupIds: [] },
      { port: 5432, cidrs: [], securityGroupIds: [] },
    ]);
    expect(weak.vpc!.databases).toEqual([{ port: 5432, cidrs: ['10.0.0.5/32'], securityGroupIds: [] }]);
    expect(p.documents.find((d) => d.document === f.rolePolicy)!.subject).toBe('rotation function postgres-admin (staging)');
  });

  test('the bulk invoke permission starts above 40 secrets, not at 40', () => {
    const env = base();
    for (let i = 0; i < 40; i++)
      add(env, { id: `g${i}`, rotation: { kind: 'generated', format: 'hex', length: 64, schedule: { afterDays: 30 } } });
    expect(planEnvironment(env).rotationFunctions[0].bulkInvokeSourceArn).toBeUndefined();
  });

  test('ECS container secrets keep the injected JSON key', () => {
    const env = base();
    add(env, { id: 'cfg', value: { kind: 'json', fields: { a: 'b' } }, ecs: [{ service: 'web', inject: [{ env: 'A', jsonKey: 'a' }] }] });
    const svc = planEnvironment(env).ecsServices[0];
    expect(svc.containerSecrets).toContainEqual({ name: 'A', valueFrom: expect.stringMatching(/:a::$/), secretId: 'cfg', jsonKey: 'a' });
  });

  test('endpoint, tags, break-glass and partition', () => {
    const p = planEnvironment(base());
    expect(p.endpoint).toMatchObject({
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
      clientCidrs: ['10.0.1.0/24'],
      create: true,
    });
    expect(p.endpoint!.policy.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': ['234567890123'] } });
    expect(p.documents.find((d) => d.document === p.endpoint!.policy)!.subject).toBe('Secrets Manager endpoint (staging)');
    expect(p.defaultTags).toEqual({
      Environment: 'staging',
      Project: 'secrets-platform',
      ManagedBy: 'cdktf',
      Owner: 'o',
      CostCenter: 'c',
      Repository: 'github.com/example-org/secrets-platform',
      Team: 'platform',
      'secrets-platform:stack': 'environment',
    });
    expect(p.resourceTags).toEqual({ Environment: 'staging' });
    expect(p.breakGlass).toEqual({ roleName: 'bg', roleArn: 'arn:aws:iam::234567890123:role/bg', description: 'emergency only' });
    expect(p.partition).toBe('aws');
    const off = base();
    off.network!.createSecretsManagerEndpoint = false;
    expect(planEnvironment(off).endpoint!.create).toBe(false);
    const gov = base();
    gov.region = 'us-gov-west-1';
    expect(planEnvironment(gov).partition).toBe('aws-us-gov');
    expect(planEnvironment(gov).breakGlass.roleArn).toBe('arn:aws-us-gov:iam::234567890123:role/bg');
  });

  test('a reader named twice on a secret is granted once; the first of two equal ids wins the lookups', () => {
    const env = base();
    env.secrets[0].readers = ['apps', 'apps'];
    const p = planEnvironment(env);
    expect(p.secrets[0].resourcePolicy!.Statement.filter((s) => s.Effect === 'Allow')).toHaveLength(2);
    expect(p.keys[0].grantees).toHaveLength(1);
    const dup = base();
    add(dup, { id: 'x', description: 'first' });
    add(dup, { id: 'x', description: 'second', service: 'other' });
    add(dup, {
      id: 'y',
      rotation: { kind: 'database', engine: 'postgres', strategy: 'admin', adminSecret: 'x', schedule: { afterDays: 30 } } as never,
    });
    const q = planEnvironment(dup);
    expect(q.secrets.find((s) => s.id === 'y')!.rotationTags['rotation:admin-secret']).toBe('staging/svc/x/t');
  });
});
