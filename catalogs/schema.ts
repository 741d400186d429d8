/**
 * The catalog's shape, declared once: the valibot schema below is checked at run time at the
 * boundary (catalogs/parse.ts), and the TypeScript types in catalogs/types.ts
 * are inferred from it. Names and lists shared with the rotation Lambdas (strategies, value
 * formats, TLS modes, generator rules) come from lambdas/rotation/contract.ts.
 *
 * Valibot rather than zod: it loads in ~5 ms against zod 4's ~38 ms on this machine (synth
 * runs in ~0.4 s, and every CLI call pays it), and its issues carry the path, the received
 * value and the expected options, which is what the one-line messages need.
 */
import * as v from 'valibot';
import { GeneratorRules, STRATEGIES, TLS_MODES, VALUE_FORMATS } from '../lambdas/rotation/contract';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'production'] as const;
/** One KMS key per environment and category (the production reference keeps them apart). */
export const KEY_CATEGORIES = ['database', 'api-keys', 'service-accounts', 'application'] as const;
const DATABASE_ENGINES = ['postgres', 'mysql', 'mariadb'] as const;
/** Formats GetRandomPassword can produce at apply time (a subset of the rotation formats). */
const APPLY_TIME_FORMATS = ['password', 'alphanumeric'] as const;

const str = v.string();
const int = v.pipe(v.number(), v.integer());
const strings = v.array(str);
const tagMap = v.record(str, str);

/** How a value is generated at apply time (ephemeral `aws_secretsmanager_random_password`). */
export const ValueGeneratorSchema = v.strictObject({
  /** 1..4096 characters (GetRandomPassword's range). Default 32. */
  length: v.optional(int),
  /** password: printable characters minus `excludeCharacters`; alphanumeric: letters and digits. */
  format: v.optional(v.picklist(APPLY_TIME_FORMATS)),
  /** Characters never to use (quotes and backslashes by default for database passwords). */
  excludeCharacters: v.optional(str),
});

/**
 * How a secret gets its value. Terraform never stores a value in plan or state, except a binary
 * value from a file, which the provider can only write through state (see `binary-file`).
 */
export const SecretValueSchema = v.variant('kind', [
  /** 1. No value from Terraform: set by rotation or by an operator (`aws secretsmanager put-secret-value`). */
  v.variant('format', [
    v.strictObject({ kind: v.literal('external'), format: v.picklist(['text', 'binary']) }),
    v.strictObject({ kind: v.literal('external'), format: v.literal('json'), jsonKeys: strings }),
  ]),
  /** 2. Supplied at deploy time through a sensitive ephemeral variable into `secret_string_wo`. */
  v.strictObject({ kind: v.literal('deploy-time'), variable: v.optional(str) }),
  /** 3. Generated at apply time by an ephemeral `aws_secretsmanager_random_password`, never in state. */
  v.strictObject({ kind: v.literal('generated'), generator: v.optional(ValueGeneratorSchema) }),
  /**
   * 4. JSON whose non-secret fields come from this catalog and whose secret fields are generated
   * (`generated`) or supplied at deploy time (`deployTime`, one ephemeral variable each).
   */
  v.strictObject({
    kind: v.literal('json'),
    /** Numbers are finite: JSON has no Infinity, and JSON.stringify would write null. */
    fields: v.record(str, v.union([str, v.pipe(v.number(), v.finite()), v.boolean()])),
    generated: v.optional(v.record(str, ValueGeneratorSchema)),
    deployTime: v.optional(strings),
  }),
  /**
   * 5. Binary from a file. The AWS provider has no write-only binary argument, so the value lands
   * in Terraform state; refused in production unless `acknowledgeValueInState` is true.
   */
  v.strictObject({ kind: v.literal('binary-file'), path: str, acknowledgeValueInState: v.optional(v.boolean()) }),
]);

export const RotationScheduleSchema = v.strictObject({
  /** Exactly one of these. `afterDays` 1..1000; a cron/rate expression at most every 4 hours. */
  afterDays: v.optional(v.number()),
  expression: v.optional(str),
  /** Rotation window, e.g. `3h`; must fit inside the interval. */
  window: v.optional(str),
  /** Rotate as soon as the rotation is configured (default: true for generated values, false for databases). */
  rotateImmediately: v.optional(v.boolean()),
});

export const RotationSpecSchema = v.variant('kind', [
  v.strictObject({
    /** A database password changed by the rotation Lambda for `engine`. */
    kind: v.literal('database'),
    engine: v.picklist(DATABASE_ENGINES),
    strategy: v.picklist(STRATEGIES),
    /** For `admin` and `alternating-users`: the catalog id of the secret that holds the admin credentials. */
    adminSecret: v.optional(str),
    schedule: RotationScheduleSchema,
    /** Where the Lambda connects to: CIDR blocks (the reference's `10.0.1.5/32`) or security groups. */
    databaseCidrs: v.optional(strings),
    databaseSecurityGroupIds: v.optional(strings),
    /**
     * TLS to the database: `verify-full` (default; the certificate must chain to a trusted CA,
     * the RDS CAs included, and name the host), `require` (encrypted, server unverified) or
     * `disabled` (plaintext). Never a silent fallback: a failed TLS handshake fails the rotation.
     */
    tls: v.optional(v.picklist(TLS_MODES)),
    /** Required outside dev when `tls` is `disabled`: why this database cannot take TLS. */
    tlsReason: v.optional(str),
  }),
  /**
   * A value that fronts no database (API key, JWT signing key, webhook or encryption key),
   * regenerated by the `generated` rotation function with the contract's `GeneratorRules`.
   */
  v.strictObject({
    kind: v.literal('generated'),
    format: v.picklist(VALUE_FORMATS),
    length: v.number(),
    excludeCharacters: v.optional(str),
    /** For JSON secrets: the key to regenerate; the other keys are kept. */
    jsonKey: v.optional(str),
    schedule: RotationScheduleSchema,
  }),
]);

/** An ECS service that reads the secret: injected at start-up, or read at run time with the SDK. */
export const EcsAccessSchema = v.strictObject({
  service: str,
  /** Injected into the container environment by the execution role. */
  inject: v.optional(v.array(v.strictObject({ env: str, jsonKey: v.optional(str) }))),
  /** Read at run time by the task role (`GetSecretValue`), so rotation needs no restart. */
  runtime: v.optional(v.boolean()),
  /**
   * Required to inject a value that rotates: why no task of this service runs longer than an
   * injected value stays valid (e.g. "scheduled tasks of a few minutes, started fresh each run").
   * ECS reads injected values once, at task start.
   */
  rotatedInjectionReason: v.optional(str),
  /**
   * ECR repositories the service's images come from (names in this account and Region, or ARNs
   * of a shared registry); its execution role may pull from these only. Default: the service name.
   */
  repositories: v.optional(strings),
});

export const SecretSpecSchema = v.strictObject({
  /** Stable id used for resource and output names; unique in the environment. */
  id: str,
  /** The name is `<env>/<service>/<component>/<type>`. */
  service: str,
  component: str,
  type: str,
  /** Overrides the derived name (e.g. keeping a legacy name); still checked against every rule. */
  name: v.optional(str),
  description: str,
  category: v.picklist(KEY_CATEGORIES),
  value: SecretValueSchema,
  rotation: v.optional(RotationSpecSchema),
  /** Required in staging and production when `rotation` is absent: why this value does not rotate. */
  noRotationReason: v.optional(str),
  /** Regions to replicate to, each under this category's key in that region. */
  replicas: v.optional(strings),
  /** Names from `EnvironmentConfig.readers`: other accounts, organizations or IAM roles. */
  readers: v.optional(strings),
  ecs: v.optional(v.array(EcsAccessSchema)),
  tags: v.optional(tagMap),
  recoveryWindowDays: v.optional(v.number()),
  /** Leave the secret under the AWS-managed key. Not allowed with cross-account readers. */
  awsManagedKey: v.optional(v.boolean()),
});

export const ReaderSchema = v.variant('kind', [
  /** Roles in another account; the secret policy names the account and pins the role ARNs. */
  v.strictObject({ kind: v.literal('account'), accountId: str, roleNames: strings, description: v.optional(str) }),
  /** Every principal of an AWS Organization (secret policy conditioned on `aws:PrincipalOrgID`). */
  v.strictObject({ kind: v.literal('organization'), organizationId: str, description: v.optional(str) }),
  /** An existing IAM role in this account (Lambda, EC2 instance profile); gets an inline policy. */
  v.strictObject({ kind: v.literal('iam-role'), roleName: str, description: v.optional(str) }),
]);

export const NetworkSchema = v.strictObject({
  vpcId: str,
  /** Private subnets for the rotation Lambdas and the Secrets Manager VPC endpoint. */
  subnetIds: strings,
  /**
   * Who else may use the Secrets Manager endpoint, besides the rotation functions: the security
   * groups of the ECS services and functions that read secrets (preferred) ...
   */
  endpointClientSecurityGroupIds: v.optional(strings),
  /** ... or exact client CIDRs, a /24 or narrower (never the VPC's whole range). */
  endpointClientCidrs: v.optional(strings),
  /**
   * With `createSecretsManagerEndpoint: false`: the security group of the VPC's existing Secrets
   * Manager endpoint. The rotation functions' groups get egress to it on 443, and it gets one
   * ingress rule from each of them (its other rules stay its owner's).
   */
  existingEndpointSecurityGroupId: v.optional(str),
  /** Set to false when the VPC already has a Secrets Manager endpoint. */
  createSecretsManagerEndpoint: v.optional(v.boolean()),
});

/** An existing IAM role of the environment's account, used only in emergencies (audited). */
export const BreakGlassSchema = v.strictObject({
  /** The role's name (path-less), e.g. `secrets-platform-break-glass`. */
  roleName: str,
  description: v.optional(str),
});

export const EnvironmentSchema = v.strictObject({
  name: v.picklist(ENVIRONMENT_NAMES),
  accountId: str,
  /**
   * The AWS Organization the account belongs to (`o-...`). Without it, the account is taken to be
   * a member of any organisation another environment shares with (READER-ENV-ORG).
   */
  organizationId: v.optional(str),
  region: str,
  /** Role the deployer assumes (CI's OIDC role assumes this one). */
  deployRoleArn: v.optional(str),
  /**
   * The break-glass role of this account: the one principal, besides the readers the catalog
   * names, that secret resource policies let manage and read secrets in an emergency.
   */
  breakGlass: BreakGlassSchema,
  owner: str,
  costCenter: str,
  /** Default recovery window; production 30, dev 7 (0 = immediate delete, dev only). */
  recoveryWindowDays: v.number(),
  /** KMS key deletion window (7..30; 30 in production). */
  keyDeletionWindowDays: v.number(),
  logRetentionDays: v.number(),
  readers: v.record(str, ReaderSchema),
  network: v.optional(NetworkSchema),
  /** E-mail subscribed to the alerts topic (confirmation required). */
  alertEmail: v.optional(str),
  secrets: v.array(SecretSpecSchema),
  tags: v.optional(tagMap),
});

/** Fails to compile when the schema's generated-rotation rules drift from the contract's. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type GeneratedRotation = Extract<v.InferOutput<typeof RotationSpecSchema>, { kind: 'generated' }>;
const rulesAgree: Same<Omit<GeneratedRotation, 'kind' | 'schedule'>, GeneratorRules> = true;
void rulesAgree;
