/** Event patterns and the alert topic policy: pure, no cdktf (computed by plan/monitoring.ts). */
import { policy, type PolicyDocument } from '../policy';

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
export const KEY_INCIDENT_EVENTS = [
  'DisableKey',
  'ScheduleKeyDeletion',
  'DisableKeyRotation',
  'PutKeyPolicy',
  'UpdatePrimaryRegion',
  'ReplicateKey',
];

/** An API call of `service` recorded by CloudTrail, with more conditions on its record. */
function apiCallPattern<D extends object>(service: 'kms' | 'secretsmanager', detail: D) {
  return {
    source: [`aws.${service}`],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: [`${service}.amazonaws.com`], ...detail },
  };
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
 * Secrets Manager calls that change who can read a secret, or whether it survives, or that can
 * replace its value outside the values step: resource policy changes, deletion, replicas removed
 * or promoted, rotation cancelled, and `UpdateSecret`, which writes a new version when it carries
 * `SecretString` or `SecretBinary`. IAM cannot tell that from a description or key change (the
 * Service Authorization Reference has no condition key for it), so the deploy role, which needs
 * UpdateSecret for those, could write a value unseen; Terraform calls it only when a plan changes
 * a secret's description or key, which the reviewer saw, so every UpdateSecret is alerted.
 * `secretId` is what the caller wrote (name or ARN), so both prefixes of this environment's
 * secrets are matched.
 */
export const SECRET_INCIDENT_EVENTS = [
  'UpdateSecret',
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
 * Calls that change a secret's tags (which steer rotation) or start its rotation, made by anyone
 * but the pipeline (the deploy role applies reviewed plans; the values role sets its one tag and
 * starts first rotations): an operator, break-glass, or someone who should not. Resource policy
 * changes and UpdateSecret are in SECRET_INCIDENT_EVENTS, alerted whoever makes them. `anything-but` matches only a
 * field that is there, and only role sessions carry `sessionIssuer.arn`; every other caller (the
 * root user, an IAM user, a federated user) is its own branch, by `userIdentity.type`, which every
 * API call record has.
 */
export const SECRET_WRITE_EVENTS = ['RotateSecret', 'TagResource', 'UntagResource'];

export function secretWritePattern(secretIdPrefixes: string[], pipelineRoleArns: string[]) {
  return apiCallPattern('secretsmanager', {
    eventName: SECRET_WRITE_EVENTS,
    requestParameters: { secretId: [...new Set(secretIdPrefixes)].map((prefix) => ({ prefix })) },
    $or: [
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [...new Set(pipelineRoleArns)] }] } } } },
      { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
    ],
  });
}

/**
 * Changes to the rotation functions' code, configuration (environment variables such as
 * NODE_OPTIONS, which IAM cannot constrain) or code signing, by anyone, the deploy role included:
 * each one is a change to code that reads secret values. CloudTrail records most Lambda actions
 * with the API version appended (`UpdateFunctionCode20150331v2`), so names are matched as
 * prefixes. `functionName` is what the caller wrote: a name, an ARN or a partial ARN
 * (`<account>:function:<name>`), each possibly with a qualifier.
 */
export const LAMBDA_CHANGE_EVENTS = [
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'PutFunctionCodeSigningConfig',
  'DeleteFunctionCodeSigningConfig',
];
export const CODE_SIGNING_CHANGE_EVENTS = ['UpdateCodeSigningConfig', 'DeleteCodeSigningConfig'];

export function lambdaChangePattern(p: { partition: string; accountId: string; regions: readonly string[]; functionNamePrefix: string }) {
  const names = [
    p.functionNamePrefix,
    `${p.accountId}:function:${p.functionNamePrefix}`,
    ...p.regions.map((r) => `arn:${p.partition}:lambda:${r}:${p.accountId}:function:${p.functionNamePrefix}`),
    ...p.regions.map((r) => `${r}:${p.accountId}:function:${p.functionNamePrefix}`),
  ];
  return {
    source: ['aws.lambda'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['lambda.amazonaws.com'],
      $or: [
        {
          eventName: LAMBDA_CHANGE_EVENTS.map((prefix) => ({ prefix })),
          requestParameters: { functionName: names.map((prefix) => ({ prefix })) },
        },
        {
          eventName: CODE_SIGNING_CHANGE_EVENTS.map((prefix) => ({ prefix })),
          requestParameters: {
            codeSigningConfigArn: p.regions.map((r) => ({ prefix: `arn:${p.partition}:lambda:${r}:${p.accountId}:code-signing-config:` })),
          },
        },
      ],
    },
  };
}

/**
 * Changes to the roles exempt from the workload boundary (the CI roles, break-glass, operator:
 * created by the ci-access bootstrap, which the deploy role must never change) and to the
 * project's managed policies (their boundaries). IAM is global: CloudTrail delivers its events
 * in the partition's global Region (us-east-1 for `aws`), see `globalRegion`.
 */
export const ROLE_CHANGE_EVENTS = [
  'CreateRole',
  'DeleteRole',
  'UpdateRole',
  'UpdateRoleDescription',
  'UpdateAssumeRolePolicy',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'TagRole',
  'UntagRole',
];
export const POLICY_CHANGE_EVENTS = ['CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicy'];

export function exemptRolePattern(roleNames: string[], policyArnPrefix: string) {
  return {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['iam.amazonaws.com'],
      $or: [
        { eventName: ROLE_CHANGE_EVENTS, requestParameters: { roleName: [...new Set(roleNames)] } },
        { eventName: POLICY_CHANGE_EVENTS, requestParameters: { policyArn: [{ prefix: policyArnPrefix }] } },
      ],
    },
  };
}

/**
 * Every use of the break-glass role: assuming it (from a person's MFA session or the named IAM
 * Identity Center permission set), and any Secrets Manager, KMS, IAM or Lambda call its sessions
 * make. AssumeRole and GetSecretValue are read-only events, so the rule takes all management
 * events (`breakGlassRuleState`).
 */
export const ASSUME_ROLE_EVENTS = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'];

export function breakGlassPattern(roleArn: string) {
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      $or: [
        { eventSource: ['sts.amazonaws.com'], eventName: ASSUME_ROLE_EVENTS, requestParameters: { roleArn: [roleArn] } },
        {
          eventSource: ['secretsmanager.amazonaws.com', 'kms.amazonaws.com', 'iam.amazonaws.com', 'lambda.amazonaws.com'],
          userIdentity: { sessionContext: { sessionIssuer: { arn: [roleArn] } } },
        },
      ],
    },
  };
}
export const breakGlassRuleState = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** Where CloudTrail delivers the events of global services (IAM, STS's global endpoint). */
export function globalRegion(partition: string): string {
  return partition === 'aws-us-gov' ? 'us-gov-west-1' : partition === 'aws-cn' ? 'cn-north-1' : 'us-east-1';
}

/**
 * Replica keys and replicas live in other Regions, whose CloudTrail events reach only that
 * Region's event bus; IAM's and the global STS endpoint's events reach only the global Region's.
 * A rule there forwards the same events to this Region's default bus, where the rules above
 * match them (the events keep their own `region`).
 */
export function forwardPattern(breakGlassRoleArn: string) {
  return {
    source: ['aws.kms', 'aws.secretsmanager', 'aws.lambda', 'aws.iam', 'aws.sts'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      $or: [
        { userIdentity: { sessionContext: { sessionIssuer: { arn: [breakGlassRoleArn] } } } },
        {
          eventName: [
            ...KEY_INCIDENT_EVENTS,
            'CreateGrant',
            'DeleteAlias',
            'UpdateAlias',
            ...SECRET_INCIDENT_EVENTS,
            ...SECRET_WRITE_EVENTS,
            ...ROLE_CHANGE_EVENTS,
            ...POLICY_CHANGE_EVENTS,
            ...ASSUME_ROLE_EVENTS,
            ...[...LAMBDA_CHANGE_EVENTS, ...CODE_SIGNING_CHANGE_EVENTS].map((prefix) => ({ prefix })),
          ],
        },
      ],
    },
  };
}
/** Forwarded read-only events (AssumeRole, the break-glass role's reads) need every management event. */
export const forwardRuleState = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

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
export const stateKeyRuleName = (prefix: string, which: 'key-anomalies' | 'key-aliases' | 'trail-changes') =>
  `${prefix}-secrets-state-${which}`;

/**
 * The trail the alarms rely on being stopped, deleted or narrowed (StopLogging is itself logged
 * before logging stops). CloudTrail names the trail in `name` as the caller wrote it: its name or
 * ARN.
 */
export const TRAIL_CHANGE_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'];

export function trailChangePattern(trailName: string, trailArn: string) {
  return {
    source: ['aws.cloudtrail'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['cloudtrail.amazonaws.com'],
      eventName: TRAIL_CHANGE_EVENTS,
      requestParameters: { name: [trailName, trailArn] },
    },
  };
}

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
