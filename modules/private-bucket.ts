import type { Construct } from 'constructs';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { tlsOnlyBucketPolicy } from '../plan/policies/bucket';
import { type PolicyDocument, renderPolicy } from '../plan/policy';

// The bucket policy is built by plan/policies/bucket.ts (pure, no cdktf); this construct renders it.

export interface PrivateBucketControls {
  /** KMS key (our own, not aws/s3) for default encryption, with the bucket key on. */
  keyArn: string;
  lifecycleRuleId: string;
  noncurrentVersionDays: number;
  /** Keep this many noncurrent versions even when older than noncurrentVersionDays. */
  newerNoncurrentVersions?: number;
  /**
   * The bucket policy, as the plan computed it.
   * @default - `tlsOnlyBucketPolicy` of the bucket's ARN reference
   */
  policy?: PolicyDocument;
}

/**
 * What every bucket of ours gets (state, artifacts): owner-enforced objects, no public access,
 * versioning, default encryption with our key, old versions and stale uploads expired, TLS only.
 * Created in the caller's scope with fixed ids, so resource addresses stay what they were.
 */
export function securePrivateBucket(scope: Construct, bucket: S3Bucket, c: PrivateBucketControls): void {
  new S3BucketOwnershipControls(scope, 'ownership', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  new S3BucketPublicAccessBlock(scope, 'public-access', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketVersioningA(scope, 'versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: c.keyArn }, bucketKeyEnabled: true }],
  });
  new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
    bucket: bucket.id,
    rule: [
      {
        id: c.lifecycleRuleId,
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [
          {
            noncurrentDays: c.noncurrentVersionDays,
            ...(c.newerNoncurrentVersions ? { newerNoncurrentVersions: c.newerNoncurrentVersions } : {}),
          },
        ],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ],
  });
  new S3BucketPolicy(scope, 'policy', { bucket: bucket.id, policy: renderPolicy(c.policy ?? tlsOnlyBucketPolicy(bucket.arn)) });
}
