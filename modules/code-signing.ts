import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SignerSigningJob } from '@cdktf/provider-aws/lib/signer-signing-job';
import { EncryptionKey, type EncryptionKeyProps } from './encryption-key';
import type { PolicyDocument } from '../plan/policy';
import { securePrivateBucket } from './private-bucket';

/** Where a signed artifact landed: what a Lambda function deploys from. */
export interface SignedCode {
  s3Bucket: string;
  s3Key: string;
  codeSigningConfigArn: string;
}

/** A local zip to upload and sign (the archive provider's output and its hash). */
export interface UnsignedZip {
  path: string;
  base64Sha256: string;
}

export interface CodeSigningProps {
  /** Artifacts bucket name (global namespace: include account and region). */
  readonly bucket: string;
  /** The Signer profile the bootstrap created (letters, digits and underscores, 2 to 64). */
  readonly profileName: string;
  /** The code-signing config the bootstrap created (Enforce; this stack cannot change it). */
  readonly codeSigningConfigArn: string;
  /** Days before noncurrent artifact versions expire. */
  readonly noncurrentVersionDays: number;
  /** The bucket policy (from the plan). */
  readonly bucketPolicy: PolicyDocument;
  /** The bucket's own key, as the plan describes it (rendered like every other key). */
  readonly key: EncryptionKeyProps;
  /**
   * Tags of the key, bucket and profile.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Signed code for an environment's Lambda functions: an artifacts bucket (versioned, under its
 * own KMS key, TLS only, no public access) and a signing job for every uploaded zip. The Signer
 * profile and the code-signing config that makes Lambda refuse any code the profile did not
 * sign (`Enforce`) belong to the bootstrap (modules/ci-access.ts): the deploy role that applies
 * this stack can neither weaken nor replace them (its boundary denies it).
 */
export class CodeSigning extends Construct {
  readonly bucket: S3Bucket;
  readonly key: EncryptionKey;

  constructor(
    scope: Construct,
    id: string,
    private readonly p: CodeSigningProps,
  ) {
    super(scope, id);
    if (!/^[A-Za-z0-9_]{2,64}$/.test(p.profileName))
      throw new Error(`code signing: profile name ${p.profileName} must be 2-64 letters, digits or underscores`);
    this.key = new EncryptionKey(this, 'key', p.key);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: p.bucket, objectLockEnabled: false, tags: p.tags ? { ...p.tags } : undefined });
    // Signer reads a specific object version: versioning is required here, not only good practice.
    securePrivateBucket(this, this.bucket, {
      keyArn: this.key.key.arn,
      lifecycleRuleId: 'expire-old-artifacts',
      noncurrentVersionDays: p.noncurrentVersionDays,
      policy: p.bucketPolicy,
    });
  }

  /**
   * Uploads a zip (a new object version whenever its hash changes), signs that version, and
   * returns where the signed copy is. Resources are created here, in the code-signing module.
   */
  sign(name: string, zip: UnsignedZip): SignedCode {
    const upload = new S3Object(this, `unsigned-${name}`, {
      bucket: this.bucket.id,
      key: `unsigned/${name}.zip`,
      source: zip.path,
      sourceHash: zip.base64Sha256,
      kmsKeyId: this.key.key.arn,
      tags: this.p.tags,
    });
    const job = new SignerSigningJob(this, `signing-${name}`, {
      profileName: this.p.profileName,
      source: { s3: { bucket: this.bucket.id, key: upload.key, version: upload.versionId } },
      destination: { s3: { bucket: this.bucket.id, prefix: `signed/${name}/` } },
      ignoreSigningJobFailure: false,
    });
    return {
      s3Bucket: job.signedObject.get(0).s3.get(0).bucket,
      s3Key: job.signedObject.get(0).s3.get(0).key,
      codeSigningConfigArn: this.p.codeSigningConfigArn,
    };
  }
}
