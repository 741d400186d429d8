/**
 * CloudTrail events as EventBridge delivers them, written from AWS's documented shapes: the
 * EventBridge envelope ("AWS API Call via CloudTrail" / "AWS Service Event via CloudTrail") around
 * a CloudTrail record (eventVersion 1.08+, userIdentity, eventSource, eventName, awsRegion,
 * requestParameters as the caller sent them, resources, errorCode on failures). Request
 * parameters follow the KMS and Secrets Manager CloudTrail examples: KMS names the key in
 * `keyId` exactly as the caller wrote it, and alias calls carry only `aliasName`; Secrets Manager
 * names the secret in `secretId` (name or ARN).
 */
export interface EventInput {
  account: string;
  region: string;
  service: 'kms' | 'secretsmanager';
  eventName: string;
  requestParameters?: Record<string, unknown> | null;
  resources?: Array<{ ARN: string; type: string }>;
  errorCode?: string;
  invokedBy?: string;
  detailType?: 'AWS API Call via CloudTrail' | 'AWS Service Event via CloudTrail';
  additionalEventData?: Record<string, unknown>;
  readOnly?: boolean;
}

export function cloudTrailEvent(e: EventInput): Record<string, unknown> {
  const serviceEvent = e.detailType === 'AWS Service Event via CloudTrail';
  const userIdentity = serviceEvent
    ? { accountId: e.account, invokedBy: `${e.service}.amazonaws.com` }
    : {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID:operator',
        arn: `arn:aws:sts::${e.account}:assumed-role/operator/operator`,
        accountId: e.account,
        accessKeyId: 'ASIAEXAMPLEKEY',
        sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${e.account}:role/operator`, accountId: e.account, userName: 'operator' } },
        ...(e.invokedBy ? { invokedBy: e.invokedBy } : {}),
      };
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
