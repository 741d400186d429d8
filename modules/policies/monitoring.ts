/** Event patterns and the alert topic policy: pure, no cdktf (see stacks/plan). */
import { policy, PolicyDocument } from '../policy';

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
