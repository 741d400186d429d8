/**
 * The environment plan: every fact derived from a catalog, computed once by `planEnvironment`
 * (plan/plan.ts) and read by the guardrails (rules), the stack (which renders it
 * through modules/) and the inventory. Pure data, deeply read-only and frozen at run time.
 *
 * ARNs in the plan are literal estimates of their final length (`...:secret:<name>-AbCdEf`,
 * `...:key/mrk-<32 hex>`), distinct per resource. The stack binds each estimate to the Terraform
 * reference of the resource it creates and renders the plan's documents with the references
 * (modules/arn-resolver.ts): the size guardrails measure exactly the documents written.
 */
import type { PolicyDocument } from './policy';
import type { KeyGrantee } from './policies/key';
import type { SecretAccessInput } from './policies/access';
import type { HandlerName, Strategy, TlsMode } from '../lambdas/rotation/contract';
import type { EnvironmentConfig, EnvironmentName, KeyCategory, Reader, SecretSpec, StateBackendConfig } from '../catalogs/types';

/** GetRandomPassword's rules, as the values step calls it (IncludeSpace off, RequireEachIncludedType on). */
export interface PasswordRules {
  readonly length: number;
  readonly excludePunctuation: boolean;
  readonly excludeCharacters?: string;
}

/**
 * Where the values step takes a value, or one key of a JSON value, from; never a value itself:
 * a name in the GitHub environment secret DEPLOY_TIME_VALUES, GetRandomPassword, or a catalog
 * field (host, port, user name: not secret).
 */
export type ValueSource =
  | { readonly deployTime: string }
  | { readonly generate: PasswordRules }
  | { readonly literal: string | number | boolean };

/** Who the catalog names for one secret: the roles that read, write and manage it. */
export type SecretPrincipals = Pick<SecretAccessInput, 'readers' | 'valueWriters' | 'managers' | 'breakGlassRoleArn'>;

/** T with every property, array and nested object read-only. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

/** A document the stack writes, with where it goes and AWS's size limit for it. */
export interface PlannedDocument {
  /** What owns it: `secret prod/app/db (production)`, `ECS service api (production)`. */
  readonly subject: string;
  /** Which document: `its resource policy`, `the task role's inline policy`. */
  readonly what: string;
  readonly document: PolicyDocument;
  /** AWS's limit for this kind of document (characters, whitespace not counted). */
  readonly limit: number;
  /** The name of the AWS documentation page that states the limit. */
  readonly limitSource: string;
  /** What to change when it is too large. */
  readonly fix: string;
  /** The catalog id of the secret it belongs to, when it belongs to one. */
  readonly secretId?: string;
}

/** A customer-managed KMS key (one per category in use, plus the monitoring key). */
export interface KeyPlan {
  /** Construct id: `key-database`, `key-monitoring`. */
  readonly id: string;
  readonly category: KeyCategory | 'monitoring' | 'artifacts';
  readonly alias: string;
  readonly description: string;
  /** Primary region first, then the replica regions (sorted). */
  readonly regions: readonly string[];
  readonly replicaRegions: readonly string[];
  readonly deletionWindowDays: number;
  /** Services through which this account's principals may use the key. */
  readonly useVia: ReadonlyArray<'secretsmanager' | 's3' | 'dynamodb'>;
  /** Reader names (from the catalog) whose secrets use this key. */
  readonly readers: readonly string[];
  /** Cross-account principals who may decrypt through Secrets Manager. */
  readonly grantees: DeepReadonly<KeyGrantee[]>;
  /** Roles of this account (iam-role readers) who may decrypt through Secrets Manager. */
  readonly namedReaders: readonly string[];
  readonly services: ReadonlyArray<'events.amazonaws.com' | 'cloudwatch.amazonaws.com' | 'logs'>;
  /** With service `logs`: the log groups (name patterns) CloudWatch Logs may encrypt with the key. */
  readonly logGroups?: readonly string[];
  /** Estimated ARN per region. */
  readonly arnByRegion: Readonly<Record<string, string>>;
  /** The key policy per region. */
  readonly policyByRegion: Readonly<Record<string, PolicyDocument>>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Who writes a secret's value (docs/values.md). Terraform never does: `none` values are written by
 * rotation (its first rotation, at creation) or by an operator; the others by the values step
 * after apply, each time `version` rises above the version it last wrote.
 */
export type PlannedValue =
  | { readonly kind: 'none'; readonly firstValue: 'rotation' | 'operator' }
  | ({ readonly version: number; readonly rotateAfterWrite: boolean } & (
      | { readonly kind: 'text'; readonly source: ValueSource }
      /** Keys in catalog order: fields, then generated, then deploy-time keys. */
      | { readonly kind: 'json'; readonly keys: Readonly<Record<string, ValueSource>> }
      /** Relative to the repository root. */
      | { readonly kind: 'binary-file'; readonly file: string }
    ));

/** The values step writes this value. */
export type WrittenValue = Exclude<PlannedValue, { kind: 'none' }>;

/** A catalog reader as resolved for one environment. */
export type ResolvedReader =
  | {
      readonly name: string;
      readonly kind: 'account';
      readonly accountId: string;
      readonly roleNames: readonly string[];
      readonly roleArns: readonly string[];
    }
  | { readonly name: string; readonly kind: 'organization'; readonly organizationId: string }
  | { readonly name: string; readonly kind: 'iam-role'; readonly roleName: string; readonly roleArn: string }
  /** A name the secret lists but the environment does not declare (a guardrail refuses it). */
  | { readonly name: string; readonly kind: 'unknown' };

export interface RotationSchedulePlan {
  readonly afterDays?: number;
  readonly expression?: string;
  readonly window?: string;
  /** True when rotation writes the first value; false when the values step does (and may start the first rotation). */
  readonly rotateImmediately: boolean;
}

export interface SecretPlan {
  /** Catalog id. */
  readonly id: string;
  /** Terraform-safe id (resource, variable and output names). */
  readonly tfId: string;
  /** The catalog entry, as validated. */
  readonly spec: DeepReadonly<SecretSpec>;
  readonly name: string;
  readonly description: string;
  /** Estimated ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-AbCdEf`). */
  readonly arn: string;
  readonly category: KeyCategory;
  /** The category key's construct id, or undefined under the AWS-managed key. */
  readonly keyId?: string;
  /** The key's estimated ARN in the primary region (undefined: AWS-managed key). */
  readonly kmsKeyArn?: string;
  /** Primary region first, then the replicas. */
  readonly regions: readonly string[];
  readonly replicas: ReadonlyArray<{ readonly region: string; readonly kmsKeyArn?: string }>;
  readonly recoveryWindowDays: number;
  readonly value: PlannedValue;
  /** JSON keys the value is known to hold (undefined: not JSON). */
  readonly jsonKeys?: readonly string[];
  readonly binary: boolean;
  /** Tags on the secret: Service, Component, Category, the rotation:* tags, then the catalog's. */
  readonly tags: Readonly<Record<string, string>>;
  /** The reserved tags rotation sets (the catalog's own tags must not override them). */
  readonly rotationTags: Readonly<Record<string, string>>;
  readonly readers: readonly ResolvedReader[];
  /** Role ARNs the catalog names for this secret: value readers, value writers, managers, break-glass. */
  readonly access: DeepReadonly<SecretPrincipals>;
  /** The secret's deny-by-default resource policy (every secret has one). */
  readonly resourcePolicy: PolicyDocument;
  /** The rotation function that rotates it (its group key) and the schedule. */
  readonly rotation?: { readonly functionKey: string; readonly functionName: string; readonly schedule: RotationSchedulePlan };
}

export interface ReaderPlan {
  readonly name: string;
  readonly reader: DeepReadonly<Reader>;
  readonly resolved: ResolvedReader;
  /** Catalog ids of the secrets it reads. */
  readonly secretIds: readonly string[];
  /** Other accounts and organizations: the managed policies their roles attach (each within 6,144). */
  readonly consumerPolicies?: readonly PolicyDocument[];
  /** Terraform output holding the consumer policies. */
  readonly outputName?: string;
}

export interface DatabaseTargetPlan {
  readonly port: number;
  readonly cidrs: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface RotationFunctionPlan {
  /** Group key: `postgres-single-user`, `generated`. */
  readonly key: string;
  readonly functionName: string;
  readonly description: string;
  readonly roleName: string;
  readonly handler: HandlerName;
  readonly strategy?: Strategy;
  readonly secretIds: readonly string[];
  readonly adminSecretIds: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly minimumTls?: TlsMode;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  readonly logRetentionDays: number;
  readonly trustPolicy: PolicyDocument;
  readonly rolePolicy: PolicyDocument;
  /** Above MAX_PER_SECRET_PERMISSIONS secrets: one invoke permission for this ARN pattern. */
  readonly bulkInvokeSourceArn?: string;
  readonly vpc?: {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    readonly securityGroupName: string;
    readonly databases: readonly DatabaseTargetPlan[];
  };
}

export interface EcsRolePlan {
  readonly name: string;
  readonly description: string;
  readonly policyName: string;
  readonly policy: PolicyDocument;
  /** Catalog ids of the secrets the role reads. */
  readonly secretIds: readonly string[];
}

export interface EcsServicePlan {
  readonly service: string;
  readonly rolePrefix: string;
  readonly trustPolicy: PolicyDocument;
  /** The service's log group (awslogs driver); the execution role writes only there. */
  readonly logGroupName: string;
  /** ECR repositories (names or ARNs) the execution role may pull from. */
  readonly repositories: readonly string[];
  /** Always present: ECS needs it to pull the image and write logs. */
  readonly executionRole: EcsRolePlan;
  readonly taskRole?: EcsRolePlan;
  /** Injected variables: the container definition's `secrets` (valueFrom with estimated ARNs). */
  readonly containerSecrets: ReadonlyArray<{
    readonly name: string;
    readonly valueFrom: string;
    readonly secretId: string;
    readonly jsonKey?: string;
  }>;
  readonly outputName: string;
}

export interface EndpointPlan {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly clientCidrs: readonly string[];
  /** Security groups of named clients (ECS services, functions) admitted on 443. */
  readonly clientSecurityGroupIds: readonly string[];
  readonly create: boolean;
  /** With `create: false`: the existing endpoint's security group, which the rotation functions reach. */
  readonly existingSecurityGroupId?: string;
  readonly policy: PolicyDocument;
}

export interface MonitoringPlan {
  readonly topicName: string;
  readonly topicArn: string;
  readonly topicPolicy: PolicyDocument;
  readonly ruleNames: {
    readonly rotationFailed: string;
    readonly deniedReads: string;
    readonly keyAnomalies: string;
    readonly keyAliases: string;
    readonly secretChanges: string;
    readonly secretWrites: string;
    readonly lambdaChanges: string;
    readonly exemptRoles: string;
    readonly breakGlass: string;
  };
  /** The roles whose changes are incidents: the CI roles, break-glass and operator (ci-access creates them). */
  readonly exemptRoleNames: readonly string[];
  /** ARN prefix of the project's managed policies (the roles' permissions boundaries). */
  readonly projectPolicyArnPrefix: string;
  readonly breakGlassRoleArn: string;
  /** The deploy and values roles: their reviewed changes to secrets are not alerted on. */
  readonly pipelineRoleArns: readonly string[];
  /** Name prefix of the rotation functions (`prod-secrets-rotation-`). */
  readonly functionNamePrefix: string;
  /** Construct ids of the keys whose misuse is alerted on (every key the stack creates). */
  readonly watchedKeyIds: readonly string[];
  /** Their aliases (DeleteAlias/UpdateAlias events carry only the alias name). */
  readonly aliasNames: readonly string[];
  /** Name and ARN prefixes of this environment's secrets (`secretId` as callers write it). */
  readonly secretIdPrefixes: readonly string[];
  /**
   * Replica Regions, and the global Region when it is not the primary (IAM and the global STS
   * endpoint), forward their events to the primary Region's default bus.
   */
  readonly forward?: {
    readonly regions: readonly string[];
    readonly busArn: string;
    readonly roleName: string;
    readonly trustPolicy: PolicyDocument;
    readonly rolePolicy: PolicyDocument;
  };
  readonly rotationFunctionNames: readonly string[];
  readonly alertEmail?: string;
}

/** Signed rotation code: the artifacts bucket, its key, and the Signer profile (modules/code-signing.ts). */
export interface CodeSigningPlan {
  /** Artifacts bucket name (global namespace: account and region included). */
  readonly bucket: string;
  /** AWS Signer profile name (the bootstrap creates it): letters, digits and underscores, 2 to 64. */
  readonly profileName: string;
  /** The SSM parameter holding the code-signing config's ARN (the bootstrap writes it). */
  readonly parameterName: string;
  /** Days before noncurrent artifact versions expire. */
  readonly noncurrentVersionDays: number;
  /** The bucket's own key (used through S3 only). */
  readonly key: KeyPlan;
  /** The bucket policy: TLS 1.2 or later only. */
  readonly bucketPolicy: PolicyDocument;
}

export interface EnvironmentPlan {
  readonly environment: EnvironmentName;
  /** The validated catalog this plan was computed from. */
  readonly catalog: DeepReadonly<EnvironmentConfig>;
  readonly accountId: string;
  readonly region: string;
  readonly partition: Partition;
  /** `prod`, `staging`, `dev`: the start of every secret name. */
  readonly namePrefix: string;
  readonly deployRoleArn?: string;
  /** The workload boundary every role this stack creates carries (the bootstrap creates the policy). */
  readonly workloadBoundaryArn: string;
  /** The IAM path of every role this stack creates (`/secrets-platform/`): the deploy role may touch roles under it only. */
  readonly workloadRolePath: string;
  readonly breakGlass: { readonly roleName: string; readonly roleArn: string; readonly description?: string };
  /** The provider's `default_tags`, which AWS counts with each resource's own tags. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** Tags of every resource this stack creates (besides default tags). */
  readonly resourceTags: Readonly<Record<string, string>>;
  readonly stateKey: string;
  /** The account's S3 + DynamoDB state backend (bucket, lock table, key alias). */
  readonly stateBackend: Readonly<StateBackendConfig>;
  /** Customer-managed keys per category in use, in order of first use. */
  readonly keys: readonly KeyPlan[];
  readonly monitoringKey: KeyPlan;
  /**
   * Signed rotation code; present when the environment has rotation functions.
   * @default - no rotation functions, nothing to sign
   */
  readonly codeSigning?: CodeSigningPlan;
  readonly secrets: readonly SecretPlan[];
  /** Readers that are granted at least one secret, in order of first grant. */
  readonly readers: readonly ReaderPlan[];
  readonly rotationFunctions: readonly RotationFunctionPlan[];
  readonly ecsServices: readonly EcsServicePlan[];
  readonly endpoint?: EndpointPlan;
  readonly monitoring: MonitoringPlan;
  /** Every policy document the stack writes, with its limit. */
  readonly documents: readonly PlannedDocument[];
}

/** One role of an account's CI access (plan/ci-access.ts derives it; modules/ci-access.ts renders it). */
export interface RoleAccess {
  readonly name: string;
  readonly arn: string;
  readonly description: string;
  readonly trust: PolicyDocument;
  /** Managed policies, attached in order; named `<role>-1`, `<role>-2`, ... */
  readonly policies: readonly PolicyDocument[];
  /** The role's permissions boundary (a managed policy the role itself cannot change). */
  readonly boundary?: { readonly name: string; readonly document: PolicyDocument };
  readonly maxSessionSeconds: number;
}
