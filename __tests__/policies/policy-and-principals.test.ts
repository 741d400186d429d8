/** The shared policy helpers and who each secret's policy names (plan/secret-access.ts). */
import { ArnResolver } from '../../modules/arn-resolver';
import { accountRoot, estimatedKeyArn, estimatedSecretArn } from '../../plan/arn';
import { decryptViaSecretsManager, policy, policySize, POLICY_LIMITS, renderPolicy, secretsManagerVia, uniq } from '../../plan/policy';
import { rotationRoleName, secretPrincipals } from '../../plan/secret-access';
import type { EnvironmentConfig } from '../../catalogs/types';

test('helpers', () => {
  expect(accountRoot('aws', '123456789012')).toBe('arn:aws:iam::123456789012:root');
  expect(secretsManagerVia('eu-west-1')).toBe('secretsmanager.eu-west-1.amazonaws.com');
  expect(uniq(['a', 'b', 'a'])).toEqual(['a', 'b']);
  expect(estimatedSecretArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'prod/x')).toBe(
    'arn:aws:secretsmanager:us-east-1:1:secret:prod/x-AbCdEf',
  );
  expect(estimatedKeyArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'us-east-1')).toBe(
    'arn:aws:kms:us-east-1:1:key/mrk-0123456789abcdef0123456789abcdef',
  );
  expect(estimatedKeyArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'us-east-1', 'alias/a')).toMatch(
    /^arn:aws:kms:us-east-1:1:key\/mrk-[0-9a-f]{32}$/,
  );
  expect(estimatedKeyArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'us-east-1', 'alias/a')).not.toBe(
    estimatedKeyArn({ partition: 'aws', region: 'us-west-2', accountId: '1' }, 'us-west-2', 'alias/a').replace('us-west-2', 'us-east-1'),
  );
  expect(estimatedKeyArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'us-east-1', 'alias/a')).not.toBe(
    estimatedKeyArn({ partition: 'aws', region: 'us-east-1', accountId: '1' }, 'us-east-1', 'alias/b'),
  );
  expect(policy([], 'id')).toEqual({ Version: '2012-10-17', Id: 'id', Statement: [] });
  expect(policy([])).toEqual({ Version: '2012-10-17', Statement: [] });
  expect(policySize(policy([]))).toBe(renderPolicy(policy([])).length);
  expect(policySize({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'é', Resource: '*' }] })).toBe(
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'é', Resource: '*' }] }).length + 1,
  );
  expect(POLICY_LIMITS).toMatchObject({
    secretResourcePolicy: 20480,
    kmsKeyPolicy: 32768,
    iamInlinePoliciesPerRole: 10240,
    iamManagedPolicy: 6144,
    iamTrustPolicy: 2048,
  });
  const d = decryptViaSecretsManager(['r1', 'r1'], ['us-east-1', 'us-east-1', 'eu-west-1']);
  expect(d).toEqual({
    Sid: 'DecryptThroughSecretsManager',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: ['r1'],
    Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'] } },
  });
  expect(decryptViaSecretsManager(['e1'], ['us-east-1'], 'X')).toMatchObject({ Sid: 'X', Resource: ['e1'] });
});

test('the ARN resolver swaps bound estimates for references, longest prefix first, and refuses a second binding', () => {
  const r = new ArnResolver();
  r.bind('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf', '${s.arn}');
  r.bind('arn:aws:logs:us-east-1:1:log-group:/x', '${l.arn}');
  r.bind('arn:aws:logs:us-east-1:1:log-group:/x', '${l.arn}');
  expect(r.has('arn:aws:logs:us-east-1:1:log-group:/x')).toBe(true);
  expect(r.has('arn:aws:logs:us-east-1:1:log-group:/y')).toBe(false);
  expect(r.resolve('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf:password::')).toBe('${s.arn}:password::');
  expect(r.resolve('arn:aws:logs:us-east-1:1:log-group:/x:*')).toBe('${l.arn}:*');
  expect(r.resolve('"arn:aws:secretsmanager:us-east-1:1:secret:b-AbCdEf"')).toBe('"arn:aws:secretsmanager:us-east-1:1:secret:b-AbCdEf"');
  expect(r.resolve('x arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf y')).toBe('x ${s.arn} y');
  // Only whole ARN components: a longer name that starts like a bound ARN stays itself.
  expect(r.resolve('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEfXY')).toBe('arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEfXY');
  expect(r.resolve('arn:aws:logs:us-east-1:1:log-group:/xy:*')).toBe('arn:aws:logs:us-east-1:1:log-group:/xy:*');
  expect(() => r.bind('arn:aws:logs:us-east-1:1:log-group:/x', '${other}')).toThrow(/bound to two resources/);
  expect(r.render(policy([{ Effect: 'Allow', Action: 'a:b', Resource: 'arn:aws:logs:us-east-1:1:log-group:/x:*' }]))).toBe(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:b","Resource":"${l.arn}:*"}]}',
  );
});

const env = (over: Partial<EnvironmentConfig> = {}): EnvironmentConfig =>
  ({
    name: 'production',
    accountId: '123456789012',
    region: 'us-east-1',
    deployRoleArn: 'arn:aws:iam::123456789012:role/deploy',
    breakGlass: { roleName: 'bg' },
    owner: 'o',
    costCenter: 'c',
    recoveryWindowDays: 30,
    keyDeletionWindowDays: 30,
    logRetentionDays: 30,
    readers: { fn: { kind: 'iam-role', roleName: 'notifier' }, apps: { kind: 'account', accountId: '111111111111', roleNames: ['r'] } },
    secrets: [
      {
        id: 'master',
        service: 'db',
        component: 'pg',
        type: 'master',
        description: 'd',
        category: 'database',
        value: { kind: 'json', fields: { username: 'a' }, generated: { password: {} } },
        rotation: { kind: 'database', engine: 'postgres', strategy: 'single-user', schedule: { afterDays: 30 } },
      },
      {
        id: 'app',
        service: 'db',
        component: 'pg',
        type: 'app',
        description: 'd',
        category: 'database',
        value: { kind: 'external', format: 'text' },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'alternating-users',
          adminSecret: 'master',
          schedule: { afterDays: 30 },
        },
        readers: ['fn', 'apps', 'unknown'],
        ecs: [{ service: 'api', runtime: true }, { service: 'web', inject: [{ env: 'X' }] }, { service: 'idle' }],
      },
    ],
    ...over,
  }) as EnvironmentConfig;

test('each secret names its readers, writers and managers as role ARNs', () => {
  const names = (g: string) => `prod-rot-${g}`;
  const p = secretPrincipals(env(), 'aws', names);
  const role = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
  // Roles the environment stack creates live under the workload path.
  const workload = (n: string) => role(`secrets-platform/${n}`);
  // No pipeline role reads a value (V7). An external value: the rotation role and the operator
  // write it; the deploy role and the operator manage (V1).
  expect(p.get('app')).toEqual({
    readers: [
      role('notifier'),
      workload('prod-api-ecs-task'),
      workload('prod-rot-postgres-alternating-users-role'),
      workload('prod-web-ecs-execution'),
    ].sort(),
    valueWriters: [role('secrets-platform-operator'), workload('prod-rot-postgres-alternating-users-role')],
    managers: [role('deploy'), role('secrets-platform-operator')],
    breakGlassRoleArn: role('bg'),
  });
  // A value the values step writes: its role writes and manages (tags, first rotation), never reads.
  expect(p.get('master')).toEqual({
    readers: [workload('prod-rot-postgres-alternating-users-role'), workload('prod-rot-postgres-single-user-role')],
    valueWriters: [role('secrets-platform-operator'), role('secrets-platform-values'), workload('prod-rot-postgres-single-user-role')],
    managers: [role('deploy'), role('secrets-platform-operator'), role('secrets-platform-values')],
    breakGlassRoleArn: role('bg'),
  });
  for (const e of p.values()) expect(e.readers).not.toContain(role('deploy'));
  // Without a deployRoleArn the deploy role has its fixed name; the partition is the plan's.
  const cn = secretPrincipals(env({ deployRoleArn: undefined } as Partial<EnvironmentConfig>), 'aws-cn', names);
  expect(cn.get('master')!.managers).toEqual(
    ['secrets-platform-deploy', 'secrets-platform-operator', 'secrets-platform-values'].map(
      (n) => `arn:aws-cn:iam::123456789012:role/${n}`,
    ),
  );
  expect([...cn.get('master')!.readers, ...cn.get('master')!.valueWriters].every((a) => a.startsWith('arn:aws-cn:iam::'))).toBe(true);
  // Only the catalog's secrets have entries (a rotation without an admin secret adds none).
  expect([...p.keys()]).toEqual(['master', 'app']);
  expect(rotationRoleName('f')).toBe('f-role');
});
