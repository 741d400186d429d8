/**
 * CloudTrail events as EventBridge delivers them, written from AWS's documented shapes: the
 * EventBridge envelope ("AWS API Call via CloudTrail" / "AWS Service Event via CloudTrail") around
 * a CloudTrail record (eventVersion 1.08+, userIdentity, eventSource, eventName, awsRegion,
 * requestParameters as the caller sent them, resources, errorCode on failures). Request
 * parameters follow the KMS and Secrets Manager CloudTrail examples: KMS names the key in
 * `keyId` exactly as the caller wrote it, and alias calls carry only `aliasName`; Secrets Manager
 * names the secret in `secretId` (name or ARN). IAM names roles in `roleName` and policies in
 * `policyArn` and records its events in us-east-1 (a global service); STS's AssumeRole names the
 * role in `roleArn`; Lambda names the function in `functionName` as the caller wrote it (name, ARN
 * or partial ARN) and records most actions with the API version appended
 * (`UpdateFunctionCode20150331v2`). userIdentity follows "CloudTrail userIdentity element":
 * `AssumedRole` sessions carry `sessionContext.sessionIssuer` (the role), `IAMUser` and `Root`
 * callers do not.
 */

/** Who made the call: a role session (the role's name and path), an IAM user, or the root user. */
export type Caller = { role: string; path?: string; session?: string } | { user: string } | 'root';

export interface EventInput {
  account: string;
  region: string;
  service: 'kms' | 'secretsmanager' | 'lambda' | 'iam' | 'sts';
  eventName: string;
  requestParameters?: Record<string, unknown> | null;
  resources?: Array<{ ARN: string; type: string }>;
  errorCode?: string;
  invokedBy?: string;
  detailType?: 'AWS API Call via CloudTrail' | 'AWS Service Event via CloudTrail';
  additionalEventData?: Record<string, unknown>;
  readOnly?: boolean;
  /** Default: a session of the role `operator`. */
  caller?: Caller;
}

/** CloudTrail's userIdentity for a caller, as its "CloudTrail userIdentity element" page shows it. */
function identityOf(account: string, caller: Caller, invokedBy?: string): Record<string, unknown> {
  const extra = invokedBy ? { invokedBy } : {};
  if (caller === 'root')
    return {
      type: 'Root',
      principalId: account,
      arn: `arn:aws:iam::${account}:root`,
      accountId: account,
      accessKeyId: 'ASIAEXAMPLEROOT',
      ...extra,
    };
  if ('user' in caller)
    return {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER',
      arn: `arn:aws:iam::${account}:user/${caller.user}`,
      accountId: account,
      accessKeyId: 'AKIAEXAMPLEUSER',
      userName: caller.user,
      ...extra,
    };
  const session = caller.session ?? 'session';
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEID:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${caller.role}/${session}`,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLEKEY',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEID',
        arn: `arn:aws:iam::${account}:role${caller.path ?? '/'}${caller.role}`,
        accountId: account,
        userName: caller.role,
      },
      attributes: { creationDate: '2026-11-25T11:55:00Z', mfaAuthenticated: 'false' },
    },
    ...extra,
  };
}

export function cloudTrailEvent(e: EventInput): Record<string, unknown> {
  const serviceEvent = e.detailType === 'AWS Service Event via CloudTrail';
  const userIdentity = serviceEvent
    ? { accountId: e.account, invokedBy: `${e.service}.amazonaws.com` }
    : identityOf(e.account, e.caller ?? { role: 'operator', session: 'operator' }, e.invokedBy);
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': e.detailType ?? 'AWS API Call via CloudTrail',
    source: `aws.${e.service}`,
    account: e.account,
    time: '2026-11-25T12:00:00Z',
    region: e.region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity,
      eventTime: '2026-11-25T12:00:00Z',
      eventSource: `${e.service}.amazonaws.com`,
      eventName: e.eventName,
      awsRegion: e.region,
      sourceIPAddress: serviceEvent ? `${e.service}.amazonaws.com` : '192.0.2.10',
      userAgent: serviceEvent ? `${e.service}.amazonaws.com` : 'aws-cli/2.17.0',
      ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: 'User is not authorized to perform this operation' } : {}),
      requestParameters: e.requestParameters === undefined ? null : e.requestParameters,
      responseElements: null,
      ...(e.additionalEventData ? { additionalEventData: e.additionalEventData } : {}),
      requestID: 'b5c8f6a3-5e0d-4f3c-9d6b-3c0e2a1d9f10',
      eventID: 'e4a1f1d2-3c4b-4a5d-8e9f-0a1b2c3d4e5f',
      readOnly: e.readOnly ?? false,
      resources: e.resources ?? [],
      eventType: serviceEvent ? 'AwsServiceEvent' : 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: e.account,
      eventCategory: 'Management',
    },
  };
}
