/** Secret resource policies and read policies, judged by IAM evaluation (iam-simulate). */
import {
  crossAccountSecretPolicy,
  ecrRepositoryArn,
  ecsExecutionPolicy,
  ecsLogGroupName,
  ecsRoleNames,
  ecsTrustPolicy,
  MAX_MANAGED_POLICIES_PER_ROLE,
  readPolicy,
  SECRET_MANAGEMENT_ACTIONS,
  SECRET_VALUE_WRITE_ACTIONS,
  secretResourcePolicy,
  type SecretGrant,
  splitReadGrants,
  valueFrom,
} from '../../plan/policies/access';
import { policySize } from '../../plan/policy';
import { allowed } from './sim';

const ACCOUNT = '123456789012';
const arn = (region: string) => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:prod/app/db-AbCdEf`;
const SECRET = arn('us-east-1');
const REPLICA = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:prod/app/db-??????`;
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const READER = role('reader', '111111111111');
const APP = role('app');
const ROTATION = role('rotation');
const DEPLOY = role('deploy');
const BREAK_GLASS = role('break-glass');
const ADMIN = role('admin');

const policyOf = () =>
  secretResourcePolicy({
    partition: 'aws',
    secret: SECRET,
    replicas: [REPLICA],
    accountId: ACCOUNT,
    crossAccount: [
      { kind: 'account', accountId: '111111111111', principalArns: [READER] },
      { kind: 'organization', organizationId: 'o-abcdefghij' },
    ],
    readers: [APP, ROTATION],
    valueWriters: [ROTATION, DEPLOY],
    managers: [DEPLOY],
    breakGlassRoleArn: BREAK_GLASS,
  });
const can = (principal: string, action: string, region = 'us-east-1', context: Record<string, string> = {}) =>
  allowed({
    principal,
    action,
    resource: arn(region),
    resourceAccount: ACCOUNT,
    resourcePolicy: policyOf(),
    context: { 'secretsmanager:VersionStage': 'AWSCURRENT', ...context },
  });

test('value reads: the named roles, the break-glass role, and the named reader of the other account (AWSCURRENT only)', async () => {
  for (const p of [APP, ROTATION, BREAK_GLASS]) expect([p, await can(p, 'secretsmanager:GetSecretValue')]).toEqual([p, true]);
  for (const p of [ADMIN, DEPLOY]) expect([p, await can(p, 'secretsmanager:GetSecretValue')]).toEqual([p, false]);
  expect(await can(READER, 'secretsmanager:GetSecretValue')).toBe(true);
  expect(await can(READER, 'secretsmanager:GetSecretValue', 'us-west-2')).toBe(true);
  expect(await can(READER, 'secretsmanager:GetSecretValue', 'us-east-1', { 'secretsmanager:VersionStage': 'AWSPREVIOUS' })).toBe(false);
  expect(await can(READER, 'secretsmanager:DescribeSecret')).toBe(true);
  expect(await can(READER, 'secretsmanager:PutSecretValue')).toBe(false);
  expect(await can(role('other', '111111111111'), 'secretsmanager:GetSecretValue')).toBe(false);
  expect(await can(role('other', '111111111111'), 'secretsmanager:DescribeSecret')).toBe(false);
});

test('organization members read from their own accounts, never from this one', async () => {
  const member = role('member', '222222222222');
  expect(await can(member, 'secretsmanager:GetSecretValue', 'us-east-1', { 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(true);
  expect(await can(member, 'secretsmanager:DescribeSecret', 'us-east-1', { 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(true);
  expect(await can(member, 'secretsmanager:GetSecretValue', 'us-east-1', { 'aws:PrincipalOrgID': 'o-someoneelse' })).toBe(false);
  // This account is in the organization too: membership does not admit its unnamed principals.
  expect(await can(ADMIN, 'secretsmanager:GetSecretValue', 'us-east-1', { 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(false);
  expect(await can(APP, 'secretsmanager:GetSecretValue', 'us-east-1', { 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(true);
});

test('value writes: rotation, deploy and break-glass; management: deploy and break-glass', async () => {
  for (const action of SECRET_VALUE_WRITE_ACTIONS) {
    for (const p of [ROTATION, DEPLOY, BREAK_GLASS]) expect([p, action, await can(p, action)]).toEqual([p, action, true]);
    for (const p of [APP, ADMIN]) expect([p, action, await can(p, action)]).toEqual([p, action, false]);
  }
  for (const action of SECRET_MANAGEMENT_ACTIONS) {
    for (const p of [DEPLOY, BREAK_GLASS]) expect([p, action, await can(p, action)]).toEqual([p, action, true]);
    for (const p of [ROTATION, APP, ADMIN]) expect([p, action, await can(p, action)]).toEqual([p, action, false]);
  }
  expect(SECRET_MANAGEMENT_ACTIONS).toEqual(
    [
      'CancelRotateSecret',
      'CreateSecret',
      'DeleteResourcePolicy',
      'DeleteSecret',
      'PutResourcePolicy',
      'RemoveRegionsFromReplication',
      'ReplicateSecretToRegions',
      'RestoreSecret',
      'RotateSecret',
      'StopReplicationToReplica',
      'TagResource',
      'UntagResource',
      'UpdateSecret',
      'ValidateResourcePolicy',
    ].map((a) => `secretsmanager:${a}`),
  );
  expect(SECRET_VALUE_WRITE_ACTIONS).toEqual(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']);
  const p = policyOf();
  expect(p.Statement.map((s) => s.Sid)).toEqual([
    'ReadCurrent111111111111',
    'Describe111111111111',
    'ReadCurrentoabcdefghij',
    'Describeoabcdefghij',
    'DenyValueReadsToUnnamed',
    'DenyValueReadsToUnnamedInThisAccount',
    'DenyValueWritesToUnnamed',
    'DenyManagementToUnnamed',
  ]);
  for (const st of p.Statement.filter((s) => s.Effect === 'Deny')) {
    expect(st.Principal).toBe('*');
    expect(st.Resource).toEqual([SECRET, REPLICA]);
    expect((st.Condition as any).BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
  }
  expect(p.Statement[4].Action).toEqual(['secretsmanager:GetSecretValue']);
  expect((p.Statement[4].Condition as any).ArnNotLike['aws:PrincipalArn']).toEqual([APP, BREAK_GLASS, READER, ROTATION].sort());
  expect((p.Statement[5].Condition as any).StringEquals).toEqual({ 'aws:PrincipalAccount': ACCOUNT });
  expect((p.Statement[4].Condition as any).StringNotEquals).toEqual({ 'aws:PrincipalOrgID': ['o-abcdefghij'] });
  expect(p.Statement[6].Action).toEqual(SECRET_VALUE_WRITE_ACTIONS);
  expect(p.Statement[7].Action).toEqual(SECRET_MANAGEMENT_ACTIONS);
  // Metadata stays with IAM: an administrator may describe, never read.
  expect(await can(ADMIN, 'secretsmanager:DescribeSecret')).toBe(true);
});

test('AWS services acting as themselves are never denied (replication, rotation)', async () => {
  const policy = policyOf();
  const opened = {
    ...policy,
    Statement: [
      ...policy.Statement,
      { Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: '*', Resource: '*' },
    ],
  };
  for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:ReplicateSecretToRegions']) {
    expect(
      await allowed({
        principal: 'secretsmanager.amazonaws.com',
        action,
        resource: arn('us-east-1'),
        resourceAccount: ACCOUNT,
        resourcePolicy: opened,
      }),
    ).toBe(true);
  }
});

test('one resource stays a string; replicas make a list', () => {
  const single = secretResourcePolicy({
    partition: 'aws',
    secret: SECRET,
    accountId: ACCOUNT,
    crossAccount: [],
    readers: [],
    valueWriters: [],
    managers: [],
    breakGlassRoleArn: BREAK_GLASS,
  });
  expect(single.Statement.map((s) => s.Resource)).toEqual([SECRET, SECRET, SECRET]);
  expect(single.Statement.map((s) => (s.Condition as any).ArnNotLike['aws:PrincipalArn'])).toEqual([
    [BREAK_GLASS],
    [BREAK_GLASS],
    [BREAK_GLASS],
  ]);
  expect(
    crossAccountSecretPolicy(SECRET, [{ kind: 'account', accountId: '111111111111', principalArns: [READER] }], 'aws').Statement[0]
      .Resource,
  ).toBe(SECRET);
  expect(
    crossAccountSecretPolicy([SECRET, REPLICA], [{ kind: 'account', accountId: '111111111111', principalArns: [READER] }], 'aws')
      .Statement[1].Resource,
  ).toEqual([SECRET, REPLICA]);
});

test("the partition is the plan's: account roots and ECS, ECR and log ARNs are written in it", () => {
  const cn = crossAccountSecretPolicy(SECRET, [{ kind: 'account', accountId: '111111111111', principalArns: [READER] }], 'aws-cn');
  expect(cn.Statement[0].Principal).toEqual({ AWS: 'arn:aws-cn:iam::111111111111:root' });
  const scope = { partition: 'aws-cn', region: 'cn-north-1', accountId: ACCOUNT };
  expect(ecsTrustPolicy(scope).Statement[0].Condition!.ArnLike).toEqual({ 'aws:SourceArn': `arn:aws-cn:ecs:cn-north-1:${ACCOUNT}:*` });
  expect(ecrRepositoryArn('api', scope)).toBe(`arn:aws-cn:ecr:cn-north-1:${ACCOUNT}:repository/api`);
  const exec = ecsExecutionPolicy({ ...scope, repositories: ['api'], logGroupName: '/ecs/x', inject: [] });
  expect(exec.Statement.map((s) => s.Resource)).toEqual([
    '*',
    [`arn:aws-cn:ecr:cn-north-1:${ACCOUNT}:repository/api`],
    `arn:aws-cn:logs:cn-north-1:${ACCOUNT}:log-group:/ecs/x:log-stream:*`,
  ]);
});

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123`;
const WEST_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-0123`;
const grant: SecretGrant = {
  secret: SECRET,
  key: KEY,
  regions: ['us-east-1', 'us-west-2'],
  replicas: [{ region: 'us-west-2', secret: REPLICA, key: WEST_KEY }],
};

test('a read policy names the secret, its replicas and their keys, decrypting only through Secrets Manager', async () => {
  const doc = readPolicy([grant], { describe: true });
  // Key policies delegate to IAM in this account, so the identity policy decides.
  const delegate = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: '*', Resource: '*' }],
  };
  const read = (action: string, resource: string, context: Record<string, string> = {}) =>
    allowed({
      principal: APP,
      action,
      resource,
      resourceAccount: ACCOUNT,
      identity: doc,
      context,
      resourcePolicy: action.startsWith('kms:') ? delegate : undefined,
    });
  expect(await read('secretsmanager:GetSecretValue', arn('us-east-1'))).toBe(true);
  expect(await read('secretsmanager:GetSecretValue', arn('us-west-2'))).toBe(true);
  expect(await read('secretsmanager:DescribeSecret', arn('us-east-1'))).toBe(true);
  expect(await read('secretsmanager:PutSecretValue', arn('us-east-1'))).toBe(false);
  expect(await read('secretsmanager:GetSecretValue', arn('us-east-1').replace('db-', 'other-'))).toBe(false);
  expect(await read('kms:Decrypt', KEY, { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' })).toBe(true);
  expect(await read('kms:Decrypt', WEST_KEY, { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' })).toBe(true);
  expect(await read('kms:Decrypt', KEY)).toBe(false);
  expect(await read('kms:GenerateDataKey', KEY, { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' })).toBe(false);
  expect(readPolicy([grant], { describe: false }).Statement[0]).toEqual({
    Sid: 'ReadSecrets',
    Effect: 'Allow',
    Action: 'secretsmanager:GetSecretValue',
    Resource: [SECRET, REPLICA],
  });
  expect(readPolicy([{ secret: SECRET, regions: ['us-east-1'] }], { describe: true }).Statement).toHaveLength(1);
  // A secret under the AWS-managed key adds no key and no Region to another's decrypt statement.
  const mixed = readPolicy([grant, { secret: 'x', regions: ['eu-west-1'] }], { describe: false });
  expect(mixed.Statement[1]).toEqual({
    Sid: 'DecryptThroughSecretsManager',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: [KEY, WEST_KEY],
    Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.us-west-2.amazonaws.com'] } },
  });
});

test('consumer policies split at the size limit, keeping every grant, in order', () => {
  const many: SecretGrant[] = Array.from({ length: 150 }, (_, i) => ({
    secret: arn('us-east-1').replace('db-', `db${i}-`),
    key: KEY,
    regions: ['us-east-1'],
  }));
  const parts = splitReadGrants(many, 6144, { describe: true });
  expect(parts.length).toBeGreaterThan(1);
  expect(parts.flat()).toEqual(many);
  for (const p of parts) expect(policySize(readPolicy(p, { describe: true }))).toBeLessThanOrEqual(6144);
  // Each part but the last is full: adding the next grant would cross the limit.
  for (let i = 0; i < parts.length - 1; i++)
    expect(policySize(readPolicy([...parts[i], parts[i + 1][0]], { describe: true }))).toBeGreaterThan(6144);
  expect(splitReadGrants([], 6144, { describe: true })).toEqual([]);
  expect(splitReadGrants(many.slice(0, 1), 10, { describe: true })).toEqual([many.slice(0, 1)]);
  // A document exactly at the limit still fits (AWS's limit is inclusive).
  const two = many.slice(0, 2);
  const exact = policySize(readPolicy(two, { describe: true }));
  expect(splitReadGrants(two, exact, { describe: true })).toEqual([two]);
  expect(splitReadGrants(two, exact - 1, { describe: true })).toEqual([[two[0]], [two[1]]]);
  expect(MAX_MANAGED_POLICIES_PER_ROLE).toBe(10);
});

test('ECS: trust for this account and Region only; the execution role pulls, logs and injects, nothing more', async () => {
  const trust = ecsTrustPolicy({ partition: 'aws', accountId: ACCOUNT, region: 'us-east-1' });
  const assume = (ctx: Record<string, string>) =>
    allowed({
      principal: 'ecs-tasks.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: role('x'),
      resourceAccount: ACCOUNT,
      resourcePolicy: trust,
      context: ctx,
    });
  expect(await assume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ecs:us-east-1:${ACCOUNT}:task/c/1` })).toBe(true);
  expect(await assume({ 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:ecs:us-east-1:999999999999:task/c/1` })).toBe(false);
  expect(await assume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/c/1` })).toBe(false);
  expect(await assume({ 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:aws:ecs:us-east-1:${ACCOUNT}:task/c/1` })).toBe(false);
  expect(trust.Statement[0].Sid).toBe('EcsTasksOfThisAccount');
  const exec = ecsExecutionPolicy({
    partition: 'aws',
    accountId: ACCOUNT,
    region: 'us-east-1',
    repositories: ['api', 'arn:aws:ecr:us-east-1:555555555555:repository/shared'],
    logGroupName: '/ecs/prod-api',
    inject: [grant],
  });
  expect(exec.Statement[3].Resource).toEqual([SECRET, REPLICA]);
  expect(
    ecsExecutionPolicy({
      partition: 'aws',
      accountId: ACCOUNT,
      region: 'us-east-1',
      repositories: ['api'],
      logGroupName: '/ecs/x',
      inject: [grant],
    }).Statement[3],
  ).toEqual({ Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [SECRET, REPLICA] });
  const can = (action: string, resource: string, context: Record<string, string> = {}) =>
    allowed({
      principal: role('prod-api-ecs-execution'),
      action,
      resource,
      resourceAccount: resource.split(':')[4] || ACCOUNT,
      identity: exec,
      context,
    });
  expect(await can('ecr:GetAuthorizationToken', '*')).toBe(true);
  expect(await can('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api`)).toBe(true);
  expect(await can('ecr:GetDownloadUrlForLayer', `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api`)).toBe(true);
  expect(await can('ecr:BatchCheckLayerAvailability', `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api`)).toBe(true);
  expect(await can('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other`)).toBe(false);
  expect(await can('ecr:PutImage', `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api`)).toBe(false);
  expect(await can('logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/prod-api:log-stream:web/1`)).toBe(true);
  expect(await can('logs:CreateLogStream', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/prod-api:log-stream:web/1`)).toBe(true);
  expect(await can('logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/other:log-stream:web/1`)).toBe(false);
  expect(await can('secretsmanager:GetSecretValue', arn('us-east-1'))).toBe(true);
  expect(await can('secretsmanager:DescribeSecret', arn('us-east-1'))).toBe(false);
  expect(
    ecsExecutionPolicy({
      partition: 'aws',
      accountId: ACCOUNT,
      region: 'us-east-1',
      repositories: ['api'],
      logGroupName: '/ecs/x',
      inject: [],
    }).Statement.map((s) => s.Sid),
  ).toEqual(['EcrAuthorizationToken', 'PullImagesFromNamedRepositories', 'WriteServiceLogs']);
  expect(ecrRepositoryArn('api', { partition: 'aws', region: 'eu-west-1', accountId: ACCOUNT })).toBe(
    `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/api`,
  );
  expect(ecrRepositoryArn('arn:aws:ecr:us-east-1:5:repository/x', { partition: 'aws', region: 'eu-west-1', accountId: ACCOUNT })).toBe(
    'arn:aws:ecr:us-east-1:5:repository/x',
  );
  expect(ecsRoleNames('prod-api')).toEqual({ execution: 'prod-api-ecs-execution', task: 'prod-api-ecs-task' });
  expect(ecsLogGroupName('prod-api')).toBe('/ecs/prod-api');
  expect(valueFrom('arn:x', 'password')).toBe('arn:x:password::');
  expect(valueFrom('arn:x')).toBe('arn:x');
});
