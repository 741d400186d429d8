import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import type { ArnResolver } from './arn-resolver';
import { type PolicyDocument, renderPolicy } from '../plan/policy';

// The key policy is built by plan/policies/key.ts (pure, no cdktf); this construct renders it.

export interface EncryptionKeyProps {
  /** The key's alias, e.g. `alias/secrets-platform/prod/database`. */
  readonly alias: string;
  /** The key's description, shown in the KMS console. */
  readonly description: string;
  /** The primary region (the provider's region). */
  readonly region: string;
  /**
   * The account, for the alias ARNs among `identifiers`.
   * @default - identifiers hold no alias ARNs
   */
  readonly accountId?: string;
  /**
   * @default 'aws'
   */
  readonly partition?: string;
  /** Days between `ScheduleKeyDeletion` and deletion (7..30). */
  readonly deletionWindowDays: number;
  /**
   * Regions that get a replica of this multi-Region key.
   * @default - no replicas (a single-Region key)
   */
  readonly replicaRegions?: readonly string[];
  /** The key policy of each region (primary and replicas), computed by the plan. */
  readonly policies: Readonly<Record<string, PolicyDocument>>;
  /**
   * The literal ARN per region that the plan used for this key in policy documents; bound to
   * the key's Terraform reference in `arns` so documents naming it render with the reference.
   * @default - nothing is bound
   */
  readonly estimatedArns?: Readonly<Record<string, string>>;
  /**
   * Where estimated ARNs are bound to Terraform references.
   * @default - nothing is bound
   */
  readonly arns?: ArnResolver;
  /**
   * Tags of the key and its replicas.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A customer-managed KMS key with rotation on, an alias, a key policy derived from who uses
 * it, and multi-Region replicas (same key material, own policy) in each replica region, so a
 * replicated secret is readable in its replica region under a key we control.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  /** The key's ARN per region (primary and replicas), as Terraform references. */
  readonly arnByRegion: Record<string, string> = {};
  readonly aliasName: string;
  /**
   * Every way a caller can name this key or one of its replicas in a KMS request: key ids, key
   * ARNs, the alias name and the alias ARNs (for the key-anomaly rule).
   */
  readonly identifiers: string[] = [];

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const replicaRegions = props.replicaRegions ?? [];
    this.aliasName = props.alias;
    const aliasArn = (region: string) =>
      props.accountId ? [`arn:${props.partition ?? 'aws'}:kms:${region}:${props.accountId}:${props.alias}`] : [];
    const render = (region: string) => {
      const doc = props.policies[region];
      if (!doc) throw new Error(`EncryptionKey ${id}: no key policy for region ${region}`);
      return props.arns ? props.arns.render(doc) : renderPolicy(doc);
    };
    const bind = (region: string, reference: string) => {
      this.arnByRegion[region] = reference;
      const estimated = props.estimatedArns?.[region];
      if (estimated && props.arns) props.arns.bind(estimated, reference);
    };
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: props.deletionWindowDays,
      multiRegion: replicaRegions.length > 0,
      policy: render(props.region),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId });
    bind(props.region, this.key.arn);
    this.identifiers.push(this.key.arn, this.key.keyId, props.alias, ...aliasArn(props.region));

    for (const region of replicaRegions) {
      const replica = new KmsReplicaKey(this, `replica-${region}`, {
        region,
        primaryKeyArn: this.key.arn,
        description: `${props.description} (replica in ${region})`,
        deletionWindowInDays: props.deletionWindowDays,
        policy: render(region),
        tags: props.tags ? { ...props.tags } : undefined,
      });
      new KmsAlias(this, `alias-${region}`, { region, name: props.alias, targetKeyId: replica.keyId });
      bind(region, replica.arn);
      this.identifiers.push(replica.arn, replica.keyId, ...aliasArn(region));
    }
  }
}
