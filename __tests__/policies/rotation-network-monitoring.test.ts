/** Rotation role, endpoint, topic and event-pattern builders, judged by IAM and EventBridge semantics. */
import {
  lambdaTrustPolicy,
  MAX_PER_SECRET_PERMISSIONS,
  ROTATION_FUNCTION_TAG,
  ROTATION_SECRET_ACTIONS,
  rotationRolePolicy,
} from '../../plan/policies/rotation';
import { broadClientCidrs, endpointPolicy, MIN_ENDPOINT_CLIENT_PREFIX } from '../../plan/policies/network';
import {
  alertTopicName,
  alertTopicPolicy,
  deniedReadPattern,
  deniedReadsRuleState,
  eventsForwardPolicy,
  eventsTrustPolicy,
  forwardPattern,
  KEY_INCIDENT_EVENTS,
  keyAliasPattern,
  keyAnomalyPattern,
  rotationFailurePattern,
  SECRET_INCIDENT_EVENTS,
  secretChangePattern,
  stateKeyRuleName,
} from '../../plan/policies/monitoring';
import { matchPattern } from '../support/event-pattern';
import { cloudTrailEvent } from '../access/cloudtrail-events';
import { allowed } from './sim';

const ACCOUNT = '123456789012';
const secretArn = (n: string, region = 'us-east-1') => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:prod/${n}-AbCdEf`;
const keyArn = (k: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${k}`;
const ref = (a: string) => a;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-secrets-rotation-x-role`;
const delegate = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: '*', Resource: '*' }],
};

describe('rotation role', () => {
  const docOf = () =>
    rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'prod-secrets-rotation-x',
        secrets: [{ secret: ref(secretArn('app')), key: ref(keyArn('db')), regions: ['us-east-1'] }],
        adminSecrets: [{ secret: ref(secretArn('master')), key: ref(keyArn('admin')), regions: ['us-east-1'] }],
      },
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/prod-secrets-rotation-x`,
      true,
    );
  const can = (action: string, resource: string, context: Record<string, string> = {}) =>
    allowed({
      principal: ROLE,
      action,
      resource,
      resourceAccount: ACCOUNT,
      identity: docOf(),
      context,
      resourcePolicy: action.startsWith('kms:') ? delegate : undefined,
    });
  const via = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };

  test('rotates its secret, reads its admin, through its own Region only', async () => {
    const rotate = [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ];
    expect([...ROTATION_SECRET_ACTIONS]).toEqual(rotate);
    for (const a of rotate) expect([a, await can(a, secretArn('app'))]).toEqual([a, true]);
    expect(await can('secretsmanager:GetSecretValue', secretArn('master'))).toBe(true);
    expect(await can('secretsmanager:DescribeSecret', secretArn('master'))).toBe(true);
    expect(await can('secretsmanager:PutSecretValue', secretArn('master'))).toBe(false);
    expect(await can('secretsmanager:GetSecretValue', secretArn('other'))).toBe(false);
    expect(await can('secretsmanager:DeleteSecret', secretArn('app'))).toBe(false);
    expect(await can('kms:GenerateDataKey', keyArn('db'), via)).toBe(true);
    expect(await can('kms:Decrypt', keyArn('db'), via)).toBe(true);
    expect(await can('kms:Decrypt', keyArn('admin'), via)).toBe(true);
    expect(await can('kms:GenerateDataKey', keyArn('admin'), via)).toBe(false);
    expect(await can('kms:Decrypt', keyArn('db'))).toBe(false);
    expect(await can('kms:Decrypt', keyArn('db'), { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' })).toBe(false);
    expect(
      await can('logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/prod-secrets-rotation-x:log-stream:a`),
    ).toBe(true);
    expect(await can('logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:a`)).toBe(false);
    for (const a of [
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
    ])
      expect([a, await can(a, '*')]).toEqual([a, true]);
    expect(docOf().Statement.map((s) => s.Sid)).toEqual([
      'RotateTheseSecrets',
      'WriteOwnLogs',
      'ReadAdminSecrets',
      'KeysThroughSecretsManager',
      'AdminKeysThroughSecretsManager',
      'LambdaVpcNetworkInterfaces',
    ]);
    expect(ROTATION_SECRET_ACTIONS).toHaveLength(5);
  });

  test('outside a VPC no network interfaces; a shared key is granted once; above the limit, by tag', async () => {
    const shared = ref(keyArn('db'));
    const plain = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'f',
        secrets: [{ secret: ref(secretArn('a')), key: shared, regions: [] }],
        adminSecrets: [{ secret: ref(secretArn('m')), key: shared, regions: [] }],
      },
      'lg',
      false,
    );
    expect(plain.Statement.map((s) => s.Sid)).toEqual([
      'RotateTheseSecrets',
      'WriteOwnLogs',
      'ReadAdminSecrets',
      'KeysThroughSecretsManager',
    ]);
    const none = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'f',
        secrets: [{ secret: ref(secretArn('a')), regions: [] }],
        adminSecrets: [],
      },
      'lg',
      false,
    );
    expect(none.Statement.map((s) => s.Sid)).toEqual(['RotateTheseSecrets', 'WriteOwnLogs']);
    // Every ARN given is written as it is (the stack binds the plan's literal ARNs to references).
    const written = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'f',
        secrets: [{ secret: '${ref}', key: '${key}', regions: [] }],
        adminSecrets: [{ secret: '${admin}', key: '${akey}', regions: [] }],
      },
      'lg',
      false,
    );
    expect(written.Statement.map((s) => s.Resource)).toEqual([['${ref}'], 'lg:*', ['${admin}'], ['${key}'], ['${akey}']]);
    expect(written.Statement[4]).toEqual({
      Sid: 'AdminKeysThroughSecretsManager',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: ['${akey}'],
      Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
    });
    expect(written.Statement[1]).toEqual({
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: 'lg:*',
    });
    expect(written.Statement[2]).toEqual({
      Sid: 'ReadAdminSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: ['${admin}'],
    });
    expect(written.Statement[3]).toEqual({
      Sid: 'KeysThroughSecretsManager',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ['${key}'],
      Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] } },
    });
    expect(lambdaTrustPolicy(ACCOUNT).Statement[0].Sid).toBe('LambdaOfThisAccount');
    // An admin secret under the AWS-managed key adds no key statement.
    const managed = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'f',
        secrets: [{ secret: ref(secretArn('a')), key: ref(keyArn('db')), regions: [] }],
        adminSecrets: [{ secret: ref(secretArn('m')), regions: [] }],
      },
      'lg',
      false,
    );
    expect(managed.Statement.map((s) => s.Sid)).toEqual([
      'RotateTheseSecrets',
      'WriteOwnLogs',
      'ReadAdminSecrets',
      'KeysThroughSecretsManager',
    ]);
    const many = Array.from({ length: MAX_PER_SECRET_PERMISSIONS + 1 }, (_, i) => ({ secret: ref(secretArn(`s${i}`)), regions: [] }));
    const bulk = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'prod-f',
        secrets: many,
        adminSecrets: [],
      },
      'lg',
      false,
    );
    // The global aws:ResourceTag key (iam-data lists no secretsmanager:ResourceTag/<key>), so the
    // access proof simulates the bulk form at scale (npm run bench, group access).
    expect(bulk.Statement[0]).toEqual({
      Sid: 'RotateTheseSecrets',
      Effect: 'Allow',
      Action: [...ROTATION_SECRET_ACTIONS],
      Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*`,
      Condition: { StringEquals: { 'aws:ResourceTag/RotationFunction': 'prod-f' } },
    });
    expect(ROTATION_FUNCTION_TAG).toBe('RotationFunction');
    expect(MAX_PER_SECRET_PERMISSIONS).toBe(40);
    const exactly = rotationRolePolicy(
      {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        namePrefix: 'prod',
        functionName: 'prod-f',
        secrets: many.slice(0, MAX_PER_SECRET_PERMISSIONS),
        adminSecrets: [],
      },
      'lg',
      false,
    );
    expect(exactly.Statement[0].Resource).toHaveLength(MAX_PER_SECRET_PERMISSIONS);
  });

  test('only Lambda of this account assumes it', async () => {
    const trust = lambdaTrustPolicy(ACCOUNT);
    const assume = (account: string) =>
      allowed({
        principal: 'lambda.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: ROLE,
        resourceAccount: ACCOUNT,
        resourcePolicy: trust,
        context: { 'aws:SourceAccount': account },
      });
    expect(await assume(ACCOUNT)).toBe(true);
    expect(await assume('999999999999')).toBe(false);
  });
});

describe('endpoint', () => {
  const through = (principal: string, action: string, resource: string) =>
    allowed({
      principal,
      action,
      resource,
      resourceAccount: resource === '*' ? ACCOUNT : resource.split(':')[4],
      endpointPolicy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
      context: { 'aws:SourceVpce': 'vpce-1' },
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: '*', Resource: '*' }],
      },
    });
  test('our principals reach our secrets; nobody else, nothing else', async () => {
    for (const a of ROTATION_SECRET_ACTIONS) expect([a, await through(ROLE, a, secretArn('app'))]).toEqual([a, true]);
    expect(await through(ROLE, 'secretsmanager:DeleteSecret', secretArn('app'))).toBe(false);
    expect(await through('arn:aws:iam::999988887777:role/x', 'secretsmanager:GetSecretValue', secretArn('app'))).toBe(false);
    expect(await through(ROLE, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:999988887777:secret:x-AbCdEf')).toBe(
      false,
    );
    expect(await through(ROLE, 'secretsmanager:GetSecretValue', secretArn('app', 'us-west-2'))).toBe(false);
    expect(await through(ROLE, 'secretsmanager:GetRandomPassword', '*')).toBe(true);
    expect(await through('arn:aws:iam::999988887777:role/x', 'secretsmanager:GetRandomPassword', '*')).toBe(false);
    expect(endpointPolicy([ACCOUNT], 'us-east-1', 'aws').Statement.map((s) => s.Sid)).toEqual([
      'OwnAccountsOwnSecrets',
      'RandomPasswordsForOwnAccounts',
    ]);
  });
  test('client CIDRs broader than a /24, or not IPv4 CIDRs, are refused', () => {
    expect(
      broadClientCidrs([
        '0.0.0.0/1',
        '128.0.0.0/1',
        '10.0.0.0/16',
        '10.0.0.0/23',
        '10.0.0.0/24',
        '10.0.1.5/32',
        '10.0.0.0/33',
        '300.0.0.0/24',
        '10.0.0.0',
        'fd00::/64',
        ' 10.0.0.0/24',
        '10.0.0.0/245',
      ]),
    ).toEqual([
      '0.0.0.0/1',
      '128.0.0.0/1',
      '10.0.0.0/16',
      '10.0.0.0/23',
      '10.0.0.0/33',
      '300.0.0.0/24',
      '10.0.0.0',
      'fd00::/64',
      ' 10.0.0.0/24',
      '10.0.0.0/245',
    ]);
    expect(broadClientCidrs(['255.255.255.0/24', '1.2.3.4/28', '192.168.100.200/32', '10.0.0.128/25', '10.10.10.10/30'])).toEqual([]);
    expect(MIN_ENDPOINT_CLIENT_PREFIX).toBe(24);
  });
});

describe('alerts', () => {
  const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:prod-secrets-alerts`;
  const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/prod-secrets-key-anomalies`;
  const publish = (principal: string, context: Record<string, string>) =>
    allowed({
      principal,
      action: 'sns:Publish',
      resource: topic,
      resourceAccount: ACCOUNT,
      resourcePolicy: alertTopicPolicy(topic, ACCOUNT, [rule]),
      context: { 'aws:SecureTransport': 'true', ...context },
    });
  test('the topic takes our rules and alarms only, over TLS', async () => {
    expect(await publish('events.amazonaws.com', { 'aws:SourceArn': rule })).toBe(true);
    expect(await publish('events.amazonaws.com', { 'aws:SourceArn': rule.replace('key-anomalies', 'other') })).toBe(false);
    expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': ACCOUNT })).toBe(true);
    expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': '999999999999' })).toBe(false);
    expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SecureTransport': 'false' })).toBe(false);
    expect(await publish('events.amazonaws.com', { 'aws:SourceArn': rule, 'aws:SecureTransport': 'false' })).toBe(false);
    expect(await publish('sns.amazonaws.com', { 'aws:SourceArn': rule, 'aws:SourceAccount': ACCOUNT })).toBe(false);
    expect(
      await allowed({
        principal: 'events.amazonaws.com',
        action: 'sns:Subscribe',
        resource: topic,
        resourceAccount: ACCOUNT,
        resourcePolicy: alertTopicPolicy(topic, ACCOUNT, [rule]),
        context: { 'aws:SourceArn': rule },
      }),
    ).toBe(false);
    expect(alertTopicPolicy(topic, ACCOUNT, [rule]).Statement.map((s) => s.Sid)).toEqual([
      'EventBridgeRulesOfThisStack',
      'CloudWatchAlarmsOfThisAccount',
      'DenyInsecureTransport',
    ]);
    expect(alertTopicName('prod')).toBe('prod-secrets-alerts');
    expect(stateKeyRuleName('prod', 'key-aliases')).toBe('prod-secrets-state-key-aliases');
    expect(stateKeyRuleName('dev', 'key-anomalies')).toBe('dev-secrets-state-key-anomalies');
  });
  test('the forwarding role: EventBridge of this account, PutEvents on the primary bus only', async () => {
    const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    const assume = (account: string) =>
      allowed({
        principal: 'events.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: ROLE,
        resourceAccount: ACCOUNT,
        resourcePolicy: eventsTrustPolicy(ACCOUNT),
        context: { 'aws:SourceAccount': account },
      });
    expect(await assume(ACCOUNT)).toBe(true);
    expect(await assume('999999999999')).toBe(false);
    const put = (resource: string) =>
      allowed({ principal: ROLE, action: 'events:PutEvents', resource, resourceAccount: ACCOUNT, identity: eventsForwardPolicy(bus) });
    expect(await put(bus)).toBe(true);
    expect(await put(bus.replace('default', 'other'))).toBe(false);
    expect(eventsTrustPolicy(ACCOUNT).Statement[0].Sid).toBe('EventBridgeOfThisAccount');
    expect(eventsForwardPolicy(bus).Statement[0].Sid).toBe('PrimaryRegionDefaultBus');
  });

  const ev = (
    service: 'kms' | 'secretsmanager',
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => cloudTrailEvent({ account: ACCOUNT, region: 'us-east-1', service, eventName, requestParameters, ...extra });
  const m = (p: object, e: Record<string, unknown>) => matchPattern(e, p as any);
  test('key incidents by any identifier; grants unless a service made them', () => {
    const p = keyAnomalyPattern(['k1', 'k1', 'alias/a']);
    for (const n of KEY_INCIDENT_EVENTS) expect([n, m(p, ev('kms', n, { keyId: 'k1' }))]).toEqual([n, true]);
    expect(KEY_INCIDENT_EVENTS).toEqual([
      'DisableKey',
      'ScheduleKeyDeletion',
      'DisableKeyRotation',
      'PutKeyPolicy',
      'UpdatePrimaryRegion',
      'ReplicateKey',
    ]);
    expect(m(p, ev('kms', 'DisableKey', { keyId: 'alias/a' }))).toBe(true);
    expect(m(p, ev('kms', 'DisableKey', { keyId: 'k2' }))).toBe(false);
    expect(m(p, ev('kms', 'Decrypt', { keyId: 'k1' }))).toBe(false);
    expect(m(p, ev('kms', 'CreateGrant', { keyId: 'k1' }))).toBe(true);
    expect(m(p, ev('kms', 'CreateGrant', { keyId: 'k1' }, { invokedBy: 'dynamodb.amazonaws.com' }))).toBe(false);
    expect(m(p, ev('kms', 'CreateGrant', { keyId: 'k2' }))).toBe(false);
    expect(m(p, ev('secretsmanager', 'DisableKey', { keyId: 'k1' }))).toBe(false);
    expect(m(p, { ...ev('kms', 'DisableKey', { keyId: 'k1' }), 'detail-type': 'AWS Service Event via CloudTrail' })).toBe(false);
    expect((p.detail.$or[0].requestParameters as { keyId: string[] }).keyId).toEqual(['k1', 'alias/a']);
  });
  test('alias events by alias name; secret incidents by name or ARN prefix; forwarding all of them', () => {
    const a = keyAliasPattern(['alias/x', 'alias/x']);
    expect(m(a, ev('kms', 'DeleteAlias', { aliasName: 'alias/x' }))).toBe(true);
    expect(m(a, ev('kms', 'UpdateAlias', { aliasName: 'alias/x', targetKeyId: 'k' }))).toBe(true);
    expect(m(a, ev('kms', 'CreateAlias', { aliasName: 'alias/x' }))).toBe(false);
    expect(m(a, ev('kms', 'DeleteAlias', { aliasName: 'alias/y' }))).toBe(false);
    expect(a.detail.requestParameters.aliasName).toEqual(['alias/x']);
    const s = secretChangePattern(['prod/', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/`, 'prod/']);
    for (const n of SECRET_INCIDENT_EVENTS) {
      expect([n, m(s, ev('secretsmanager', n, { secretId: 'prod/app/db' }))]).toEqual([n, true]);
      expect([n, m(s, ev('secretsmanager', n, { secretId: secretArn('app/db') }))]).toEqual([n, true]);
      expect([n, m(s, ev('secretsmanager', n, { secretId: 'staging/app/db' }))]).toEqual([n, false]);
    }
    expect(SECRET_INCIDENT_EVENTS).toHaveLength(7);
    expect(m(s, ev('secretsmanager', 'GetSecretValue', { secretId: 'prod/app/db' }))).toBe(false);
    expect(s.detail.requestParameters.secretId).toHaveLength(2);
    const f = forwardPattern(`arn:aws:iam::${ACCOUNT}:role/bg`);
    for (const n of [...KEY_INCIDENT_EVENTS, 'CreateGrant', 'DeleteAlias', 'UpdateAlias'])
      expect([n, m(f, ev('kms', n, { keyId: 'k' }))]).toEqual([n, true]);
    for (const n of SECRET_INCIDENT_EVENTS) expect([n, m(f, ev('secretsmanager', n, { secretId: 'x' }))]).toEqual([n, true]);
    expect(m(f, ev('kms', 'Decrypt', { keyId: 'k' }))).toBe(false);
  });
  test('rotation failures and denied reads', () => {
    const failed = cloudTrailEvent({
      account: ACCOUNT,
      region: 'us-east-1',
      service: 'secretsmanager',
      eventName: 'RotationFailed',
      detailType: 'AWS Service Event via CloudTrail',
    });
    expect(m(rotationFailurePattern(), failed)).toBe(true);
    expect(m(rotationFailurePattern(), { ...failed, detail: { ...(failed.detail as object), eventName: 'RotationAbandoned' } })).toBe(true);
    expect(m(rotationFailurePattern(), { ...failed, detail: { ...(failed.detail as object), eventName: 'RotationSucceeded' } })).toBe(
      false,
    );
    for (const n of ['GetSecretValue', 'BatchGetSecretValue', 'DescribeSecret']) {
      for (const code of ['AccessDenied', 'AccessDeniedException'])
        expect(m(deniedReadPattern(), ev('secretsmanager', n, {}, { errorCode: code }))).toBe(true);
      expect(m(deniedReadPattern(), ev('secretsmanager', n, {}))).toBe(false);
    }
    expect(m(deniedReadPattern(), ev('secretsmanager', 'PutSecretValue', {}, { errorCode: 'AccessDenied' }))).toBe(false);
    expect(deniedReadsRuleState).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });
});
