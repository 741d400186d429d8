/**
 * Every incident the issue names reaches the alerts topic: each rule's pattern, as synthesized and
 * with its Terraform references resolved, matches a documented-shape CloudTrail event for its API
 * on every key and secret the stacks create, and does not match unrelated events (normal use,
 * other keys, other environments, service-made grants).
 */
import { ENVIRONMENTS } from '../../catalogs';
import { KEY_INCIDENT_EVENTS, SECRET_INCIDENT_EVENTS } from '../../plan/policies/monitoring';
import { loadStack, resolverFor, StackModel, TfJson } from '../../tools/access/model';
import { matchPattern } from '../support/event-pattern';
import { synth } from '../support/synth';
import { cloudTrailEvent, EventInput } from './cloudtrail-events';

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
  const rules = Object.values(tf.resource!.aws_cloudwatch_event_rule).map((r: any) => ({ name: r.name, region: r.region ?? model.region, pattern: JSON.parse(resolve(r.event_pattern)) }));
  return { model, rules };
}
const rule = (rules: Rule[], suffix: string) => {
  const r = rules.find((x) => x.name.endsWith(suffix));
  if (!r) throw new Error(`no rule ending in ${suffix}: ${rules.map((x) => x.name).join(', ')}`);
  return r;
};
/** The rules that see an event: those in the event's Region. */
const matching = (rules: Rule[], e: EventInput) => rules.filter((r) => r.region === e.region && matchPattern(cloudTrailEvent(e), r.pattern as any)).map((r) => r.name);
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
          expect({ key: key.alias, region: key.region, eventName, keyId, seenBy }).toEqual({ key: key.alias, region: key.region, eventName, keyId, seenBy: [anomalies.name] });
          if (key.region !== model.region) expect(matchPattern(cloudTrailEvent({ ...e, region: key.region }), anomalies.pattern as any)).toBe(true);
        }
      }
    }
  });

  test('normal key use, grants made by AWS services, and other keys raise nothing', () => {
    const { model, rules } = rulesOf(name);
    const key = model.keys[0];
    const quiet: EventInput[] = [
      { account: model.account, region: model.region, service: 'kms', eventName: 'Decrypt', requestParameters: { keyId: key.arn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, readOnly: true },
      { account: model.account, region: model.region, service: 'kms', eventName: 'DescribeKey', requestParameters: { keyId: key.arn }, readOnly: true },
      { account: model.account, region: model.region, service: 'kms', eventName: 'CreateGrant', requestParameters: { keyId: key.arn, granteePrincipal: 'dynamodb.amazonaws.com', operations: ['Decrypt'] }, invokedBy: 'dynamodb.amazonaws.com' },
      { account: model.account, region: model.region, service: 'kms', eventName: 'DisableKey', requestParameters: { keyId: `arn:aws:kms:${model.region}:${model.account}:key/11111111-2222-3333-4444-555555555555` } },
      { account: model.account, region: model.region, service: 'kms', eventName: 'DeleteAlias', requestParameters: { aliasName: 'alias/someone-else' } },
      { account: model.account, region: model.region, service: 'kms', eventName: 'CreateAlias', requestParameters: { aliasName: key.alias, targetKeyId: key.arn } },
    ];
    for (const e of quiet) expect({ e: e.eventName, seenBy: matching(rules, e) }).toEqual({ e: e.eventName, seenBy: [] });
  });

  test('DeleteAlias and UpdateAlias carry only aliasName: the alias rule matches them, the keyId rule cannot', () => {
    const { model, rules } = rulesOf(name);
    const aliases = rule(rules, 'secrets-key-aliases');
    for (const key of model.keys.filter((k) => k.region === model.region)) {
      for (const eventName of ['DeleteAlias', 'UpdateAlias']) {
        const e: EventInput = { account: model.account, region: model.region, service: 'kms', eventName, requestParameters: eventName === 'DeleteAlias' ? { aliasName: key.alias } : { aliasName: key.alias, targetKeyId: 'attacker-key' } };
        expect({ alias: key.alias, eventName, seenBy: matching(rules, e) }).toEqual({ alias: key.alias, eventName, seenBy: [aliases.name] });
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
            const e: EventInput = { account: model.account, region, service: 'secretsmanager', eventName, requestParameters: { secretId, ...(eventName === 'DeleteSecret' ? { recoveryWindowInDays: 30 } : {}) } };
            const hit = matchPattern(cloudTrailEvent(e), changes.pattern as any);
            expect({ secret: s.name, region, eventName, secretId, hit }).toEqual({ secret: s.name, region, eventName, secretId, hit: true });
            if (region !== model.region) expect(matching(rules, e).length).toBeGreaterThan(0); // forwarded from the replica Region
          }
        }
      }
      expect(matching(rules, { account: model.account, region: model.region, service: 'secretsmanager', eventName: 'GetSecretValue', requestParameters: { secretId: s.name }, readOnly: true })).toEqual([]);
    }
    const other = name === 'production' ? 'staging/app/x/y' : 'prod/app/x/y';
    expect(matching(rules, { account: model.account, region: model.region, service: 'secretsmanager', eventName: 'DeleteSecret', requestParameters: { secretId: other } })).toEqual([]);
  });

  test('rotation failures and denied reads', () => {
    const { model, rules } = rulesOf(name);
    const s = model.secrets[0];
    const failed: EventInput = { account: model.account, region: model.region, service: 'secretsmanager', eventName: 'RotationFailed', detailType: 'AWS Service Event via CloudTrail', additionalEventData: { SecretId: s.arnByRegion[model.region] } };
    expect(matching(rules, failed)).toEqual([rule(rules, 'secrets-rotation-failed').name]);
    expect(matching(rules, { ...failed, eventName: 'RotationSucceeded' })).toEqual([]);
    const denied: EventInput = { account: model.account, region: model.region, service: 'secretsmanager', eventName: 'GetSecretValue', requestParameters: { secretId: s.name }, errorCode: 'AccessDenied', readOnly: true };
    expect(matching(rules, denied)).toEqual([rule(rules, 'secrets-denied-reads').name]);
  });
});

test('the state key: its own stack watches it by ARN, id and alias, and the alerts topic admits those rules', () => {
  for (const env of ENVIRONMENTS) {
    const { model, rules } = rulesOf(`state-backend-${env.name}`);
    const [key] = model.keys;
    for (const keyId of [key.arn, keyIdOf(key.arn), key.alias!]) {
      expect(matching(rules, { account: model.account, region: model.region, service: 'kms', eventName: 'ScheduleKeyDeletion', requestParameters: { keyId, pendingWindowInDays: 7 } })).toEqual([
        expect.stringMatching(/secrets-state-key-anomalies$/),
      ]);
    }
    expect(matching(rules, { account: model.account, region: model.region, service: 'kms', eventName: 'DeleteAlias', requestParameters: { aliasName: key.alias } })).toEqual([expect.stringMatching(/secrets-state-key-aliases$/)]);
    const targets = Object.values(stacks[`state-backend-${env.name}`].resource!.aws_cloudwatch_event_target).map((t: any) => t.arn);
    const envModel = loadStack(env.name, stacks[env.name]);
    const topicPolicy = envModel.documents.find((d) => d.kind === 'topic')!.policy;
    const topicArn = topicPolicy.Statement[0].Resource;
    for (const t of targets) expect(t).toBe(topicArn);
    const admitted = topicPolicy.Statement.find((s: any) => s.Sid === 'EventBridgeRulesOfThisStack').Condition.ArnEquals['aws:SourceArn'];
    for (const r of rules) expect(admitted).toContain(`arn:aws:events:${model.region}:${model.account}:rule/${r.name}`);
  }
});
