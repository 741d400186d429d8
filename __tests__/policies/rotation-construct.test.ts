/** The rotation function construct, synthesized on its own: security-group rules, role, permissions, schedules. */
import { Testing } from 'cdktf';
import { RotationFunction } from '../../modules/rotation';
import { lambdaTrustPolicy, rotationRolePolicy } from '../../plan/policies/rotation';
import { ArnResolver } from '../../modules/arn-resolver';

const ACCOUNT = '123456789012';
const secretArn = (n: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/${n}-AbCdEf`;
const logArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/prod-rot`;

function build(opts: { vpc?: boolean; bulk?: boolean; env?: Record<string, string>; endpoint?: boolean; id?: string }) {
  const json = Testing.synthScope((scope) => {
    const arns = new ArnResolver();
    arns.bind(secretArn('a'), '${aws_secretsmanager_secret.a.arn}');
    new RotationFunction(scope, 'rot', {
      functionName: 'prod-rot',
      description: 'Secrets Manager rotation (single-user)',
      roleName: 'prod-rot-role',
      accountId: ACCOUNT,
      region: 'us-east-1',
      bundleFile: '/repo/.build/bundles/postgres/index.js',
      stackDir: '/repo/cdktf.out/stacks/production',
      environment: opts.env ?? {},
      secrets: [
        { id: opts.id ?? 'a', arn: secretArn('a'), schedule: { afterDays: 30, window: '3h', rotateImmediately: false } },
        { id: 'b', arn: secretArn('b'), schedule: { expression: 'rate(10 days)', rotateImmediately: true } },
      ],
      trustPolicy: lambdaTrustPolicy(ACCOUNT),
      rolePolicy: rotationRolePolicy(
        {
          partition: 'aws',
          region: 'us-east-1',
          accountId: ACCOUNT,
          namePrefix: 'prod',
          functionName: 'prod-rot',
          secrets: [{ secret: secretArn('a'), regions: [] }],
          adminSecrets: [],
        },
        logArn,
        !!opts.vpc,
      ),
      logGroupName: '/aws/lambda/prod-rot',
      estimatedLogGroupArn: logArn,
      logRetentionDays: 365,
      logKeyArn: 'arn:aws:kms:us-east-1:1:key/k',
      bulkInvokeSourceArn: opts.bulk ? `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*` : undefined,
      vpc: opts.vpc
        ? {
            vpcId: 'vpc-1',
            subnetIds: ['s1', 's2'],
            securityGroupName: 'prod-rot-sg',
            endpointSecurityGroupId: opts.endpoint === false ? undefined : 'sg-endpoint',
            databases: [
              { port: 5432, cidrs: ['10.0.1.5/32'], securityGroupIds: ['sg-db'] },
              { port: 3306, cidrs: [], securityGroupIds: ['sg-mysql'] },
            ],
          }
        : undefined,
      arns,
      tags: { Environment: 'production' },
    });
  });
  const parsed = JSON.parse(json);
  return { ...parsed.resource, data: parsed.data } as Record<string, Record<string, any>>;
}

test('in a VPC: egress only to its databases (port by port) and to the endpoint on 443', () => {
  const r = build({ vpc: true, env: { ROTATION_STRATEGY: 'single-user' } });
  const without = build({ vpc: true, endpoint: false });
  expect(Object.values(without.aws_vpc_security_group_egress_rule)).toHaveLength(3);
  const egress = Object.values(r.aws_vpc_security_group_egress_rule).map((e) => [
    e.cidr_ipv4 ?? e.referenced_security_group_id,
    e.ip_protocol,
    e.from_port,
    e.to_port,
    e.description,
  ]);
  expect(egress.sort()).toEqual(
    [
      ['10.0.1.5/32', 'tcp', 5432, 5432, 'Database on 10.0.1.5/32:5432'],
      ['sg-db', 'tcp', 5432, 5432, 'Database security group sg-db on 5432'],
      ['sg-endpoint', 'tcp', 443, 443, 'Secrets Manager VPC endpoint (HTTPS)'],
      ['sg-mysql', 'tcp', 3306, 3306, 'Database security group sg-mysql on 3306'],
    ].sort(),
  );
  for (const e of Object.values(r.aws_vpc_security_group_egress_rule))
    expect(e.security_group_id).toMatch(/^\$\{aws_security_group\.rot_sg_\w+\.id\}$/);
  const [sg] = Object.values(r.aws_security_group);
  expect(sg).toMatchObject({ name: 'prod-rot-sg', vpc_id: 'vpc-1', revoke_rules_on_delete: true, tags: { Environment: 'production' } });
  expect(sg.description).toMatch(/reaches only its databases and the Secrets Manager endpoint/);
  expect(sg.ingress).toBeUndefined();
  const [fn] = Object.values(r.aws_lambda_function);
  expect(fn.vpc_config).toEqual({
    subnet_ids: ['s1', 's2'],
    security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\.rot_sg_\w+\.id\}$/)],
  });
  expect(fn.environment).toEqual({ variables: { ROTATION_STRATEGY: 'single-user' } });
  expect(JSON.parse(Object.values(r.aws_iam_role_policy)[0].policy).Statement.map((s: any) => s.Sid)).toContain(
    'LambdaVpcNetworkInterfaces',
  );
});

test('outside a VPC: no security group; per-secret invoke permissions and schedules', () => {
  const r = build({});
  expect(r.aws_security_group).toBeUndefined();
  expect(r.aws_vpc_security_group_egress_rule).toBeUndefined();
  const [fn] = Object.values(r.aws_lambda_function);
  expect(fn).toMatchObject({
    function_name: 'prod-rot',
    description: 'Secrets Manager rotation (single-user)',
    handler: 'index.handler',
    architectures: ['arm64'],
    timeout: 60,
    memory_size: 256,
    tags: { Environment: 'production' },
  });
  expect(fn.vpc_config).toBeUndefined();
  expect(fn.environment).toBeUndefined();
  expect(fn.logging_config).toMatchObject({ log_format: 'JSON' });
  const [role] = Object.values(r.aws_iam_role);
  expect(role).toMatchObject({ name: 'prod-rot-role', description: 'Rotation function prod-rot', tags: { Environment: 'production' } });
  expect(JSON.parse(role.assume_role_policy)).toEqual(lambdaTrustPolicy(ACCOUNT));
  // The role policy names the log group by its reference (the estimate is bound to it).
  const doc = JSON.parse(Object.values(r.aws_iam_role_policy)[0].policy);
  expect(doc.Statement.find((s: any) => s.Sid === 'WriteOwnLogs').Resource).toMatch(
    /^\$\{aws_cloudwatch_log_group\.rot_logs_\w+\.arn\}:\*$/,
  );
  expect(doc.Statement.find((s: any) => s.Sid === 'RotateTheseSecrets').Resource).toEqual(['${aws_secretsmanager_secret.a.arn}']);
  expect(Object.values(r.aws_iam_role_policy)[0].name).toBe('rotate-secrets');
  const [logs] = Object.values(r.aws_cloudwatch_log_group);
  expect(logs).toMatchObject({ name: '/aws/lambda/prod-rot', retention_in_days: 365, kms_key_id: 'arn:aws:kms:us-east-1:1:key/k' });
  const perms = Object.values(r.aws_lambda_permission);
  expect(perms.map((p) => [p.statement_id, p.source_arn]).sort()).toEqual(
    [
      ['SecretsManager-a', '${aws_secretsmanager_secret.a.arn}'],
      ['SecretsManager-b', secretArn('b')],
    ].sort(),
  );
  for (const p of perms)
    expect(p).toMatchObject({ action: 'lambda:InvokeFunction', principal: 'secretsmanager.amazonaws.com', source_account: ACCOUNT });
  const rotations = Object.values(r.aws_secretsmanager_secret_rotation);
  expect(rotations.map((x) => [x.secret_id, x.rotate_immediately, x.rotation_rules]).sort()).toEqual(
    [
      ['${aws_secretsmanager_secret.a.arn}', false, { automatically_after_days: 30, duration: '3h' }],
      [secretArn('b'), true, { schedule_expression: 'rate(10 days)' }],
    ].sort(),
  );
  for (const x of rotations) expect(x.depends_on).toHaveLength(2);
  // The bundle, zipped by Terraform relative to the stack directory; the function waits for its logs and role policy.
  const [zip] = Object.values(r.data.archive_file);
  expect(zip).toMatchObject({
    type: 'zip',
    source_file: '${path.module}/../../../.build/bundles/postgres/index.js',
    output_path: '${path.module}/lambda-zips/prod-rot.zip',
    output_file_mode: '0644',
  });
  expect(fn.depends_on).toEqual([
    expect.stringMatching(/^aws_cloudwatch_log_group\.rot_logs_/),
    expect.stringMatching(/^aws_iam_role_policy\.rot_role-policy_/),
  ]);
});

test("statement ids stay within Lambda's 100 characters", () => {
  const r = build({ id: 'x'.repeat(120) });
  const ids = Object.values(r.aws_lambda_permission).map((p) => p.statement_id);
  expect(ids).toContainEqual(`SecretsManager-${'x'.repeat(85)}`);
});

test('above the per-secret limit: one invoke permission for the name prefix', () => {
  const r = build({ bulk: true });
  const perms = Object.values(r.aws_lambda_permission);
  expect(perms).toEqual([
    expect.objectContaining({
      statement_id: 'SecretsManagerRotation',
      source_arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*`,
      principal: 'secretsmanager.amazonaws.com',
      source_account: ACCOUNT,
      action: 'lambda:InvokeFunction',
    }),
  ]);
  for (const x of Object.values(r.aws_secretsmanager_secret_rotation)) expect(x.depends_on).toHaveLength(1);
});
