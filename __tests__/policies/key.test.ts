/** The key policy builder, judged by what IAM allows (iam-simulate), not by the statements it writes. */
import { GRANT_FOR_AWS_RESOURCE, KEY_ADMIN_ACTIONS, keyPolicy, SERVICE_KEY_ACTIONS } from '../../plan/policies/key';
import { allowed } from './sim';

const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const READER = 'arn:aws:iam::111111111111:role/reader';
const OTHER = 'arn:aws:iam::111111111111:role/other';
const ORG_MEMBER = 'arn:aws:iam::222222222222:role/member';
const policyOf = () =>
  keyPolicy({
    partition: 'aws',
    accountId: ACCOUNT,
    region: 'us-east-1',
    useVia: ['secretsmanager'],
    grantees: [
      { kind: 'account', accountId: '111111111111', principalArns: [READER] },
      { kind: 'organization', organizationId: 'o-abcdefghij' },
    ],
    services: ['logs', 'events.amazonaws.com', 'cloudwatch.amazonaws.com'],
    logGroups: ['/aws/lambda/prod-secrets-*', '/ecs/prod-*'],
  });
const via = (region: string, caller: string) => ({
  'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
  'kms:CallerAccount': caller,
});
const ask = (principal: string, action: string, context: Record<string, string> = {}) =>
  allowed({
    principal,
    action,
    resource: KEY,
    resourceAccount: ACCOUNT,
    resourcePolicy: policyOf(),
    context: { 'kms:CallerAccount': principal.split(':')[4], ...context },
  });

test('account principals use the key only through Secrets Manager in its Region', async () => {
  // The actions Secrets Manager calls on a caller's behalf (written out, not read from the builder).
  const service = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
  expect(SERVICE_KEY_ACTIONS).toEqual(service);
  for (const action of service) expect([action, await ask(ROLE, action, via('us-east-1', ACCOUNT))]).toEqual([action, true]);
  expect(await ask(ROLE, 'kms:Decrypt')).toBe(false);
  expect(await ask(ROLE, 'kms:Decrypt', via('us-west-2', ACCOUNT))).toBe(false);
  expect(await ask(ROLE, 'kms:Decrypt', { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT })).toBe(false);
  expect(await ask(ROLE, 'kms:Decrypt', via('us-east-1', '999999999999'))).toBe(false);
});

test('administration without data access; grants only for AWS resources', async () => {
  // Every KMS administration action, written out: the account keeps managing the key.
  const admin = [
    'kms:CancelKeyDeletion',
    'kms:CreateAlias',
    'kms:DeleteAlias',
    'kms:DescribeKey',
    'kms:DisableKey',
    'kms:DisableKeyRotation',
    'kms:EnableKey',
    'kms:EnableKeyRotation',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:ListAliases',
    'kms:ListGrants',
    'kms:ListKeyPolicies',
    'kms:ListKeyRotations',
    'kms:ListResourceTags',
    'kms:PutKeyPolicy',
    'kms:ReplicateKey',
    'kms:RetireGrant',
    'kms:RevokeGrant',
    'kms:RotateKeyOnDemand',
    'kms:ScheduleKeyDeletion',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:UpdateAlias',
    'kms:UpdateKeyDescription',
    'kms:UpdatePrimaryRegion',
  ];
  expect(KEY_ADMIN_ACTIONS).toEqual(admin);
  for (const action of admin) expect([action, await ask(ROLE, action)]).toEqual([action, true]);
  // No data access for administration alone (direct, without a service).
  for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'])
    expect([action, await ask(ROLE, action)]).toEqual([action, false]);
  expect(KEY_ADMIN_ACTIONS).toEqual(
    expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DisableKey']),
  );
  expect(await ask(ROLE, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' })).toBe(true);
  expect(await ask(ROLE, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'false' })).toBe(false);
  expect(await ask(ROLE, 'kms:CreateGrant')).toBe(false);
  expect(GRANT_FOR_AWS_RESOURCE).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
});

test('named cross-account roles decrypt through Secrets Manager only; the rest of their account nothing', async () => {
  expect(await ask(READER, 'kms:Decrypt', via('us-east-1', '111111111111'))).toBe(true);
  expect(await ask(READER, 'kms:DescribeKey', via('us-east-1', '111111111111'))).toBe(true);
  expect(await ask(READER, 'kms:GenerateDataKey', via('us-east-1', '111111111111'))).toBe(false);
  expect(await ask(READER, 'kms:Decrypt', via('us-west-2', '111111111111'))).toBe(false);
  expect(await ask(READER, 'kms:Decrypt')).toBe(false);
  expect(await ask(READER, 'kms:Decrypt', via('us-east-1', ACCOUNT))).toBe(false);
  expect(await ask(OTHER, 'kms:Decrypt', via('us-east-1', '111111111111'))).toBe(false);
});

test('organization readers decrypt through Secrets Manager, from within the organization only', async () => {
  expect(await ask(ORG_MEMBER, 'kms:Decrypt', { ...via('us-east-1', '222222222222'), 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(true);
  expect(await ask(ORG_MEMBER, 'kms:DescribeKey', { ...via('us-east-1', '222222222222'), 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(
    true,
  );
  expect(await ask(ORG_MEMBER, 'kms:Decrypt', { ...via('us-east-1', '222222222222'), 'aws:PrincipalOrgID': 'o-otherorgxx' })).toBe(false);
  expect(await ask(ORG_MEMBER, 'kms:Decrypt', { 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(false);
  expect(await ask(ORG_MEMBER, 'kms:GenerateDataKey', { ...via('us-east-1', '222222222222'), 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(
    false,
  );
  expect(await ask(ORG_MEMBER, 'kms:Decrypt', { ...via('us-west-2', '222222222222'), 'aws:PrincipalOrgID': 'o-abcdefghij' })).toBe(false);
});

test('services encrypt for this account only; CloudWatch Logs only for our log groups', async () => {
  for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      expect(
        await allowed({
          principal: service,
          action,
          resource: KEY,
          resourceAccount: ACCOUNT,
          resourcePolicy: policyOf(),
          context: { 'aws:SourceAccount': ACCOUNT },
        }),
      ).toBe(true);
      expect(
        await allowed({
          principal: service,
          action,
          resource: KEY,
          resourceAccount: ACCOUNT,
          resourcePolicy: policyOf(),
          context: { 'aws:SourceAccount': '999999999999' },
        }),
      ).toBe(false);
    }
    expect(
      await allowed({
        principal: service,
        action: 'kms:Encrypt',
        resource: KEY,
        resourceAccount: ACCOUNT,
        resourcePolicy: policyOf(),
        context: { 'aws:SourceAccount': ACCOUNT },
      }),
    ).toBe(false);
  }
  expect(
    await allowed({
      principal: 'sns.amazonaws.com',
      action: 'kms:Decrypt',
      resource: KEY,
      resourceAccount: ACCOUNT,
      resourcePolicy: policyOf(),
      context: { 'aws:SourceAccount': ACCOUNT },
    }),
  ).toBe(false);
  const policy = policyOf();
  const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryption')!;
  expect(logs).toEqual({
    Sid: 'CloudWatchLogsEncryption',
    Effect: 'Allow',
    Principal: { Service: 'logs.us-east-1.amazonaws.com' },
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
    Resource: '*',
    Condition: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': [
          `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/prod-secrets-*`,
          `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/prod-*`,
        ],
      },
    },
  });
  // Without the log groups it would serve, a key for CloudWatch Logs is not written at all.
  expect(() =>
    keyPolicy({ partition: 'aws', accountId: ACCOUNT, region: 'us-east-1', useVia: [], grantees: [], services: ['logs'] }),
  ).toThrow(/service logs needs the log groups/);
  // Every statement allows, on this key, for exactly one kind of principal.
  for (const st of policy.Statement) {
    expect(st.Effect).toBe('Allow');
    expect(st.Resource).toBe('*');
  }
  expect(policy.Statement.find((s) => s.Sid === 'EventBridgePublishToEncryptedTopic')).toEqual({
    Sid: 'EventBridgePublishToEncryptedTopic',
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
  });
  expect(policy.Statement.find((s) => s.Sid === 'CloudWatchAlarmsPublishToEncryptedTopic')!.Principal).toEqual({
    Service: 'cloudwatch.amazonaws.com',
  });
  expect(policy.Statement.find((s) => s.Sid === 'CrossAccountDecrypt111111111111')).toMatchObject({
    Principal: { AWS: 'arn:aws:iam::111111111111:root' },
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
  });
  expect(policy.Statement.find((s) => s.Sid === 'OrganizationDecryptoabcdefghij')).toMatchObject({
    Principal: '*',
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
  });
  expect(policy.Id).toBe('key-policy');
  expect(policy.Statement.map((s) => s.Sid)).toEqual([
    'KeyAdministrationByAccount',
    'GrantsOnlyForAwsResources',
    'AccountPrincipalsThroughServices',
    'CrossAccountDecrypt111111111111',
    'OrganizationDecryptoabcdefghij',
    'CloudWatchLogsEncryption',
    'EventBridgePublishToEncryptedTopic',
    'CloudWatchAlarmsPublishToEncryptedTopic',
  ]);
});

test('the state key: S3 and DynamoDB, in its Region; no statement for account use without services', async () => {
  const state = keyPolicy({
    partition: 'aws',
    accountId: ACCOUNT,
    region: 'eu-west-1',
    useVia: ['s3', 'dynamodb'],
    grantees: [],
    services: [],
  });
  const key = KEY.replace('us-east-1', 'eu-west-1');
  const at = (ctx: Record<string, string>) =>
    allowed({ principal: ROLE, action: 'kms:Decrypt', resource: key, resourceAccount: ACCOUNT, resourcePolicy: state, context: ctx });
  expect(await at({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT })).toBe(true);
  expect(await at({ 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT })).toBe(true);
  expect(await at({ 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT })).toBe(false);
  const bare = keyPolicy({ partition: 'aws', accountId: ACCOUNT, region: 'us-east-1', useVia: [], grantees: [], services: [] });
  expect(bare.Statement.map((s) => s.Sid)).toEqual(['KeyAdministrationByAccount', 'GrantsOnlyForAwsResources']);
  const dup = keyPolicy({
    partition: 'aws',
    accountId: ACCOUNT,
    region: 'us-east-1',
    useVia: [],
    grantees: [],
    services: ['logs', 'logs'],
    logGroups: ['/ecs/x', '/ecs/x'],
  });
  expect(dup.Statement).toHaveLength(3);
  expect(dup.Statement[2].Condition).toEqual({
    ArnLike: { 'kms:EncryptionContext:aws:logs:arn': [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/x`] },
  });
});
