import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { ArnResolver } from './arn-resolver';
import { type PolicyDocument, renderPolicy } from '../plan/policy';

export interface SecretProps {
  /** The secret's name (1..512 characters of letters, digits and `/_+=.@-`). */
  readonly name: string;
  readonly description: string;
  /**
   * The secret's KMS key ARN (an estimated ARN that `arns` resolves, or a reference).
   * @default - the AWS-managed key `aws/secretsmanager`
   */
  readonly kmsKeyArn?: string;
  /**
   * Regions the secret is replicated to, each with its key.
   * @default - no replicas
   */
  readonly replicas?: ReadonlyArray<{ readonly region: string; readonly kmsKeyArn?: string }>;
  /** Days a deleted secret stays recoverable (0 = immediate deletion). */
  readonly recoveryWindowDays: number;
  /**
   * The ARN the plan used for this secret in policy documents; bound to the secret's reference.
   * @default - not bound
   */
  readonly estimatedArn?: string;
  /**
   * The secret's resource policy (with estimated ARNs that `arns` resolves).
   * @default - no resource policy
   */
  readonly resourcePolicy?: PolicyDocument;
  /**
   * Resolves estimated ARNs to Terraform references.
   * @default - ARNs and documents are used as given
   */
  readonly arns?: ArnResolver;
  /**
   * Tags of the secret.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * One secret: metadata, optional replicas under their region's key, optional resource policy.
 * Terraform never writes or reads its value (no `aws_secretsmanager_secret_version`): rotation,
 * the values step or an operator does (docs/values.md); the secret's tags say which version of
 * the value the catalog wants.
 */
export class Secret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly name: string;

  constructor(scope: Construct, id: string, props: SecretProps) {
    super(scope, id);
    this.name = props.name;
    const arns = props.arns ?? new ArnResolver();
    const key = (arn: string | undefined) => (arn === undefined ? undefined : arns.resolve(arn));
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: props.description,
      kmsKeyId: key(props.kmsKeyArn),
      recoveryWindowInDays: props.recoveryWindowDays,
      replica: (props.replicas ?? []).map((r) => ({ region: r.region, kmsKeyId: key(r.kmsKeyArn) })),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    if (props.estimatedArn) arns.bind(props.estimatedArn, this.secret.arn);
    if (props.resourcePolicy) this.attachPolicy(arns.render(props.resourcePolicy));
  }

  /** Attaches a resource policy (rendered JSON); public policies are refused by Secrets Manager itself. */
  attachPolicy(doc: PolicyDocument | string): SecretsmanagerSecretPolicy {
    return new SecretsmanagerSecretPolicy(this, 'policy', {
      secretArn: this.secret.arn,
      policy: typeof doc === 'string' ? doc : renderPolicy(doc),
      blockPublicPolicy: true,
    });
  }
}
