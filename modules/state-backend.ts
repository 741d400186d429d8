import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { EncryptionKey } from './encryption-key';
import { keyPolicy } from './policies/key';
import { policy, PolicyDocument, renderPolicy } from './policy';

export function stateBucketPolicy(bucketArn: string): PolicyDocument {
  return policy([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ]);
}

export interface StateBackendProps {
  /** The account the backend (and the state it holds) belongs to. */
  readonly accountId: string;
  readonly region: string;
  /** The state bucket's name (globally unique). */
  readonly bucket: string;
  /** The DynamoDB lock table's name. */
  readonly lockTable: string;
  /** Alias of the state's KMS key, e.g. `alias/secrets-platform/terraform-state`. */
  readonly keyAlias: string;
  /** KMS key deletion window (7..30 days). */
  readonly deletionWindowDays: number;
  /** Days before noncurrent state versions expire. */
  readonly noncurrentVersionDays: number;
  /**
   * Tags of the key, bucket and table.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The S3 + DynamoDB Terraform state backend, deployed once per account with local state. State
 * holds every attribute of every resource, so: its own KMS key, versioning, no public access,
 * TLS only, old versions expired, and both bucket and table protected from `destroy`.
 */
export class StateBackend extends Construct {
  readonly bucket: S3Bucket;
  readonly table: DynamodbTable;
  readonly key: EncryptionKey;

  constructor(scope: Construct, id: string, p: StateBackendProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, 'key', {
      alias: p.keyAlias,
      description: 'Terraform state (S3 objects and the DynamoDB lock table)',
      region: p.region,
      accountId: p.accountId,
      deletionWindowDays: p.deletionWindowDays,
      policies: { [p.region]: keyPolicy({ accountId: p.accountId, region: p.region, useVia: ['s3', 'dynamodb'], grantees: [], services: [] }) },
      tags: p.tags ? { ...p.tags } : undefined,
    });
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: p.bucket,
      objectLockEnabled: false,
      lifecycle: { preventDestroy: true },
      tags: p.tags ? { ...p.tags } : undefined,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.key.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: p.noncurrentVersionDays, newerNoncurrentVersions: 10 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: renderPolicy(stateBucketPolicy(this.bucket.arn)) });
    this.table = new DynamodbTable(this, 'lock-table', {
      name: p.lockTable,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.key.arn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
      tags: p.tags ? { ...p.tags } : undefined,
    });
  }
}
