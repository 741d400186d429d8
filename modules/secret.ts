import * as path from 'node:path';
import { Construct } from 'constructs';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { ArnResolver } from './arn-resolver';
import { PolicyDocument, renderPolicy } from '../plan/policy';
import type { ValueSource } from '../plan/types';


export type SecretValueInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly source: ValueSource }
  | { readonly kind: 'json'; readonly fields: Readonly<Record<string, string | number | boolean>>; readonly secretFields: Readonly<Record<string, ValueSource>> }
  /** Path relative to the repository root; read by Terraform at plan time (the value reaches state). */
  | { readonly kind: 'binary-file'; readonly file: string; readonly repoRoot: string; readonly stackDir: string };

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
  /** How Terraform writes the first value, if at all. */
  readonly value: SecretValueInput;
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

/** HCL string literal: JSON escaping plus Terraform's own `${` and `%{` template escapes. */
function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Staging label that keeps the version Terraform wrote from being deprecated and deleted. */
export const TERRAFORM_STAGE = 'TERRAFORM_WRITTEN';

/**
 * Settings of every version Terraform writes, so Terraform never takes a value back:
 * - `version_stages` defaults to AWSCURRENT, and after a rotation or an operator's
 *   put-secret-value the provider would plan to move AWSCURRENT back to the old version;
 *   Terraform sets the stages once and ignores them afterwards;
 * - a version left with no label is deprecated and eventually deleted by Secrets Manager, and
 *   Terraform would then "recreate" it, writing the initial value over the current one; a label
 *   of our own keeps the version (and Terraform's state of it) alive.
 */
const KEEP_ROTATED_VALUES = {
  versionStages: ['AWSCURRENT', TERRAFORM_STAGE],
  lifecycle: { ignoreChanges: ['version_stages'] },
};

/**
 * One secret: metadata, optional replicas under their region's key, optional resource policy,
 * and (only when the catalog asks) an initial value written through `secret_string_wo`, so the
 * value is in neither plan nor state and Terraform writes it again only when
 * `<id>_value_version` is raised. Values set later by rotation or operators are never touched.
 */
export class Secret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly variables: string[] = [];
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
    this.writeValue(id, props.value);
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

  private writeValue(id: string, value: SecretValueInput): void {
    if (value.kind === 'none') return;
    const stack = TerraformStack.of(this);
    const tfId = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (value.kind === 'binary-file') {
      // A path relative to the stack directory, so neither cdk.tf.json nor cdktf.out holds the bytes.
      const rel = path.relative(value.stackDir, path.resolve(value.repoRoot, value.file)).split(path.sep).join('/');
      new SecretsmanagerSecretVersion(this, 'value', {
        secretId: this.secret.id,
        secretBinary: `\${filebase64("\${path.module}/${rel}")}`,
        ...KEEP_ROTATED_VALUES,
      });
      return;
    }
    const expr = (source: ValueSource, key: string): string => {
      if ('variable' in source) {
        const v = new TerraformVariable(stack, source.variable, {
          type: 'string',
          sensitive: true,
          nullable: true,
          description: `${key === "value" ? "Value" : `Value of ${key}`} for ${this.name}; ephemeral, needed only when the value version is raised`,
        });
        v.addOverride('ephemeral', true);
        // Null by default: plans that do not raise the value version need no value at all.
        v.addOverride('default', null);
        this.variables.push(source.variable);
        return `var.${source.variable}`;
      }
      const name = `${tfId}_${key.replace(/[^A-Za-z0-9_]/g, '_')}`.toLowerCase();
      const rules = source.generate;
      stack.addOverride(`ephemeral.aws_secretsmanager_random_password.${name}`, {
        password_length: rules.length,
        exclude_punctuation: rules.excludePunctuation,
        ...(rules.excludeCharacters ? { exclude_characters: rules.excludeCharacters } : {}),
        include_space: false,
        require_each_included_type: true,
      });
      return `ephemeral.aws_secretsmanager_random_password.${name}.random_password`;
    };
    let expression: string;
    if (value.kind === 'text') {
      expression = expr(value.source, 'value');
    } else {
      const entries = [
        ...Object.entries(value.fields).map(([k, v]) => `${hclString(k)} = ${typeof v === 'string' ? hclString(v) : String(v)}`),
        ...Object.entries(value.secretFields).map(([k, src]) => `${hclString(k)} = ${expr(src, k)}`),
      ];
      expression = `jsonencode({${entries.join(', ')}})`;
    }
    const version = new TerraformVariable(stack, `${tfId}_value_version`, {
      type: 'number',
      default: 1,
      description: `Raise to write a new value into ${this.name} (write-only; rotation and operators own it otherwise)`,
    });
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: this.secret.id,
      secretStringWo: `\${${expression}}`,
      secretStringWoVersion: version.numberValue,
      ...KEEP_ROTATED_VALUES,
    });
  }
}
