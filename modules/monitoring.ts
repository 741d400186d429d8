import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ArnRef, policy, PolicyDocument, renderPolicy } from './policy';

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

export function keyAnomalyPattern(keyIdentifiers: string[]) {
  return {
    source: ['aws.kms'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kms.amazonaws.com'],
      eventName: ['DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'PutKeyPolicy', 'DeleteAlias'],
      requestParameters: { keyId: keyIdentifiers },
    },
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

export interface MonitoringProps {
  prefix: string;
  accountId: string;
  region: string;
  key: ArnRef;
  /** ARNs and key ids of the keys whose disabling or deletion is an incident. */
  keyIdentifiers: string[];
  rotationFunctionNames: string[];
  alertEmail?: string;
  tags?: Record<string, string>;
}

/** Rotation failures, denied reads and key anomalies, all to one encrypted SNS topic. */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, p: MonitoringProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: `${p.prefix}-secrets-alerts`, kmsMasterKeyId: p.key.arn, tags: p.tags });
    const rules: Array<[string, string, object, string?]> = [
      ['rotation-failed', 'A secret rotation failed or was abandoned', rotationFailurePattern()],
      ['denied-reads', 'A read of a secret was denied', deniedReadPattern(), deniedReadsRuleState],
      ['key-anomalies', 'A secrets key was disabled, scheduled for deletion or re-policied', keyAnomalyPattern(p.keyIdentifiers)],
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
      policy: renderPolicy(alertTopicPolicy(this.topic.arn, p.accountId, ruleNames.map((n) => `arn:aws:events:${p.region}:${p.accountId}:rule/${n}`))),
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
    if (p.alertEmail) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: p.alertEmail });
    }
  }
}
