import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ArnResolver, PolicyDocument } from './policy';
import { deniedReadPattern, deniedReadsRuleState, keyAnomalyPattern, rotationFailurePattern } from './policies/monitoring';

// Patterns and the topic policy live in ./policies/monitoring.ts (pure, no cdktf); re-exported.
export * from './policies/monitoring';

/** The names of the three EventBridge rules. */
export interface AlertRuleNames {
  readonly rotationFailed: string;
  readonly deniedReads: string;
  readonly keyAnomalies: string;
}

export interface MonitoringProps {
  /** The alerts topic's name. */
  readonly topicName: string;
  /** The topic's policy, naming the estimated topic ARN and the rules' ARNs. */
  readonly topicPolicy: PolicyDocument;
  /** The topic ARN `topicPolicy` was computed with; bound to the topic's reference. */
  readonly estimatedTopicArn: string;
  readonly ruleNames: AlertRuleNames;
  /** The key of the topic (an estimated ARN that `arns` resolves, or a reference). */
  readonly keyArn: string;
  /** ARNs and key ids of the keys whose disabling or deletion is an incident. */
  readonly keyIdentifiers: readonly string[];
  /** Rotation functions whose `Errors` metric gets an alarm. */
  readonly rotationFunctionNames: readonly string[];
  /**
   * E-mail subscribed to the topic (confirmation required).
   * @default - no subscription
   */
  readonly alertEmail?: string;
  /**
   * Resolves estimated ARNs to Terraform references.
   * @default - a resolver of this construct's own ARNs only
   */
  readonly arns?: ArnResolver;
  /**
   * Tags of the topic, rules and alarms.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Rotation failures, denied reads and key anomalies, all to one encrypted SNS topic. */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, p: MonitoringProps) {
    super(scope, id);
    const arns = p.arns ?? new ArnResolver();
    const tags = p.tags ? { ...p.tags } : undefined;
    this.topic = new SnsTopic(this, 'topic', { name: p.topicName, kmsMasterKeyId: arns.resolve(p.keyArn), tags });
    arns.bind(p.estimatedTopicArn, this.topic.arn);
    const rules: Array<[string, string, string, object, string?]> = [
      ['rotation-failed', p.ruleNames.rotationFailed, 'A secret rotation failed or was abandoned', rotationFailurePattern()],
      ['denied-reads', p.ruleNames.deniedReads, 'A read of a secret was denied', deniedReadPattern(), deniedReadsRuleState],
      ['key-anomalies', p.ruleNames.keyAnomalies, 'A secrets key was disabled, scheduled for deletion or re-policied', keyAnomalyPattern([...p.keyIdentifiers])],
    ];
    for (const [id, name, description, pattern, state] of rules) {
      const rule = new CloudwatchEventRule(this, `rule-${id}`, {
        name,
        description,
        eventPattern: JSON.stringify(pattern),
        state: state ?? 'ENABLED',
        tags,
      });
      new CloudwatchEventTarget(this, `target-${id}`, { rule: rule.name, arn: this.topic.arn, targetId: 'alerts' });
    }
    new SnsTopicPolicy(this, 'topic-policy', { arn: this.topic.arn, policy: arns.render(p.topicPolicy) });
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
        tags,
      });
    }
    if (p.alertEmail) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: p.alertEmail });
    }
  }
}
