import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import { ArnResolver, PolicyDocument, renderPolicy } from './policy';

// The policy builder lives in ./policies/key.ts (pure, no cdktf); re-exported for callers.
export * from './policies/key';

export interface EncryptionKeyProps {
  /** The key's alias, e.g. `alias/secrets-platform/prod/database`. */
  readonly alias: string;
  /** The key's description, shown in the KMS console. */
  readonly description: string;
  /** The primary region (the provider's region). */
  readonly region: string;
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

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const replicaRegions = props.replicaRegions ?? [];
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
    }
  }
}
