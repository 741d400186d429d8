/** Event patterns and the alert topic policy: pure, no cdktf (computed by plan/monitoring.ts). */
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

/**
 * KMS calls on our keys that are incidents: disabling, deleting, re-policying, turning rotation
 * off, moving the primary Region, and creating grants (a grant can carry Decrypt). The key is
 * named in `requestParameters.keyId` exactly as the caller wrote it (key id, key ARN, alias name
 * or alias ARN), so every form is listed. CreateGrant counts unless an AWS service made it for a
 * resource (DynamoDB on the state key): our key policies allow no other grant, so such an event is
 * an attempt (AccessDenied) or a policy change that let one through.
 */
export const KEY_INCIDENT_EVENTS = ['DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'PutKeyPolicy', 'UpdatePrimaryRegion', 'ReplicateKey'];

/** An API call of `service` recorded by CloudTrail, with more conditions on its record. */
function apiCallPattern<D extends object>(service: 'kms' | 'secretsmanager', detail: D) {
  return { source: [`aws.${service}`], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventSource: [`${service}.amazonaws.com`], ...detail } };
}

export function keyAnomalyPattern(keyIdentifiers: string[]) {
  const keyId = [...new Set(keyIdentifiers)];
  return apiCallPattern('kms', {
    $or: [
      { eventName: KEY_INCIDENT_EVENTS, requestParameters: { keyId } },
      { eventName: ['CreateGrant'], requestParameters: { keyId }, userIdentity: { invokedBy: [{ exists: false }] } },
    ],
  });
}

/** Alias events carry only `aliasName` (no keyId): deleting or re-pointing one of our aliases. */
export function keyAliasPattern(aliasNames: string[]) {
  return apiCallPattern('kms', { eventName: ['DeleteAlias', 'UpdateAlias'], requestParameters: { aliasName: [...new Set(aliasNames)] } });
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
  return apiCallPattern('secretsmanager', {
    eventName: SECRET_INCIDENT_EVENTS,
    requestParameters: { secretId: [...new Set(secretIdPrefixes)].map((prefix) => ({ prefix })) },
  });
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

/** EventBridge of this account only (`aws:SourceAccount`) may assume the forwarding role. */
export function eventsTrustPolicy(accountId: string): PolicyDocument {
  return policy([
    {
      Sid: 'EventBridgeOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ]);
}

/** The forwarding role puts events on the primary Region's default bus, nowhere else. */
export function eventsForwardPolicy(busArn: string): PolicyDocument {
  return policy([{ Sid: 'PrimaryRegionDefaultBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }]);
}
