/**
 * Construct-level tests: each module renders exactly what it is given, synthesized alone with
 * Testing.synthScope (fast, no app, no catalog), including the branches the shipped catalogs
 * never reach (organisation readers, bulk invoke permissions, an endpoint that is not created).
 */
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsServiceAccess } from '../../modules/access';
import { crossAccountSecretPolicy, readPolicy } from '../../plan/policies/access';
import { EncryptionKey } from '../../modules/encryption-key';
import { keyPolicy } from '../../plan/policies/key';
import { alertTopicPolicy } from '../../plan/policies/monitoring';
import { Monitoring, type MonitoringProps } from '../../modules/monitoring';
import { endpointPolicy } from '../../plan/policies/network';
import { SecretsManagerEndpoint } from '../../modules/network';
import { ArnResolver } from '../../modules/arn-resolver';
import type { PolicyDocument } from '../../plan/policy';
import { lambdaTrustPolicy, MAX_PER_SECRET_PERMISSIONS, rotationRolePolicy } from '../../plan/policies/rotation';
import { RotationFunction } from '../../modules/rotation';
import { Secret } from '../../modules/secret';
import { StateBackend } from '../../modules/state-backend';

type Json = {
  resource?: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
  ephemeral?: Record<string, Record<string, any>>;
};

function synth(fn: (scope: Construct) => void): Json {
  return JSON.parse(Testing.synthScope(fn));
}
const all = (j: Json, type: string) => Object.values(j.resource?.[type] ?? {});
const one = (j: Json, type: string) => {
  const r = all(j, type);
  expect(r).toHaveLength(1);
  return r[0];
};
const lit = (arn: string) => arn;
const ACCOUNT = '123456789012';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/mrk-00000000000000000000000000000001';
const org = { kind: 'organization' as const, organizationId: 'o-a1b2c3d4e5' };
const partner = { kind: 'account' as const, accountId: '333333333333', principalArns: ['arn:aws:iam::333333333333:role/reader'] };

describe('EncryptionKey', () => {
  const policies = (regions: string[]): Record<string, PolicyDocument> =>
    Object.fromEntries(
      regions.map((region) => [
        region,
        keyPolicy({ partition: 'aws', accountId: ACCOUNT, region, useVia: ['secretsmanager'], grantees: [partner, org], services: [] }),
      ]),
    );

  test('a key per region with its own policy, an alias per region, rotation on; the organisation grant is pinned by aws:PrincipalOrgID', () => {
    const j = synth(
      (s) =>
        new EncryptionKey(s, 'k', {
          alias: 'alias/p/prod/db',
          description: 'd',
          region: 'us-east-1',
          deletionWindowDays: 30,
          replicaRegions: ['us-west-2'],
          policies: policies(['us-east-1', 'us-west-2']),
        }),
    );
    const key = one(j, 'aws_kms_key');
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, multi_region: true });
    const doc = JSON.parse(key.policy);
    const orgStatement = doc.Statement.find((x: any) => x.Sid === 'OrganizationDecryptoa1b2c3d4e5');
    expect(orgStatement).toEqual({
      Sid: 'OrganizationDecryptoa1b2c3d4e5',
      Effect: 'Allow',
      Principal: '*',
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    const replica = one(j, 'aws_kms_replica_key');
    expect(replica.region).toBe('us-west-2');
    expect(
      JSON.parse(replica.policy).Statement.find((x: any) => x.Sid === 'OrganizationDecryptoa1b2c3d4e5').Condition.StringEquals[
        'kms:ViaService'
      ],
    ).toBe('secretsmanager.us-west-2.amazonaws.com');
    expect(all(j, 'aws_kms_alias').map((a: any) => a.name)).toEqual(['alias/p/prod/db', 'alias/p/prod/db']);
  });

  test('a single-region key is not multi-Region; a missing regional policy is an error, never a default', () => {
    const j = synth(
      (s) =>
        new EncryptionKey(s, 'k', {
          alias: 'alias/a',
          description: 'd',
          region: 'us-east-1',
          deletionWindowDays: 7,
          policies: policies(['us-east-1']),
        }),
    );
    expect(one(j, 'aws_kms_key').multi_region).toBe(false);
    expect(all(j, 'aws_kms_replica_key')).toEqual([]);
    expect(() =>
      synth(
        (s) =>
          new EncryptionKey(s, 'k', {
            alias: 'alias/a',
            description: 'd',
            region: 'us-east-1',
            deletionWindowDays: 7,
            replicaRegions: ['eu-west-1'],
            policies: policies(['us-east-1']),
          }),
      ),
    ).toThrow(/no key policy for region eu-west-1/);
  });

  test('binds its estimated ARNs to its references, so documents naming the key render with them', () => {
    const arns = new ArnResolver();
    let rendered = '';
    synth((s) => {
      new EncryptionKey(s, 'k', {
        alias: 'alias/a',
        description: 'd',
        region: 'us-east-1',
        deletionWindowDays: 7,
        policies: policies(['us-east-1']),
        estimatedArns: { 'us-east-1': KEY },
        arns,
      });
      rendered = arns.render(readPolicy([{ secret: lit(SECRET), key: lit(KEY), regions: ['us-east-1'] }], { describe: false }));
    });
    expect(rendered).not.toContain(KEY);
    expect(JSON.parse(rendered).Statement[1].Resource[0]).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });
});

describe('Secret', () => {
  test('an organisation reader gets a resource policy conditioned on aws:PrincipalOrgID, with public policies blocked', () => {
    const arns = new ArnResolver();
    const j = synth(
      (s) =>
        new Secret(s, 'sec', {
          name: 'prod/app/db',
          description: 'd',
          recoveryWindowDays: 30,
          estimatedArn: SECRET,
          resourcePolicy: crossAccountSecretPolicy(lit(SECRET), [org], 'aws'),
          arns,
        }),
    );
    const p = one(j, 'aws_secretsmanager_secret_policy');
    expect(p.block_public_policy).toBe(true);
    const doc = JSON.parse(p.policy);
    expect(doc.Statement[0]).toEqual({
      Sid: 'ReadCurrentoa1b2c3d4e5',
      Effect: 'Allow',
      Principal: '*',
      Action: 'secretsmanager:GetSecretValue',
      Resource: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.sec_secret_[0-9A-F]+\.arn\}$/),
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'secretsmanager:VersionStage': 'AWSCURRENT' } },
    });
    expect(all(j, 'aws_secretsmanager_secret_version')).toEqual([]);
  });

  test('keys and replica keys resolve from estimates; the secret carries its tags and no value of any kind', () => {
    const arns = new ArnResolver();
    arns.bind(KEY, '${aws_kms_key.k.arn}');
    arns.bind(KEY.replace('us-east-1', 'us-west-2'), '${aws_kms_replica_key.r.arn}');
    const tags = { Service: 'app', 'secrets-platform:value-version': '2' };
    const j = synth(
      (s) =>
        new Secret(s, 'sec', {
          name: 'prod/app/k',
          description: 'd',
          kmsKeyArn: KEY,
          replicas: [{ region: 'us-west-2', kmsKeyArn: KEY.replace('us-east-1', 'us-west-2') }],
          recoveryWindowDays: 7,
          tags,
          arns,
        }),
    );
    const secret = one(j, 'aws_secretsmanager_secret');
    expect(secret.kms_key_id).toBe('${aws_kms_key.k.arn}');
    expect(secret.replica).toEqual([{ region: 'us-west-2', kms_key_id: '${aws_kms_replica_key.r.arn}' }]);
    expect(secret.tags).toEqual(tags);
    expect(all(j, 'aws_secretsmanager_secret_version')).toEqual([]);
    expect([j.variable, j.ephemeral]).toEqual([undefined, undefined]);
  });
});

describe('EcsServiceAccess', () => {
  const grant = { secret: lit(SECRET), key: lit(KEY), regions: ['us-east-1'] };
  test('an execution role for injected secrets only: no task role, valueFrom resolved to the secret reference', () => {
    const arns = new ArnResolver();
    arns.bind(SECRET, '${aws_secretsmanager_secret.s.arn}');
    let access: EcsServiceAccess | undefined;
    const j = synth((s) => {
      access = new EcsServiceAccess(s, 'ecs', {
        trustPolicy: lambdaTrustPolicy(ACCOUNT),
        executionRole: {
          name: 'prod-api-ecs-execution',
          description: 'd',
          policyName: 'inject-secrets',
          policy: readPolicy([grant], { describe: false }),
        },
        containerSecrets: [{ name: 'DB_PASSWORD', valueFrom: `${SECRET}:password::` }],
        arns,
      });
    });
    expect(all(j, 'aws_iam_role').map((r: any) => r.name)).toEqual(['prod-api-ecs-execution']);
    expect(JSON.parse(one(j, 'aws_iam_role_policy').policy).Statement[0]).toEqual({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: ['${aws_secretsmanager_secret.s.arn}'],
    });
    expect(access!.containerSecrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: '${aws_secretsmanager_secret.s.arn}:password::' }]);
    expect(access!.taskRole).toBeUndefined();
  });

  test('a task role only, for run-time reads', () => {
    const j = synth(
      (s) =>
        new EcsServiceAccess(s, 'ecs', {
          trustPolicy: lambdaTrustPolicy(ACCOUNT),
          taskRole: {
            name: 'prod-w-ecs-task',
            description: 'd',
            policyName: 'read-secrets',
            policy: readPolicy([grant], { describe: true }),
          },
        }),
    );
    expect(all(j, 'aws_iam_role').map((r: any) => r.name)).toEqual(['prod-w-ecs-task']);
    expect(JSON.parse(one(j, 'aws_iam_role_policy').policy).Statement[0].Action).toEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
    ]);
  });
});

describe('RotationFunction', () => {
  const props = (n: number, vpc: boolean) => {
    const secrets = Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      arn: SECRET.replace('db-', `db${i}-`),
      schedule: { afterDays: 30, rotateImmediately: false },
    }));
    const logGroupArn = 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/prod-rot';
    return {
      functionName: 'prod-rot',
      description: 'Secrets Manager rotation (single-user)',
      roleName: 'prod-rot-role',
      accountId: ACCOUNT,
      region: 'us-east-1',
      bundleFile: '/repo/.build/bundle.js',
      stackDir: '/repo/cdktf.out/stacks/production',
      environment: { ROTATION_STRATEGY: 'single-user' },
      secrets,
      trustPolicy: lambdaTrustPolicy(ACCOUNT),
      rolePolicy: rotationRolePolicy(
        {
          partition: 'aws',
          region: 'us-east-1',
          accountId: ACCOUNT,
          namePrefix: 'prod',
          functionName: 'prod-rot',
          secrets: secrets.map((x) => ({ secret: lit(x.arn), regions: ['us-east-1'] })),
          adminSecrets: [],
        },
        logGroupArn,
        vpc,
      ),
      logGroupName: '/aws/lambda/prod-rot',
      estimatedLogGroupArn: logGroupArn,
      logRetentionDays: 365,
      logKeyArn: KEY,
      bulkInvokeSourceArn: n > MAX_PER_SECRET_PERMISSIONS ? 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*' : undefined,
      vpc: vpc
        ? {
            vpcId: 'vpc-1',
            subnetIds: ['subnet-1'],
            securityGroupName: 'prod-rot-sg',
            endpointSecurityGroupId: 'sg-endpoint',
            databases: [{ port: 5432, cidrs: ['10.0.0.5/32'], securityGroupIds: ['sg-db'] }],
          }
        : undefined,
    };
  };

  test('one invoke permission per secret, scoped to it; the role policy names its own log group by reference', () => {
    const j = synth((s) => new RotationFunction(s, 'rot', props(2, false)));
    expect(all(j, 'aws_lambda_permission').map((p: any) => p.source_arn)).toEqual([
      SECRET.replace('db-', 'db0-'),
      SECRET.replace('db-', 'db1-'),
    ]);
    const logs = JSON.parse(one(j, 'aws_iam_role_policy').policy).Statement.find((x: any) => x.Sid === 'WriteOwnLogs');
    expect(logs.Resource).toMatch(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*$/);
    expect(one(j, 'aws_iam_role').name).toBe('prod-rot-role');
    expect(all(j, 'aws_security_group')).toEqual([]);
    expect(one(j, 'aws_lambda_function').vpc_config).toBeUndefined();
  });

  test('above the per-secret limit, one invoke permission for the name prefix (the bulk branch)', () => {
    const j = synth((s) => new RotationFunction(s, 'rot', props(MAX_PER_SECRET_PERMISSIONS + 1, false)));
    const perms = all(j, 'aws_lambda_permission');
    expect(perms).toHaveLength(1);
    expect(perms[0]).toMatchObject({
      source_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*',
      source_account: ACCOUNT,
      principal: 'secretsmanager.amazonaws.com',
    });
    expect(all(j, 'aws_secretsmanager_secret_rotation')).toHaveLength(MAX_PER_SECRET_PERMISSIONS + 1);
  });

  test('in a VPC: a security group reaching only the databases and the endpoint', () => {
    const j = synth((s) => new RotationFunction(s, 'rot', props(1, true)));
    expect(one(j, 'aws_security_group').name).toBe('prod-rot-sg');
    expect(
      all(j, 'aws_vpc_security_group_egress_rule').map((r: any) => [r.from_port, r.cidr_ipv4 ?? r.referenced_security_group_id]),
    ).toEqual([
      [5432, '10.0.0.5/32'],
      [5432, 'sg-db'],
      [443, 'sg-endpoint'],
    ]);
    expect(JSON.parse(one(j, 'aws_iam_role_policy').policy).Statement.map((x: any) => x.Sid)).toContain('LambdaVpcNetworkInterfaces');
  });
});

describe('SecretsManagerEndpoint', () => {
  test("an existing endpoint: nothing created but the rotation functions' ingress rules on its own security group", () => {
    let ep: SecretsManagerEndpoint | undefined;
    const j = synth((s) => {
      ep = new SecretsManagerEndpoint(s, 'ep', {
        vpcId: 'vpc-1',
        subnetIds: ['subnet-1'],
        region: 'us-east-1',
        create: false,
        existingSecurityGroupId: 'sg-0123456789abcdef0',
        policy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
      });
      ep.allowFrom('f', 'sg-fn', 'HTTPS from f');
    });
    expect(all(j, 'aws_vpc_endpoint')).toEqual([]);
    expect(all(j, 'aws_security_group')).toEqual([]);
    expect(
      all(j, 'aws_vpc_security_group_ingress_rule').map((r: any) => [r.security_group_id, r.referenced_security_group_id, r.from_port]),
    ).toEqual([['sg-0123456789abcdef0', 'sg-fn', 443]]);
    expect([ep!.endpoint, ep!.securityGroupId]).toEqual([undefined, 'sg-0123456789abcdef0']);
  });

  test('an existing endpoint needs its security group, and admits no clients of ours', () => {
    const props = {
      vpcId: 'vpc-1',
      subnetIds: ['subnet-1'],
      region: 'us-east-1',
      create: false,
      policy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
    };
    expect(() => synth((s) => new SecretsManagerEndpoint(s, 'ep', props))).toThrow(/existingSecurityGroupId/);
    expect(() =>
      synth((s) => new SecretsManagerEndpoint(s, 'ep', { ...props, existingSecurityGroupId: 'sg-1', clientCidrs: ['10.0.1.0/24'] })),
    ).toThrow(/its own security group rules/);
  });

  test('a created endpoint has private DNS and the given policy', () => {
    const j = synth(
      (s) =>
        new SecretsManagerEndpoint(s, 'ep', {
          vpcId: 'vpc-1',
          subnetIds: ['subnet-1'],
          region: 'eu-west-1',
          policy: endpointPolicy([ACCOUNT], 'eu-west-1', 'aws'),
        }),
    );
    const e = one(j, 'aws_vpc_endpoint');
    expect(e).toMatchObject({
      service_name: 'com.amazonaws.eu-west-1.secretsmanager',
      private_dns_enabled: true,
      vpc_endpoint_type: 'Interface',
    });
    expect(JSON.parse(e.policy).Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': [ACCOUNT] } });
  });
});

describe('Monitoring', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:prod-secrets-alerts';
  // Fields other branches add to the props are given too (an assertion, so either shape compiles).
  const ruleNames = {
    rotationFailed: 'prod-r',
    deniedReads: 'prod-d',
    keyAnomalies: 'prod-k',
    keyAliases: 'prod-a',
    secretChanges: 'prod-s',
  };
  const props = (p: object) =>
    ({
      aliasNames: [],
      secretIdPrefixes: [],
      pipelineRoleArns: [],
      exemptRoleNames: ['secrets-platform-deploy'],
      projectPolicyArnPrefix: 'arn:aws:iam::123456789012:policy/secrets-platform-',
      breakGlassRoleArn: 'arn:aws:iam::123456789012:role/bg',
      functions: { namePrefix: 'prod-secrets-rotation-', accountId: ACCOUNT, partition: 'aws', region: 'us-east-1' },
      ...p,
    }) as unknown as MonitoringProps;
  test('the topic policy names the topic by reference and the rules by ARN; one alarm per function; no e-mail unless asked', () => {
    const j = synth(
      (s) =>
        new Monitoring(
          s,
          'm',
          props({
            topicName: 'prod-secrets-alerts',
            topicPolicy: alertTopicPolicy(topicArn, ACCOUNT, ['arn:aws:events:us-east-1:123456789012:rule/prod-r']),
            estimatedTopicArn: topicArn,
            ruleNames,
            keyArn: KEY,
            keyIdentifiers: ['k1'],
            rotationFunctionNames: ['f1', 'f2'],
          }),
        ),
    );
    const doc = JSON.parse(one(j, 'aws_sns_topic_policy').policy);
    expect(doc.Statement[0].Resource).toMatch(/^\$\{aws_sns_topic\.[^}]+\.arn\}$/);
    expect(doc.Statement[0].Condition).toEqual({ ArnEquals: { 'aws:SourceArn': ['arn:aws:events:us-east-1:123456789012:rule/prod-r'] } });
    expect(all(j, 'aws_cloudwatch_event_rule').map((r: any) => r.name)).toEqual(expect.arrayContaining(['prod-d', 'prod-k', 'prod-r']));
    expect(all(j, 'aws_cloudwatch_metric_alarm').map((a: any) => a.alarm_name)).toEqual(['f1-errors', 'f2-errors']);
    expect(all(j, 'aws_sns_topic_subscription')).toEqual([]);
  });

  test('an alert e-mail subscribes to the topic', () => {
    const j = synth(
      (s) =>
        new Monitoring(
          s,
          'm',
          props({
            topicName: 't',
            topicPolicy: alertTopicPolicy(topicArn, ACCOUNT, []),
            estimatedTopicArn: topicArn,
            ruleNames,
            keyArn: KEY,
            keyIdentifiers: [],
            rotationFunctionNames: [],
            alertEmail: 'a@example.com',
          }),
        ),
    );
    expect(one(j, 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'a@example.com' });
  });
});

describe('StateBackend', () => {
  test('its key is usable through S3 and DynamoDB only, and the bucket refuses plain HTTP', () => {
    const j = synth(
      (s) =>
        new StateBackend(s, 'st', {
          accountId: ACCOUNT,
          region: 'us-east-1',
          partition: 'aws',
          bucket: 'b',
          lockTable: 't',
          keyAlias: 'alias/state',
          deletionWindowDays: 30,
          noncurrentVersionDays: 90,
        }),
    );
    const via = JSON.parse(one(j, 'aws_kms_key').policy).Statement.find((x: any) => x.Sid === 'AccountPrincipalsThroughServices');
    expect(via.Condition.StringEquals['kms:ViaService']).toEqual(['s3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com']);
    expect(JSON.parse(one(j, 'aws_s3_bucket_policy').policy).Statement.map((x: any) => x.Sid)).toEqual([
      'DenyInsecureTransport',
      'DenyOutdatedTls',
    ]);
  });
});
