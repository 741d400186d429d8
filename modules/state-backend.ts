import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { EncryptionKey } from './encryption-key';
import { keyPolicy } from '../plan/policies/key';
import { securePrivateBucket } from './private-bucket';

export interface StateBackendProps {
  /** The account the backend (and the state it holds) belongs to. */
  readonly accountId: string;
  readonly region: string;
  /** The Region's partition (`aws`, `aws-cn`, ...): the key policy's ARNs are in it. */
  readonly partition: string;
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
      policies: {
        [p.region]: keyPolicy({
          partition: p.partition,
          accountId: p.accountId,
          region: p.region,
          useVia: ['s3', 'dynamodb'],
          grantees: [],
          services: [],
        }),
      },
      tags: p.tags ? { ...p.tags } : undefined,
    });
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: p.bucket,
      objectLockEnabled: false,
      lifecycle: { preventDestroy: true },
      tags: p.tags ? { ...p.tags } : undefined,
    });
    securePrivateBucket(this, this.bucket, {
      keyArn: this.key.key.arn,
      lifecycleRuleId: 'expire-old-state-versions',
      noncurrentVersionDays: p.noncurrentVersionDays,
      newerNoncurrentVersions: 10,
    });
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
