/** The constructs that write security-group rules and event rules, each synthesized on its own. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { SecretsManagerEndpoint } from '../../modules/network';
import { KeyIncidentRules, Monitoring } from '../../modules/monitoring';
import { endpointPolicy } from '../../plan/policies/network';
import { alertTopicPolicy, eventsForwardPolicy, eventsTrustPolicy } from '../../plan/policies/monitoring';
import { ArnResolver } from '../../modules/arn-resolver';

const ACCOUNT = '123456789012';
const synth = (build: (scope: any) => void) => JSON.parse(Testing.synthScope(build)).resource as Record<string, Record<string, any>>;

test('the endpoint security group admits 443 from named groups, rotation functions and exact CIDRs only', () => {
  const r = synth((scope) => {
    const ep = new SecretsManagerEndpoint(scope, 'ep', {
      vpcId: 'vpc-1',
      subnetIds: ['s1', 's2'],
      region: 'us-east-1',
      clientCidrs: ['10.0.1.0/24'],
      clientSecurityGroupIds: ['sg-a', 'sg-b'],
      policy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
      tags: { Environment: 'production' },
    });
    ep.allowFrom('rot', 'sg-rot', 'HTTPS from rotation');
  });
  const rules = Object.values(r.aws_vpc_security_group_ingress_rule);
  expect(rules.map((x) => [x.cidr_ipv4 ?? x.referenced_security_group_id, x.from_port, x.to_port, x.ip_protocol]).sort()).toEqual(
    [
      ['10.0.1.0/24', 443, 443, 'tcp'],
      ['sg-a', 443, 443, 'tcp'],
      ['sg-b', 443, 443, 'tcp'],
      ['sg-rot', 443, 443, 'tcp'],
    ].sort(),
  );
  expect(rules.map((x) => x.description).sort()).toEqual(
    [
      'HTTPS from 10.0.1.0/24',
      'HTTPS from client security group sg-a',
      'HTTPS from client security group sg-b',
      'HTTPS from rotation',
    ].sort(),
  );
  for (const x of rules) expect(x.security_group_id).toMatch(/^\$\{aws_security_group\.ep_sg_\w+\.id\}$/);
  const [endpoint] = Object.values(r.aws_vpc_endpoint);
  expect(endpoint).toMatchObject({
    vpc_endpoint_type: 'Interface',
    private_dns_enabled: true,
    service_name: 'com.amazonaws.us-east-1.secretsmanager',
    subnet_ids: ['s1', 's2'],
  });
  expect(JSON.parse(endpoint.policy)).toEqual(endpointPolicy([ACCOUNT], 'us-east-1', 'aws'));
  const [sg] = Object.values(r.aws_security_group);
  expect(sg).toMatchObject({
    name: 'secretsmanager-endpoint',
    vpc_id: 'vpc-1',
    revoke_rules_on_delete: true,
    tags: { Environment: 'production' },
  });
  expect(sg.description).toMatch(/HTTPS from rotation functions and named clients only/);
  expect(endpoint.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.ep_sg_\w+\.id\}$/)]);
  expect(endpoint.tags).toEqual({ Environment: 'production' });
});

test('the endpoint construct refuses broad client ranges, and creates no endpoint when told', () => {
  expect(() =>
    synth(
      (scope) =>
        new SecretsManagerEndpoint(scope, 'ep', {
          vpcId: 'v',
          subnetIds: ['s'],
          region: 'us-east-1',
          clientCidrs: ['0.0.0.0/1', '128.0.0.0/1'],
          policy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
        }),
    ),
  ).toThrow(/0\.0\.0\.0\/1, 128\.0\.0\.0\/1 are broader than \/24/);
  const r = synth(
    (scope) =>
      new SecretsManagerEndpoint(scope, 'ep', {
        vpcId: 'v',
        subnetIds: ['s'],
        region: 'us-east-1',
        create: false,
        existingSecurityGroupId: 'sg-1',
        policy: endpointPolicy([ACCOUNT], 'us-east-1', 'aws'),
      }),
  );
  // Nothing at all: the existing endpoint's group gets rules only from allowFrom.
  expect(r).toBeUndefined();
});

const ruleNames = {
  rotationFailed: 'p-rf',
  deniedReads: 'p-dr',
  keyAnomalies: 'p-ka',
  keyAliases: 'p-kal',
  secretChanges: 'p-sc',
  secretWrites: 'p-sw',
  lambdaChanges: 'p-lc',
  exemptRoles: 'p-er',
  breakGlass: 'p-bg',
};
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/bg`;
const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:prod-secrets-alerts`;
const monitoring = (forward: boolean, email?: string) =>
  synth((scope) => {
    const arns = new ArnResolver();
    new Monitoring(scope, 'm', {
      topicName: 'prod-secrets-alerts',
      topicPolicy: alertTopicPolicy(topicArn, ACCOUNT, ['r']),
      estimatedTopicArn: topicArn,
      ruleNames,
      keyArn: 'arn:aws:kms:us-east-1:1:key/k',
      keyIdentifiers: ['k1', 'k2'],
      aliasNames: ['alias/a'],
      secretIdPrefixes: ['prod/'],
      pipelineRoleArns: [`arn:aws:iam::${ACCOUNT}:role/deploy`, `arn:aws:iam::${ACCOUNT}:role/values`],
      exemptRoleNames: ['deploy', 'values', 'bg'],
      projectPolicyArnPrefix: `arn:aws:iam::${ACCOUNT}:policy/secrets-platform-`,
      breakGlassRoleArn: BREAK_GLASS,
      functions: { namePrefix: 'prod-secrets-rotation-', accountId: ACCOUNT, partition: 'aws', region: 'us-east-1' },
      forward: forward
        ? {
            regions: ['us-west-2', 'eu-west-1'],
            busArn: 'bus',
            roleName: 'fwd',
            trustPolicy: eventsTrustPolicy(ACCOUNT),
            rolePolicy: eventsForwardPolicy('bus'),
          }
        : undefined,
      rotationFunctionNames: ['f1', 'f2'],
      alertEmail: email,
      arns,
      tags: { Environment: 'production' },
    });
  });

test('monitoring: nine rules to the topic, alarms per function, forwarding rules in replica Regions', () => {
  const r = monitoring(true, 'ops@example.com');
  const rules = Object.values(r.aws_cloudwatch_event_rule);
  const byName = Object.fromEntries(rules.map((x) => [x.name, x]));
  expect(Object.keys(byName).sort()).toEqual(
    ['p-bg', 'p-dr', 'p-er', 'p-ka', 'p-kal', 'p-lc', 'p-rf', 'p-sc', 'p-sw', 'prod-secrets-forward'].sort(),
  );
  expect(byName['p-bg'].state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  expect(JSON.parse(byName['p-bg'].event_pattern).detail.$or[0].requestParameters.roleArn).toEqual([BREAK_GLASS]);
  expect(JSON.parse(byName['p-er'].event_pattern).detail.$or[0].requestParameters.roleName).toEqual(['deploy', 'values', 'bg']);
  expect(JSON.parse(byName['p-sw'].event_pattern).detail.$or[0].userIdentity.sessionContext.sessionIssuer.arn).toEqual([
    { 'anything-but': [`arn:aws:iam::${ACCOUNT}:role/deploy`, `arn:aws:iam::${ACCOUNT}:role/values`] },
  ]);
  for (const f of rules.filter((x) => x.name === 'prod-secrets-forward'))
    expect(f.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  expect(JSON.parse(byName['p-ka'].event_pattern).detail.$or[0].requestParameters.keyId).toEqual(['k1', 'k2']);
  expect(JSON.parse(byName['p-kal'].event_pattern).detail.requestParameters.aliasName).toEqual(['alias/a']);
  expect(JSON.parse(byName['p-sc'].event_pattern).detail.requestParameters.secretId).toEqual([{ prefix: 'prod/' }]);
  expect(JSON.parse(byName['p-rf'].event_pattern).detail.eventName).toEqual(['RotationFailed', 'RotationAbandoned']);
  expect(byName['p-dr'].state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  expect(byName['p-ka'].state).toBe('ENABLED');
  // Every rule says what happened, differently, for whoever reads the alert.
  const descriptions = rules.map((x) => x.description);
  expect(new Set(descriptions).size).toBe(descriptions.length);
  for (const d of descriptions) expect(d.length).toBeGreaterThan(20);
  for (const x of rules) expect(x.tags).toEqual({ Environment: 'production' });
  expect(byName['p-rf'].description).toMatch(/rotation failed/);
  expect(byName['p-dr'].description).toMatch(/denied/);
  expect(byName['p-ka'].description).toMatch(/key was disabled/);
  expect(byName['p-kal'].description).toMatch(/alias/);
  expect(byName['p-sc'].description).toMatch(/secret was updated \(possibly its value\), deleted/);
  const [topic] = Object.values(r.aws_sns_topic);
  expect(topic).toMatchObject({
    name: 'prod-secrets-alerts',
    kms_master_key_id: 'arn:aws:kms:us-east-1:1:key/k',
    tags: { Environment: 'production' },
  });
  const [tpol] = Object.values(r.aws_sns_topic_policy);
  expect(tpol.arn).toMatch(/^\$\{aws_sns_topic\.m_topic_\w+\.arn\}$/);
  // The topic policy names the topic by its reference (the estimate is bound to it).
  expect(JSON.parse(tpol.policy).Statement[0].Resource).toBe(tpol.arn);
  const forwards = rules.filter((x) => x.name === 'prod-secrets-forward');
  expect(forwards.map((x) => x.region).sort()).toEqual(['eu-west-1', 'us-west-2']);
  const targets = Object.values(r.aws_cloudwatch_event_target);
  expect(targets.filter((t) => t.target_id === 'alerts')).toHaveLength(9);
  const fwdTargets = targets.filter((t) => t.target_id === 'primary-bus');
  expect(fwdTargets.map((t) => [t.region, t.arn])).toEqual(
    expect.arrayContaining([
      ['us-west-2', 'bus'],
      ['eu-west-1', 'bus'],
    ]),
  );
  for (const t of fwdTargets) expect(t.role_arn).toMatch(/^\$\{aws_iam_role\.m_forward-role_\w+\.arn\}$/);
  const [role] = Object.values(r.aws_iam_role);
  expect(role.name).toBe('fwd');
  expect(JSON.parse(role.assume_role_policy)).toEqual(eventsTrustPolicy(ACCOUNT));
  expect(JSON.parse(Object.values(r.aws_iam_role_policy)[0].policy)).toEqual(eventsForwardPolicy('bus'));
  const alarms = Object.values(r.aws_cloudwatch_metric_alarm);
  expect(alarms.map((a) => a.alarm_name).sort()).toEqual(['f1-errors', 'f2-errors']);
  for (const a of alarms) {
    expect(a).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      tags: { Environment: 'production' },
    });
    expect(a.dimensions).toEqual({ FunctionName: a.alarm_name.replace(/-errors$/, '') });
    expect(a.alarm_actions).toEqual([tpol.arn]);
    expect(a.ok_actions).toEqual([tpol.arn]);
    // The alarm sends the operator to the runbook, which must exist under that heading.
    const [, page, heading] = /see (docs\/[a-z-]+\.md), "([^"]+)"/.exec(a.alarm_description)!;
    expect(readFileSync(path.resolve(__dirname, '..', '..', page), 'utf8')).toContain(`\n## ${heading}\n`);
  }
  expect(role.description).toMatch(/forwards key and secret incidents/);
  expect(role.tags).toEqual({ Environment: 'production' });
  expect(Object.values(r.aws_iam_role_policy)[0].name).toBe('put-events-to-primary-bus');
  for (const f of forwards) expect(f.description).toMatch(new RegExp(`incidents in ${f.region}`));
  expect(Object.values(r.aws_sns_topic_subscription)[0]).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
  const none = monitoring(false);
  expect(none.aws_iam_role).toBeUndefined();
  expect(none.aws_sns_topic_subscription).toBeUndefined();
  expect(Object.values(none.aws_cloudwatch_event_rule)).toHaveLength(9);
});

test('the state key rules publish to the environment topic by its literal ARN', () => {
  const r = synth(
    (scope) =>
      new KeyIncidentRules(scope, 's', {
        prefix: 'prod',
        accountId: ACCOUNT,
        region: 'us-east-1',
        identifiers: ['k', 'alias/state'],
        aliasNames: ['alias/state'],
        tags: { Environment: 'production' },
      }),
  );
  const rules = Object.values(r.aws_cloudwatch_event_rule);
  for (const x of rules)
    expect(x).toMatchObject({ tags: { Environment: 'production' }, description: expect.stringMatching(/bootstrap key/) });
  for (const t of Object.values(r.aws_cloudwatch_event_target)) expect(t.target_id).toBe('alerts');
  expect(rules.map((x) => x.name).sort()).toEqual(['prod-secrets-state-key-aliases', 'prod-secrets-state-key-anomalies']);
  expect(JSON.parse(rules.find((x) => x.name.endsWith('anomalies'))!.event_pattern).detail.$or[0].requestParameters.keyId).toEqual([
    'k',
    'alias/state',
  ]);
  expect(JSON.parse(rules.find((x) => x.name.endsWith('aliases'))!.event_pattern).detail.requestParameters.aliasName).toEqual([
    'alias/state',
  ]);
  for (const t of Object.values(r.aws_cloudwatch_event_target)) expect(t.arn).toBe(topicArn);
  // With the audit trail: a third rule, on its name and ARN.
  const withTrail = synth(
    (scope) =>
      new KeyIncidentRules(scope, 's', {
        prefix: 'prod',
        accountId: ACCOUNT,
        region: 'us-east-1',
        identifiers: ['k'],
        aliasNames: ['a'],
        trail: { name: 't', arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t` },
      }),
  );
  const trailRule = Object.values(withTrail.aws_cloudwatch_event_rule).find((x) => x.name === 'prod-secrets-state-trail-changes')!;
  expect(JSON.parse(trailRule.event_pattern).detail.requestParameters.name).toEqual([
    't',
    `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t`,
  ]);
  const cn = synth(
    (scope) =>
      new KeyIncidentRules(scope, 's', {
        prefix: 'prod',
        accountId: ACCOUNT,
        region: 'cn-north-1',
        partition: 'aws-cn',
        identifiers: ['k'],
        aliasNames: ['a'],
      }),
  );
  for (const t of Object.values(cn.aws_cloudwatch_event_target))
    expect(t.arn).toBe(`arn:aws-cn:sns:cn-north-1:${ACCOUNT}:prod-secrets-alerts`);
});
