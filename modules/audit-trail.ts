import { Construct } from 'constructs';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { EncryptionKey } from './encryption-key';
import { securePrivateBucket } from './private-bucket';
import type { PolicyDocument } from '../plan/policy';
import { arn } from '../plan/arn';

export interface AuditTrailProps {
  readonly trailName: string;
  readonly bucketName: string;
  readonly keyAlias: string;
  readonly accountId: string;
  readonly region: string;
  readonly keyPolicy: PolicyDocument;
  readonly bucketPolicy: PolicyDocument;
  readonly deletionWindowDays: number;
  /** Days the log files' noncurrent versions are kept. */
  readonly noncurrentVersionDays: number;
  /** Buckets whose object reads and writes are recorded too (S3 data events), by name. */
  readonly dataEventBuckets: readonly string[];
  readonly partition: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The account's management-events trail: every Region, global services (IAM, STS) included,
 * read and write events, log file validation, log files encrypted with its own key in a private
 * bucket. While it logs, CloudTrail delivers API calls to EventBridge, which the alarms rely on;
 * it also records S3 data events of the state and artifacts buckets (who read or wrote state).
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly bucket: S3Bucket;
  readonly key: EncryptionKey;

  constructor(scope: Construct, id: string, p: AuditTrailProps) {
    super(scope, id);
    const tags = p.tags ? { ...p.tags } : undefined;
    this.key = new EncryptionKey(this, 'key', {
      alias: p.keyAlias,
      description: 'CloudTrail log files of the secrets platform trail',
      region: p.region,
      accountId: p.accountId,
      deletionWindowDays: p.deletionWindowDays,
      policies: { [p.region]: p.keyPolicy },
      tags,
    });
    this.bucket = new S3Bucket(this, 'bucket', { bucket: p.bucketName, lifecycle: { preventDestroy: true }, tags });
    securePrivateBucket(this, this.bucket, {
      keyArn: this.key.key.arn,
      lifecycleRuleId: 'expire-old-log-versions',
      noncurrentVersionDays: p.noncurrentVersionDays,
      policy: p.bucketPolicy,
    });
    // CloudTrail checks at creation that it may write to the bucket.
    const policy = this.node.findChild('policy') as S3BucketPolicy;
    this.trail = new Cloudtrail(this, 'trail', {
      name: p.trailName,
      s3BucketName: this.bucket.bucket,
      kmsKeyId: this.key.key.arn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      eventSelector: [
        {
          readWriteType: 'All',
          includeManagementEvents: true,
          dataResource:
            p.dataEventBuckets.length > 0
              ? [{ type: 'AWS::S3::Object', values: p.dataEventBuckets.map((b) => `${arn(p.partition, 's3', '', '', b)}/`) }]
              : undefined,
        },
      ],
      dependsOn: [policy],
      tags,
    });
  }
}
