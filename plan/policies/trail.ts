/**
 * The bootstrap's CloudTrail trail (modules/audit-trail.ts): its key and bucket policies. Pure,
 * no cdktf. The alarms (plan/policies/monitoring.ts) need CloudTrail to deliver management events
 * to EventBridge, which it does only while a trail logs in the account ("Events from AWS services
 * via CloudTrail", EventBridge User Guide); this trail is that trail, not an assumption.
 */
import { arn } from '../arn';
import { policy, type PolicyDocument } from '../policy';
import { tlsOnlyBucketPolicy } from './bucket';
import { keyPolicy } from './key';

export interface TrailScope {
  partition: string;
  accountId: string;
  region: string;
  trailName: string;
  bucketArn: string;
}

export const trailArn = (t: Pick<TrailScope, 'partition' | 'accountId' | 'region' | 'trailName'>) =>
  arn(t.partition, 'cloudtrail', t.region, t.accountId, `trail/${t.trailName}`);

/**
 * The trail's key: CloudTrail encrypts log files with it for this trail only (`aws:SourceArn`,
 * and the encryption context CloudTrail sets); the account's principals decrypt them through S3
 * only, when they read a log file.
 */
export function trailKeyPolicy(t: TrailScope): PolicyDocument {
  const base = keyPolicy({ partition: t.partition, accountId: t.accountId, region: t.region, useVia: ['s3'], grantees: [], services: [] });
  return policy([
    ...base.Statement,
    {
      Sid: 'CloudTrailEncryptsThisTrailsLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': trailArn(t) },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': arn(t.partition, 'cloudtrail', '*', t.accountId, 'trail/*') },
      },
    },
    {
      Sid: 'CloudTrailDescribesTheKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn(t) } },
    },
  ]);
}

/** The trail's bucket: TLS only, and CloudTrail of this trail writes its account's log files. */
export function trailBucketPolicy(t: TrailScope): PolicyDocument {
  const from = { StringEquals: { 'aws:SourceArn': trailArn(t) } };
  return policy([
    ...tlsOnlyBucketPolicy(t.bucketArn).Statement,
    {
      Sid: 'CloudTrailChecksTheAcl',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: t.bucketArn,
      Condition: from,
    },
    {
      Sid: 'CloudTrailWritesLogFiles',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${t.bucketArn}/AWSLogs/${t.accountId}/*`,
      Condition: { StringEquals: { ...from.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ]);
}
