import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ArnRef, policy, PolicyDocument, renderPolicy, serviceTrustPolicy } from './policy';

/**
 * Secrets Manager publishes no RotationFailed metric (an alarm on one never fires); rotation
 * outcomes reach EventBridge as CloudTrail service events. These patterns are the signals.
 */
export function rotationFailurePattern() {
  return {
    source: ['aws.secretsmanager'],
    'detail-type': ['AWS Service Event via CloudTrail'],
    detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed', 'RotationAbandoned'] },
  };
}

/** Denied reads are read-only events: the rule must opt in to them (see `deniedReadsRuleState`). */
export function deniedReadPattern() {
  return {
    source: ['aws.secretsmanager'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['GetSecretValue', 'BatchGetSecretValue', 'DescribeSecret'],
      errorCode: ['AccessDenied', 'AccessDeniedException'],
    },
  };
}
export const deniedReadsRuleState = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/**
 * KMS calls on our keys that are incidents: disabling, deleting, re-policying, turning rotation
 * off, moving the primary Region, and creating grants (a grant can carry Decrypt). The key is
 * named in `requestParameters.keyId` exactly as the caller wrote it (key id, key ARN, alias name
 * or alias ARN), so every form is listed. CreateGrant counts unless an AWS service made it for a
 * resource (DynamoDB on the state key): our key policies allow no other grant, so such an event is
 * an attempt (AccessDenied) or a policy change that let one through.
 */
export const KEY_INCIDENT_EVENTS = ['DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'PutKeyPolicy', 'UpdatePrimaryRegion', 'ReplicateKey'];

export function keyAnomalyPattern(keyIdentifiers: string[]) {
  const keyId = [...new Set(keyIdentifiers)];
  return {
    source: ['aws.kms'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kms.amazonaws.com'],
      $or: [
        { eventName: KEY_INCIDENT_EVENTS, requestParameters: { keyId } },
        { eventName: ['CreateGrant'], requestParameters: { keyId }, userIdentity: { invokedBy: [{ exists: false }] } },
      ],
    },
  };
}

/** Alias events carry only `aliasName` (no keyId): deleting or re-pointing one of our aliases. */
export function keyAliasPattern(aliasNames: string[]) {
  return {
    source: ['aws.kms'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kms.amazonaws.com'],
      eventName: ['DeleteAlias', 'UpdateAlias'],
      requestParameters: { aliasName: [...new Set(aliasNames)] },
    },
  };
}

/**
 * Secrets Manager calls that change who can read a secret, or whether it survives: resource
 * policy changes, deletion, replicas removed or promoted, rotation cancelled. `secretId` is what
 * the caller wrote (name or ARN), so both prefixes of this environment's secrets are matched.
 */
export const SECRET_INCIDENT_EVENTS = [
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'DeleteSecret',
  'RemoveRegionsFromReplication',
  'StopReplicationToReplica',
  'CancelRotateSecret',
];

export function secretChangePattern(secretIdPrefixes: string[]) {
  return {
    source: ['aws.secretsmanager'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: SECRET_INCIDENT_EVENTS,
      requestParameters: { secretId: [...new Set(secretIdPrefixes)].map((prefix) => ({ prefix })) },
    },
  };
}

/**
 * Replica keys and replicas live in other Regions, whose CloudTrail events reach only that
 * Region's event bus. A rule there forwards the same events to this Region's default bus, where
 * the rules above match them (the events keep their own `region`).
 */
export function forwardPattern() {
  return {
    source: ['aws.kms', 'aws.secretsmanager'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventName: [...KEY_INCIDENT_EVENTS, 'CreateGrant', 'DeleteAlias', 'UpdateAlias', ...SECRET_INCIDENT_EVENTS] },
  };
}

export function alertTopicPolicy(topicArn: string, accountId: string, ruleArns: string[]): PolicyDocument {
  return policy([
    {
      Sid: 'EventBridgeRulesOfThisStack',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
    },
    {
      Sid: 'CloudWatchAlarmsOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}

/** The alerts topic of an environment (`prod-secrets-alerts`). */
export const alertTopicName = (prefix: string) => `${prefix}-secrets-alerts`;
/** The state-backend stack's key rules, which publish to the environment's alerts topic. */
export const stateKeyRuleName = (prefix: string, which: 'key-anomalies' | 'key-aliases') => `${prefix}-secrets-state-${which}`;

/**
 * The state key's incident rules, in the state-backend stack (which knows the key): the same
 * patterns as the environment's keys, published to the environment's alerts topic by its
 * literal ARN (the environment stack's topic policy admits these two rules by name).
 */
export class KeyIncidentRules extends Construct {
  constructor(scope: Construct, id: string, p: { prefix: string; accountId: string; region: string; identifiers: string[]; aliasNames: string[]; tags?: Record<string, string> }) {
    super(scope, id);
    const topic = `arn:aws:sns:${p.region}:${p.accountId}:${alertTopicName(p.prefix)}`;
    const rules: Array<['key-anomalies' | 'key-aliases', string, object]> = [
      ['key-anomalies', 'The Terraform state key was disabled, scheduled for deletion, re-policied or granted away', keyAnomalyPattern(p.identifiers)],
      ['key-aliases', 'The Terraform state key alias was deleted or re-pointed', keyAliasPattern(p.aliasNames)],
    ];
    for (const [which, description, pattern] of rules) {
      const rule = new CloudwatchEventRule(this, `rule-${which}`, { name: stateKeyRuleName(p.prefix, which), description, eventPattern: JSON.stringify(pattern), tags: p.tags });
      new CloudwatchEventTarget(this, `target-${which}`, { rule: rule.name, arn: topic, targetId: 'alerts' });
    }
  }
}

export function eventsTrustPolicy(accountId: string): PolicyDocument {
  return serviceTrustPolicy('EventBridgeOfThisAccount', 'events.amazonaws.com', accountId);
}

export interface MonitoringProps {
  prefix: string;
  accountId: string;
  region: string;
  key: ArnRef;
  /** ARNs, key ids, alias names and alias ARNs of every key whose disabling or deletion is an incident. */
  keyIdentifiers: string[];
  /** Alias names (`alias/...`) of those keys. */
  aliasNames: string[];
  /** Name and ARN prefixes of this environment's secrets (`prod/`, `arn:aws:secretsmanager:...:secret:prod/`). */
  secretIdPrefixes: string[];
  /** Other Regions holding replica keys or replicas: each forwards its events here. */
  forwardFromRegions: string[];
  /** Rules of other stacks (the state backend's key rules) that publish to this topic. */
  extraRuleArns?: string[];
  rotationFunctionNames: string[];
  alertEmail?: string;
  tags?: Record<string, string>;
}

/** Rotation failures, denied reads and key anomalies, all to one encrypted SNS topic. */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, p: MonitoringProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: alertTopicName(p.prefix), kmsMasterKeyId: p.key.arn, tags: p.tags });
    const rules: Array<[string, string, object, string?]> = [
      ['rotation-failed', 'A secret rotation failed or was abandoned', rotationFailurePattern()],
      ['denied-reads', 'A read of a secret was denied', deniedReadPattern(), deniedReadsRuleState],
      ['key-anomalies', 'A secrets key was disabled, scheduled for deletion, re-policied, moved or granted away', keyAnomalyPattern(p.keyIdentifiers)],
      ['key-aliases', 'An alias of a secrets key was deleted or re-pointed', keyAliasPattern(p.aliasNames)],
      ['secret-changes', 'A secret was deleted, re-policied, lost a replica or its rotation', secretChangePattern(p.secretIdPrefixes)],
    ];
    const ruleNames = rules.map(([name]) => `${p.prefix}-secrets-${name}`);
    rules.forEach(([name, description, pattern, state], i) => {
      const rule = new CloudwatchEventRule(this, `rule-${name}`, {
        name: ruleNames[i],
        description,
        eventPattern: JSON.stringify(pattern),
        state: state ?? 'ENABLED',
        tags: p.tags,
      });
      new CloudwatchEventTarget(this, `target-${name}`, { rule: rule.name, arn: this.topic.arn, targetId: 'alerts' });
    });
    new SnsTopicPolicy(this, 'topic-policy', {
      arn: this.topic.arn,
      policy: renderPolicy(
        alertTopicPolicy(this.topic.arn, p.accountId, [...ruleNames.map((n) => `arn:aws:events:${p.region}:${p.accountId}:rule/${n}`), ...(p.extraRuleArns ?? [])]),
      ),
    });
    for (const fn of p.rotationFunctionNames) {
      new CloudwatchMetricAlarm(this, `errors-${fn}`, {
        alarmName: `${fn}-errors`,
        alarmDescription: `Rotation function ${fn} returned errors; see the README, "Runbook: a rotation failed"`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: fn },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        tags: p.tags,
      });
    }
    if (p.forwardFromRegions.length > 0) {
      const bus = `arn:aws:events:${p.region}:${p.accountId}:event-bus/default`;
      const role = new IamRole(this, 'forward-role', {
        name: `${p.prefix}-secrets-events-forward`,
        description: 'EventBridge forwards key and secret incidents from replica Regions to the primary Region',
        assumeRolePolicy: renderPolicy(eventsTrustPolicy(p.accountId)),
        tags: p.tags,
      });
      new IamRolePolicy(this, 'forward-policy', {
        name: 'put-events-to-primary-bus',
        role: role.name,
        policy: renderPolicy(policy([{ Sid: 'PrimaryRegionDefaultBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }])),
      });
      for (const region of p.forwardFromRegions) {
        const rule = new CloudwatchEventRule(this, `forward-${region}`, {
          region,
          name: `${p.prefix}-secrets-forward-to-${p.region}`,
          description: `Key and secret incidents in ${region}, forwarded to ${p.region}`,
          eventPattern: JSON.stringify(forwardPattern()),
          tags: p.tags,
        });
        new CloudwatchEventTarget(this, `forward-target-${region}`, { region, rule: rule.name, arn: bus, roleArn: role.arn, targetId: 'primary-bus' });
      }
    }
    if (p.alertEmail) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: p.alertEmail });
    }
  }
}
