/**
 * Every incident the issue names reaches the alerts topic: each rule's pattern, as synthesized and
 * with its Terraform references resolved, matches a documented-shape CloudTrail event for its API
 * on every key and secret the stacks create, and does not match unrelated events (normal use,
 * other keys, other environments, service-made grants).
 */
import { teamCatalogs } from '../support/fixtures';
import {
  KEY_INCIDENT_EVENTS,
  POLICY_CHANGE_EVENTS,
  ROLE_CHANGE_EVENTS,
  SECRET_INCIDENT_EVENTS,
  SECRET_WRITE_EVENTS,
} from '../../plan/policies/monitoring';
import { loadStack, resolverFor, type StackModel, type TfJson } from '../../tools/access/model';
import { matchPattern } from '../support/event-pattern';
import { synth } from '../support/synth';
import { cloudTrailEvent, type EventInput } from './cloudtrail-events';

// The fixture team (every key kind, replicas in two regions, a generated rotation in every
// environment); for any catalog, the `monitoring-sees-incidents` invariant.
const ENVIRONMENTS = teamCatalogs();
let stacks: Record<string, TfJson>;
beforeAll(() => {
  stacks = synth(ENVIRONMENTS).stacks as Record<string, TfJson>;
});

interface Rule {
  name: string;
  region: string;
  pattern: Record<string, unknown>;
}
function rulesOf(stack: string): { model: StackModel; rules: Rule[] } {
  const tf = stacks[stack];
  const model = loadStack(stack, tf);
  const resolve = resolverFor(tf, model.account, model.region);
  const rules = Object.values(tf.resource!.aws_cloudwatch_event_rule).map((r: any) => ({
    name: r.name,
    region: r.region ?? model.region,
    pattern: JSON.parse(resolve(r.event_pattern)),
  }));
  return { model, rules };
}
const rule = (rules: Rule[], suffix: string) => {
  const r = rules.find((x) => x.name.endsWith(suffix));
  if (!r) throw new Error(`no rule ending in ${suffix}: ${rules.map((x) => x.name).join(', ')}`);
  return r;
};
/** The rules that see an event: those in the event's Region. */
const matching = (rules: Rule[], e: EventInput) =>
  rules.filter((r) => r.region === e.region && matchPattern(cloudTrailEvent(e), r.pattern as any)).map((r) => r.name);
const keyIdOf = (arn: string) => arn.split('/').pop()!;

describe.each(['dev', 'staging', 'production'])('%s', (name) => {
  test('every key incident on every key the stack creates (secrets, replicas, monitoring) reaches the key rule, by ARN, id or alias', () => {
    const { model, rules } = rulesOf(name);
    const anomalies = rule(rules, 'secrets-key-anomalies');
    expect(model.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of model.keys) {
      const ids = [key.arn, keyIdOf(key.arn), `arn:aws:kms:${key.region}:${model.account}:${key.alias}`];
      if (key.region === model.region) ids.push(key.alias!);
      for (const eventName of [...KEY_INCIDENT_EVENTS, 'CreateGrant']) {
        for (const keyId of ids) {
          const e: EventInput = { account: model.account, region: key.region, service: 'kms', eventName, requestParameters: { keyId } };
          // Replica Regions forward to the primary Region's bus, where the rule runs.
          const seenBy = key.region === model.region ? matching(rules, e) : matching(rules, e).length > 0 ? [anomalies.name] : [];
          expect({ key: key.alias, region: key.region, eventName, keyId, seenBy }).toEqual({
            key: key.alias,
            region: key.region,
            eventName,
            keyId,
            seenBy: [anomalies.name],
          });
          if (key.region !== model.region)
            expect(matchPattern(cloudTrailEvent({ ...e, region: key.region }), anomalies.pattern as any)).toBe(true);
        }
      }
    }
  });

  test('normal key use, grants made by AWS services, and other keys raise nothing', () => {
    const { model, rules } = rulesOf(name);
    const key = model.keys[0];
    const quiet: EventInput[] = [
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'Decrypt',
        requestParameters: { keyId: key.arn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        readOnly: true,
      },
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'DescribeKey',
        requestParameters: { keyId: key.arn },
        readOnly: true,
      },
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'CreateGrant',
        requestParameters: { keyId: key.arn, granteePrincipal: 'dynamodb.amazonaws.com', operations: ['Decrypt'] },
        invokedBy: 'dynamodb.amazonaws.com',
      },
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'DisableKey',
        requestParameters: { keyId: `arn:aws:kms:${model.region}:${model.account}:key/11111111-2222-3333-4444-555555555555` },
      },
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'DeleteAlias',
        requestParameters: { aliasName: 'alias/someone-else' },
      },
      {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'CreateAlias',
        requestParameters: { aliasName: key.alias, targetKeyId: key.arn },
      },
    ];
    for (const e of quiet) expect({ e: e.eventName, seenBy: matching(rules, e) }).toEqual({ e: e.eventName, seenBy: [] });
  });

  test('DeleteAlias and UpdateAlias carry only aliasName: the alias rule matches them, the keyId rule cannot', () => {
    const { model, rules } = rulesOf(name);
    const aliases = rule(rules, 'secrets-key-aliases');
    for (const key of model.keys.filter((k) => k.region === model.region)) {
      for (const eventName of ['DeleteAlias', 'UpdateAlias']) {
        const e: EventInput = {
          account: model.account,
          region: model.region,
          service: 'kms',
          eventName,
          requestParameters: eventName === 'DeleteAlias' ? { aliasName: key.alias } : { aliasName: key.alias, targetKeyId: 'attacker-key' },
        };
        expect({ alias: key.alias, eventName, seenBy: matching(rules, e) }).toEqual({
          alias: key.alias,
          eventName,
          seenBy: [aliases.name],
        });
      }
    }
  });

  test('every secret incident, by name or ARN, reaches the secret rule; reads and other environments do not', () => {
    const { model, rules } = rulesOf(name);
    const changes = rule(rules, 'secrets-secret-changes');
    for (const s of model.secrets) {
      for (const eventName of SECRET_INCIDENT_EVENTS) {
        for (const [region, arn] of Object.entries(s.arnByRegion)) {
          for (const secretId of [s.name, arn]) {
            const e: EventInput = {
              account: model.account,
              region,
              service: 'secretsmanager',
              eventName,
              requestParameters: { secretId, ...(eventName === 'DeleteSecret' ? { recoveryWindowInDays: 30 } : {}) },
            };
            const hit = matchPattern(cloudTrailEvent(e), changes.pattern as any);
            expect({ secret: s.name, region, eventName, secretId, hit }).toEqual({
              secret: s.name,
              region,
              eventName,
              secretId,
              hit: true,
            });
            if (region !== model.region) expect(matching(rules, e).length).toBeGreaterThan(0); // forwarded from the replica Region
          }
        }
      }
      expect(
        matching(rules, {
          account: model.account,
          region: model.region,
          service: 'secretsmanager',
          eventName: 'GetSecretValue',
          requestParameters: { secretId: s.name },
          readOnly: true,
        }),
      ).toEqual([]);
    }
    const other = name === 'production' ? 'staging/app/x/y' : 'prod/app/x/y';
    expect(
      matching(rules, {
        account: model.account,
        region: model.region,
        service: 'secretsmanager',
        eventName: 'DeleteSecret',
        requestParameters: { secretId: other },
      }),
    ).toEqual([]);
  });

  test('rotation failures and denied reads', () => {
    const { model, rules } = rulesOf(name);
    const s = model.secrets[0];
    const failed: EventInput = {
      account: model.account,
      region: model.region,
      service: 'secretsmanager',
      eventName: 'RotationFailed',
      detailType: 'AWS Service Event via CloudTrail',
      additionalEventData: { SecretId: s.arnByRegion[model.region] },
    };
    expect(matching(rules, failed)).toEqual([rule(rules, 'secrets-rotation-failed').name]);
    expect(matching(rules, { ...failed, eventName: 'RotationSucceeded' })).toEqual([]);
    const denied: EventInput = {
      account: model.account,
      region: model.region,
      service: 'secretsmanager',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: s.name },
      errorCode: 'AccessDenied',
      readOnly: true,
    };
    expect(matching(rules, denied)).toEqual([rule(rules, 'secrets-denied-reads').name]);
  });
});

test('the state key: its own stack watches it by ARN, id and alias, and the alerts topic admits those rules', () => {
  for (const env of ENVIRONMENTS) {
    const { model, rules } = rulesOf(`state-backend-${env.name}`);
    const [key] = model.keys;
    for (const keyId of [key.arn, keyIdOf(key.arn), key.alias!]) {
      expect(
        matching(rules, {
          account: model.account,
          region: model.region,
          service: 'kms',
          eventName: 'ScheduleKeyDeletion',
          requestParameters: { keyId, pendingWindowInDays: 7 },
        }),
      ).toEqual([expect.stringMatching(/secrets-state-key-anomalies$/)]);
    }
    expect(
      matching(rules, {
        account: model.account,
        region: model.region,
        service: 'kms',
        eventName: 'DeleteAlias',
        requestParameters: { aliasName: key.alias },
      }),
    ).toEqual([expect.stringMatching(/secrets-state-key-aliases$/)]);
    const targets = Object.values(stacks[`state-backend-${env.name}`].resource!.aws_cloudwatch_event_target).map((t: any) => t.arn);
    const envModel = loadStack(env.name, stacks[env.name]);
    const topicPolicy = envModel.documents.find((d) => d.kind === 'topic')!.policy;
    const topicArn = topicPolicy.Statement[0].Resource;
    for (const t of targets) expect(t).toBe(topicArn);
    const admitted = topicPolicy.Statement.find((s: any) => s.Sid === 'EventBridgeRulesOfThisStack').Condition.ArnEquals['aws:SourceArn'];
    for (const r of rules) expect(admitted).toContain(`arn:aws:events:${model.region}:${model.account}:rule/${r.name}`);
  }
});

/**
 * The rules issue 17 asks for, against CloudTrail shapes: changes to the roles exempt from the
 * workload boundary, break-glass use, secret changes outside the pipeline, and rotation code or
 * code-signing changes. Each matches its events by every caller that is not the pipeline, and
 * nothing else.
 */
describe.each(['dev', 'staging', 'production'])('%s: roles, break-glass, secret writes, rotation code', (name) => {
  const setup = () => {
    const { model, rules } = rulesOf(name);
    const prefix = name === 'production' ? 'prod' : name;
    const role = (n: string) => ({ role: n, session: 'gh' });
    const sso = {
      role: 'AWSReservedSSO_SecretsPlatformBreakGlass_0123456789abcdef',
      path: '/aws-reserved/sso.amazonaws.com/',
      session: 'alice@example.com',
    };
    const ev = (
      service: EventInput['service'],
      eventName: string,
      requestParameters: Record<string, unknown>,
      caller?: EventInput['caller'],
      region = model.region,
    ): EventInput => ({ account: model.account, region, service, eventName, requestParameters, caller });
    return { model, rules, prefix, role, sso, ev };
  };

  test('every change to an exempt role or a project policy, by anyone, reaches the exempt-roles rule', () => {
    const { model, rules, ev, sso } = setup();
    const r = rule(rules, 'secrets-exempt-roles').name;
    const exempt = [
      'secrets-platform-plan-pr',
      'secrets-platform-plan',
      'secrets-platform-deploy',
      'secrets-platform-values',
      'secrets-platform-break-glass',
      'secrets-platform-operator',
    ];
    for (const roleName of exempt) {
      for (const eventName of ROLE_CHANGE_EVENTS) {
        const e = ev(
          'iam',
          eventName,
          { roleName, ...(eventName === 'PutRolePolicy' ? { policyName: 'p', policyDocument: '{}' } : {}) },
          sso,
          'us-east-1',
        );
        expect({ roleName, eventName, seenBy: matching(rules, e) }).toEqual({ roleName, eventName, seenBy: [r] });
      }
    }
    for (const eventName of POLICY_CHANGE_EVENTS) {
      const policyArn = `arn:aws:iam::${model.account}:policy/secrets-platform-deploy-boundary`;
      expect(matching(rules, ev('iam', eventName, { policyArn, policyDocument: '{}', setAsDefault: true }, 'root', 'us-east-1'))).toEqual([
        r,
      ]);
      expect(
        matching(rules, ev('iam', eventName, { policyArn: `arn:aws:iam::${model.account}:policy/someone-else` }, 'root', 'us-east-1')),
      ).toEqual([]);
    }
    // Workload roles are the deploy role's to change (under the workload boundary): no alert.
    expect(
      matching(
        rules,
        ev(
          'iam',
          'PutRolePolicy',
          { roleName: `${setup().prefix}-ticket-api-ecs-task`, policyName: 'p' },
          { role: 'secrets-platform-deploy' },
          'us-east-1',
        ),
      ),
    ).toEqual([]);
    expect(matching(rules, ev('iam', 'GetRole', { roleName: 'secrets-platform-deploy' }, 'root', 'us-east-1'))).toEqual([]);
  });

  test('break-glass: being assumed, and what its sessions do, reach the break-glass rule', () => {
    const { model, rules, ev, sso, role } = setup();
    const r = rule(rules, 'secrets-break-glass').name;
    const bg = `arn:aws:iam::${model.account}:role/secrets-platform-break-glass`;
    expect(matching(rules, ev('sts', 'AssumeRole', { roleArn: bg, roleSessionName: 'alice', durationSeconds: 3600 }, sso))).toEqual([r]);
    expect(matching(rules, ev('sts', 'AssumeRole', { roleArn: bg, roleSessionName: 'alice' }, { user: 'alice' }))).toEqual([r]);
    const s = model.secrets[0];
    expect(
      matching(rules, {
        ...ev('secretsmanager', 'GetSecretValue', { secretId: s.name }, role('secrets-platform-break-glass')),
        readOnly: true,
      }),
    ).toEqual([r]);
    expect(matching(rules, ev('kms', 'Decrypt', { keyId: model.keys[0].arn }, role('secrets-platform-break-glass')))).toEqual([r]);
    // Other roles assumed, and other sessions reading, are not break-glass.
    expect(
      matching(
        rules,
        ev('sts', 'AssumeRole', { roleArn: `arn:aws:iam::${model.account}:role/secrets-platform-operator`, roleSessionName: 'alice' }, sso),
      ),
    ).toEqual([]);
    expect(
      matching(rules, {
        ...ev('secretsmanager', 'GetSecretValue', { secretId: s.name }, role(`${setup().prefix}-ticket-api-ecs-task`)),
        readOnly: true,
      }),
    ).toEqual([]);
  });

  test('secret rotations and tag changes by anyone but the deploy and values roles reach the secret-writes rule', () => {
    const { model, rules, ev, sso, role, prefix } = setup();
    const r = rule(rules, 'secrets-secret-writes').name;
    for (const s of model.secrets) {
      for (const eventName of SECRET_WRITE_EVENTS) {
        for (const caller of [role('secrets-platform-operator'), sso, { user: 'alice' }, 'root'] as const) {
          const e = ev('secretsmanager', eventName, { secretId: s.arnByRegion[model.region] });
          expect({ secret: s.name, eventName, caller, seenBy: matching(rules, { ...e, caller }) }).toEqual({
            secret: s.name,
            eventName,
            caller,
            seenBy: [r],
          });
        }
        for (const pipeline of ['secrets-platform-deploy', 'secrets-platform-values']) {
          expect({
            pipeline,
            eventName,
            seenBy: matching(rules, ev('secretsmanager', eventName, { secretId: s.name }, role(pipeline))),
          }).toEqual({ pipeline, eventName, seenBy: [] });
        }
      }
    }
    const other = prefix === 'prod' ? 'staging/app/x/y' : 'prod/app/x/y';
    expect(matching(rules, ev('secretsmanager', 'UpdateSecret', { secretId: other }, 'root'))).toEqual([]);
    // Resource policy changes are alerted whoever makes them, by the secret-changes rule; so is
    // UpdateSecret, which can carry a new value (SecretString) that IAM cannot tell apart from a
    // description change: the deploy role could otherwise write a value unseen.
    expect(
      matching(rules, ev('secretsmanager', 'PutResourcePolicy', { secretId: model.secrets[0].name }, role('secrets-platform-deploy'))),
    ).toEqual([rule(rules, 'secrets-secret-changes').name]);
    for (const s of model.secrets) {
      for (const caller of [
        role('secrets-platform-deploy'),
        role('secrets-platform-values'),
        role('secrets-platform-operator'),
        'root',
      ] as const) {
        const e = ev('secretsmanager', 'UpdateSecret', { secretId: s.arnByRegion[model.region], clientRequestToken: 'a' });
        expect({ secret: s.name, caller, seenBy: matching(rules, { ...e, caller }) }).toEqual({
          secret: s.name,
          caller,
          seenBy: [rule(rules, 'secrets-secret-changes').name],
        });
      }
    }
  });

  test("a rotation function's code, configuration and code signing: every form of its name, every caller", () => {
    const { model, rules, ev, role, prefix } = setup();
    const r = rule(rules, 'secrets-rotation-code').name;
    const fn = `${prefix}-secrets-rotation-generated`;
    const names = [
      fn,
      `arn:aws:lambda:${model.region}:${model.account}:function:${fn}`,
      `${model.account}:function:${fn}`,
      `arn:aws:lambda:${model.region}:${model.account}:function:${fn}:$LATEST`,
    ];
    const events = [
      'UpdateFunctionCode20150331v2',
      'UpdateFunctionConfiguration20150331v2',
      'PutFunctionCodeSigningConfig',
      'DeleteFunctionCodeSigningConfig',
      'PutFunctionCodeSigningConfig20200630',
    ];
    for (const eventName of events) {
      for (const functionName of names) {
        expect({
          eventName,
          functionName,
          seenBy: matching(rules, ev('lambda', eventName, { functionName }, role('secrets-platform-deploy'))),
        }).toEqual({ eventName, functionName, seenBy: [r] });
      }
    }
    const csc = `arn:aws:lambda:${model.region}:${model.account}:code-signing-config:csc-0123456789abcdef0`;
    expect(
      matching(
        rules,
        ev(
          'lambda',
          'UpdateCodeSigningConfig',
          { codeSigningConfigArn: csc, codeSigningPolicies: { untrustedArtifactOnDeployment: 'Warn' } },
          'root',
        ),
      ),
    ).toEqual([r]);
    expect(matching(rules, ev('lambda', 'DeleteCodeSigningConfig', { codeSigningConfigArn: csc }, 'root'))).toEqual([r]);
    // Invoking, and changing someone else's function, are not incidents of ours.
    expect(matching(rules, ev('lambda', 'Invoke', { functionName: fn }, role('secrets-platform-values')))).toEqual([]);
    expect(matching(rules, ev('lambda', 'UpdateFunctionCode20150331v2', { functionName: 'billing-api' }, 'root'))).toEqual([]);
  });

  test('the alerts topic admits every rule that targets it', () => {
    const { model, rules } = setup();
    const topicPolicy = model.documents.find((d) => d.kind === 'topic')!.policy;
    const admitted = topicPolicy.Statement.find((s: any) => s.Sid === 'EventBridgeRulesOfThisStack').Condition.ArnEquals['aws:SourceArn'];
    for (const r of rules.filter((x) => x.region === model.region && !x.name.endsWith('-forward')))
      expect(admitted).toContain(`arn:aws:events:${model.region}:${model.account}:rule/${r.name}`);
  });
});

test('outside us-east-1, IAM and global STS events are forwarded from us-east-1 to the primary Region', () => {
  const env = structuredClone(ENVIRONMENTS.find((e) => e.name === 'dev')!);
  env.region = 'eu-west-1';
  const tf = synth([env]).stacks.dev as TfJson;
  const model = loadStack('dev', tf);
  const resolve = resolverFor(tf, model.account, model.region);
  const rules = Object.values(tf.resource!.aws_cloudwatch_event_rule).map((r: any) => ({
    name: r.name,
    region: r.region ?? model.region,
    state: r.state,
    pattern: JSON.parse(resolve(r.event_pattern)),
  }));
  const forward = rules.find((r) => r.region === 'us-east-1')!;
  expect(forward.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  const change: EventInput = {
    account: model.account,
    region: 'us-east-1',
    service: 'iam',
    eventName: 'UpdateAssumeRolePolicy',
    requestParameters: { roleName: 'secrets-platform-deploy', policyDocument: '{}' },
    caller: 'root',
  };
  const assume: EventInput = {
    account: model.account,
    region: 'us-east-1',
    service: 'sts',
    eventName: 'AssumeRole',
    requestParameters: { roleArn: `arn:aws:iam::${model.account}:role/secrets-platform-break-glass`, roleSessionName: 'a' },
    caller: { user: 'alice' },
  };
  for (const [e, suffix] of [
    [change, 'secrets-exempt-roles'],
    [assume, 'secrets-break-glass'],
  ] as const) {
    expect(matchPattern(cloudTrailEvent(e), forward.pattern)).toBe(true);
    // On the primary bus the forwarded event keeps its Region, and the rule there matches it.
    expect(rules.filter((r) => r.region === model.region && matchPattern(cloudTrailEvent(e), r.pattern)).map((r) => r.name)).toEqual([
      `dev-${suffix}`,
    ]);
  }
  expect(matchPattern(cloudTrailEvent({ ...change, eventName: 'GetRole' }), forward.pattern)).toBe(false);
});
