/**
 * The plan (stacks/plan): pure, frozen, complete. Fast tests with exact documents, so mutation
 * testing of the plan and the policy builders has tests that bite.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dev } from '../../stacks/environments/dev';
import { production } from '../../stacks/environments/production';
import { staging } from '../../stacks/environments/staging';
import { EnvironmentConfig } from '../../stacks/environments/types';
import { ArnResolver, policySize } from '../../modules/policy';
import { planEnvironment } from '../../stacks/plan';

const root = path.resolve(__dirname, '../..');

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
    const deps = [...runtimeImports(path.join(root, 'stacks/plan/index.ts'))];
    const packages = deps.filter((d) => d.startsWith('pkg:'));
    expect(packages.filter((p) => /cdktf|constructs/.test(p))).toEqual([]);
    expect(deps.filter((d) => d.includes(`${path.sep}modules${path.sep}`) && !d.includes(`${path.sep}policies${path.sep}`) && !d.endsWith('policy.ts'))).toEqual([]);
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
      { name: 'apps', kind: 'account', accountId: '555566667777', roleNames: ['reader'], roleArns: ['arn:aws:iam::555566667777:role/reader'] },
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
          Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader'] }, StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } },
        },
        { Sid: 'Describe555566667777', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::555566667777:root' }, Action: 'secretsmanager:DescribeSecret', Resource: arn, Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::555566667777:role/reader'] } } },
        {
          Sid: 'ReadCurrentoabcdefghij',
          Effect: 'Allow',
          Principal: '*',
          Action: 'secretsmanager:GetSecretValue',
          Resource: arn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'secretsmanager:VersionStage': 'AWSCURRENT' } },
        },
        { Sid: 'Describeoabcdefghij', Effect: 'Allow', Principal: '*', Action: 'secretsmanager:DescribeSecret', Resource: arn, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } },
    ]);
    // Deny by default: value reads by the named roles (and the organisation, never this account's
    // other principals), writes by the rotation and deploy roles, management by the deploy role.
    const sids = p.secrets[0].resourcePolicy.Statement.filter((s) => s.Effect === 'Deny').map((s) => s.Sid);
    expect(sids).toEqual(['DenyValueReadsToUnnamed', 'DenyValueReadsToUnnamedInThisAccount', 'DenyValueWritesToUnnamed', 'DenyManagementToUnnamed']);
    expect(p.secrets[0].access.readers).toEqual(expect.arrayContaining(['arn:aws:iam::234567890123:role/notifier', 'arn:aws:iam::234567890123:role/staging-web-ecs-task']));
  });

  test('keys: one per category, replicated where its secrets are, distinct estimated ARNs, a policy per region', () => {
    const p = planEnvironment(small());
    expect(p.keys.map((k) => [k.id, k.alias, k.regions])).toEqual([['key-api-keys', 'alias/secrets-platform/staging/api-keys', ['us-east-1', 'us-west-2']]]);
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
    expect(k.policyByRegion['us-east-1'].Statement.map((s) => s.Sid)).toEqual(['KeyAdministrationByAccount', 'GrantsOnlyForAwsResources', 'AccountPrincipalsThroughServices', 'CrossAccountDecrypt555566667777', 'OrganizationDecryptoabcdefghij']);
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
        { Sid: 'PullImagesFromNamedRepositories', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: ['arn:aws:ecr:us-east-1:234567890123:repository/web'] },
        { Sid: 'WriteServiceLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:234567890123:log-group:/ecs/staging-web:log-stream:*' },
        { Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [arn, replica] },
        { Sid: 'DecryptThroughSecretsManager', Effect: 'Allow', Action: 'kms:Decrypt', Resource: [key, west], Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.us-west-2.amazonaws.com'] } } },
      ],
    });
    expect(svc.logGroupName).toBe('/ecs/staging-web');
    expect(svc.taskRole!.name).toBe('staging-web-ecs-task');
    expect(svc.taskRole!.policy.Statement[0].Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(svc.containerSecrets).toEqual([{ name: 'API_KEY', valueFrom: arn, secretId: 'api' }]);
  });

  test('readers: an iam-role reader gets an inline policy, accounts and organisations get consumer policies', () => {
    const p = planEnvironment(small());
    expect(p.readers.map((r) => [r.name, !!r.inlinePolicy, r.consumerPolicies?.length ?? 0, r.outputName])).toEqual([
      ['apps', false, 1, 'consumer_policies_apps'],
      ['org', false, 1, 'consumer_policies_org'],
      ['fn', true, 0, undefined],
    ]);
    expect(p.readers[2].inlinePolicy!.policyName).toBe('secrets-platform-staging-secrets');
    expect(p.readers[2].inlinePolicy!.roleName).toBe('notifier');
  });

  test('rotation functions: names, roles, environment and the role policy with the estimated log group', () => {
    const p = planEnvironment(production);
    const f = p.rotationFunctions.find((r) => r.key === 'postgres-alternating-users')!;
    expect(f.functionName).toBe('prod-secrets-rotation-postgres-alternating-users');
    expect(f.roleName).toBe('prod-secrets-rotation-postgres-alternating-users-role');
    expect(f.environment).toEqual({ ROTATION_STRATEGY: 'alternating-users', ROTATION_MIN_TLS: 'verify-full', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' });
    expect(f.secretIds).toEqual(['platform_db_app', 'ticket_db_app']);
    expect(f.adminSecretIds).toEqual(['platform_db_master', 'ticket_db_master']);
    expect(f.logGroupArn).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/prod-secrets-rotation-postgres-alternating-users');
    const logs = f.rolePolicy.Statement.find((s) => s.Sid === 'WriteOwnLogs')!;
    expect(logs.Resource).toBe(`${f.logGroupArn}:*`);
    const admin = f.rolePolicy.Statement.find((s) => s.Sid === 'ReadAdminSecrets')!;
    expect(admin.Resource).toEqual(['platform_db_master', 'ticket_db_master'].map((id) => p.secrets.find((s) => s.id === id)!.arn));
    const gen = p.rotationFunctions.find((r) => r.key === 'generated')!;
    expect(gen.environment).toEqual({});
    expect(gen.description).toBe('Secrets Manager rotation (generated values)');
    expect(p.secrets.find((s) => s.id === 'api_gateway_key')!.rotation!.schedule.rotateImmediately).toBe(true);
    expect(p.secrets.find((s) => s.id === 'platform_db_app')!.rotation!.schedule.rotateImmediately).toBe(false);
  });

  test('rotation tags pin the admin secret and the user; catalog tags come after them', () => {
    const p = planEnvironment(production);
    const app = p.secrets.find((s) => s.id === 'platform_db_app')!;
    expect(app.rotationTags).toEqual({
      RotationFunction: 'prod-secrets-rotation-postgres-alternating-users',
      'rotation:admin-secret': 'prod/platform/postgres/master-credentials',
      'rotation:username': 'platform_app',
    });
  });

  test('every document the stack writes is in plan.documents, measured as rendered', () => {
    for (const env of [dev, staging, production]) {
      const p = planEnvironment(env);
      const docs = new Set(p.documents.map((d) => d.document));
      for (const k of [...p.keys, p.monitoringKey]) for (const d of Object.values(k.policyByRegion)) expect(docs.has(d)).toBe(true);
      for (const s of p.secrets) if (s.resourcePolicy) expect(docs.has(s.resourcePolicy)).toBe(true);
      for (const f of p.rotationFunctions) expect(docs.has(f.rolePolicy) && docs.has(f.trustPolicy)).toBe(true);
      for (const e of p.ecsServices) for (const r of [e.executionRole, e.taskRole]) if (r) expect(docs.has(r.policy)).toBe(true);
      for (const r of p.readers) for (const d of [...(r.consumerPolicies ?? []), ...(r.inlinePolicy ? [r.inlinePolicy.document] : [])]) expect(docs.has(d)).toBe(true);
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
    expect(arns.resolve('arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*')).toBe('arn:aws:secretsmanager:us-east-1:234567890123:secret:staging/*');
    // The measured size is the size of the document with ARNs of their real length.
    expect(policySize(doc)).toBe(JSON.stringify(doc).length);
    expect(() => arns.bind(p.secrets[0].arn, '${other}')).toThrow(/bound to two resources/);
  });
});
