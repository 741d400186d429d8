/**
 * The catalog model: plain data that says which secrets exist in an environment, how they are
 * protected, who reads them and how they rotate. No resource code lives here; stacks/ turns a
 * catalog into modules, and stacks/environments/validate.ts rejects a bad one before anything
 * is synthesized.
 */

export type EnvironmentName = 'dev' | 'staging' | 'production';

/** One KMS key per environment and category (the production reference keeps them apart). */
export type KeyCategory = 'database' | 'api-keys' | 'service-accounts' | 'application';

/** Rules for a value generated without Terraform ever storing it. */
export interface GeneratorRules {
  /** 1..4096 characters (GetRandomPassword's range). Default 32. */
  length?: number;
  /** password: printable characters minus `excludeCharacters`; alphanumeric: letters and digits. */
  format?: 'password' | 'alphanumeric';
  /** Characters never to use (quotes and backslashes by default for database passwords). */
  excludeCharacters?: string;
}

/**
 * How a secret gets its value. Terraform never stores a value in plan or state, except a binary
 * value from a file, which the provider can only write through state (see `binary-file`).
 */
export type SecretValue =
  /** 1. No value from Terraform: set by rotation or by an operator (`aws secretsmanager put-secret-value`). */
  | { kind: 'external'; format: 'text' | 'binary' }
  | { kind: 'external'; format: 'json'; jsonKeys: string[] }
  /** 2. Supplied at deploy time through a sensitive ephemeral variable into `secret_string_wo`. */
  | { kind: 'deploy-time'; variable?: string }
  /** 3. Generated at apply time by an ephemeral `aws_secretsmanager_random_password`, never in state. */
  | { kind: 'generated'; generator?: GeneratorRules }
  /**
   * 4. JSON whose non-secret fields come from this catalog and whose secret fields are generated
   * (`generated`) or supplied at deploy time (`deployTime`, one ephemeral variable each).
   */
  | {
      kind: 'json';
      fields: Record<string, string | number | boolean>;
      generated?: Record<string, GeneratorRules>;
      deployTime?: string[];
    }
  /**
   * 5. Binary from a file. The AWS provider has no write-only binary argument, so the value lands
   * in Terraform state; refused in production unless `acknowledgeValueInState` is true.
   */
  | { kind: 'binary-file'; path: string; acknowledgeValueInState?: boolean };

export type RotationStrategy = 'single-user' | 'admin' | 'alternating-users';

export type RotationSpec =
  | {
      /** A database password changed by the rotation Lambda for `engine`. */
      kind: 'database';
      engine: 'postgres' | 'mysql' | 'mariadb';
      strategy: RotationStrategy;
      /** For `admin` and `alternating-users`: the catalog id of the secret that holds the admin credentials. */
      adminSecret?: string;
      schedule: RotationSchedule;
      /** Where the Lambda connects to: CIDR blocks (the reference's `10.0.1.5/32`) or security groups. */
      databaseCidrs?: string[];
      databaseSecurityGroupIds?: string[];
      /**
       * TLS to the database: `verify-full` (default; the certificate must chain to a trusted CA,
       * the RDS CAs included, and name the host), `require` (encrypted, server unverified) or
       * `disabled` (plaintext). Never a silent fallback: a failed TLS handshake fails the rotation.
       */
      tls?: 'verify-full' | 'require' | 'disabled';
      /** Required outside dev when `tls` is `disabled`: why this database cannot take TLS. */
      tlsReason?: string;
    }
  | {
      /** A value that fronts no database (API key, JWT signing key, webhook or encryption key). */
      kind: 'generated';
      format: 'password' | 'alphanumeric' | 'hex' | 'base64' | 'base64url';
      length: number;
      excludeCharacters?: string;
      /** For JSON secrets: the key to regenerate; the other keys are kept. */
      jsonKey?: string;
      schedule: RotationSchedule;
    };

export interface RotationSchedule {
  /** Exactly one of these. `afterDays` 1..1000; a cron/rate expression at most every 4 hours. */
  afterDays?: number;
  expression?: string;
  /** Rotation window, e.g. `3h`; must fit inside the interval. */
  window?: string;
  /** Rotate as soon as the rotation is configured (default: true). */
  rotateImmediately?: boolean;
}

/** An ECS service that reads the secret: injected at start-up, or read at run time with the SDK. */
export interface EcsAccess {
  service: string;
  /** Injected into the container environment by the execution role. */
  inject?: Array<{ env: string; jsonKey?: string }>;
  /** Read at run time by the task role (`GetSecretValue`), so rotation needs no restart. */
  runtime?: boolean;
  /**
   * ECR repositories the service's images come from (names in this account and Region, or ARNs
   * of a shared registry); the execution role may pull from these only. Default: the service name.
   */
  repositories?: string[];
}

export interface SecretSpec {
  /** Stable id used for resource and output names; unique in the environment. */
  id: string;
  /** The name is `<env>/<service>/<component>/<type>`. */
  service: string;
  component: string;
  type: string;
  /** Overrides the derived name (e.g. keeping a legacy name); still checked against every rule. */
  name?: string;
  description: string;
  category: KeyCategory;
  value: SecretValue;
  rotation?: RotationSpec;
  /** Required in staging and production when `rotation` is absent: why this value does not rotate. */
  noRotationReason?: string;
  /** Regions to replicate to, each under this category's key in that region. */
  replicas?: string[];
  /** Names from `EnvironmentConfig.readers`: other accounts, organizations or IAM roles. */
  readers?: string[];
  ecs?: EcsAccess[];
  tags?: Record<string, string>;
  recoveryWindowDays?: number;
  /** Leave the secret under the AWS-managed key. Not allowed with cross-account readers. */
  awsManagedKey?: boolean;
}

export type Reader =
  /** Roles in another account; the secret policy names the account and pins the role ARNs. */
  | { kind: 'account'; accountId: string; roleNames: string[]; description?: string }
  /** Every principal of an AWS Organization (secret policy conditioned on `aws:PrincipalOrgID`). */
  | { kind: 'organization'; organizationId: string; description?: string }
  /** An existing IAM role in this account (Lambda, EC2 instance profile); gets an inline policy. */
  | { kind: 'iam-role'; roleName: string; description?: string };

export interface NetworkConfig {
  vpcId: string;
  /** Private subnets for the rotation Lambdas and the Secrets Manager VPC endpoint. */
  subnetIds: string[];
  /**
   * Who else may use the Secrets Manager endpoint, besides the rotation functions: the security
   * groups of the ECS services and functions that read secrets (preferred) ...
   */
  endpointClientSecurityGroupIds?: string[];
  /** ... or exact client CIDRs, a /24 or narrower (never the VPC's whole range). */
  endpointClientCidrs?: string[];
  /** Set to false when the VPC already has a Secrets Manager endpoint. */
  createSecretsManagerEndpoint?: boolean;
}

export interface EnvironmentConfig {
  name: EnvironmentName;
  accountId: string;
  region: string;
  /**
   * Role the deployer assumes (CI's OIDC role assumes this one). Every secret's resource policy
   * names it as the only manager, so it is required wherever secrets exist.
   */
  deployRoleArn?: string;
  /**
   * The environment's break-glass role (this account): the one principal every secret's
   * deny-by-default resource policy always admits, so a broken policy can be repaired.
   */
  breakGlass: { roleName: string };
  owner: string;
  costCenter: string;
  /** Default recovery window; production 30, dev 7 (0 = immediate delete, dev only). */
  recoveryWindowDays: number;
  /** KMS key deletion window (7..30; 30 in production). */
  keyDeletionWindowDays: number;
  logRetentionDays: number;
  readers: Record<string, Reader>;
  network?: NetworkConfig;
  /** E-mail subscribed to the alerts topic (confirmation required). */
  alertEmail?: string;
  secrets: SecretSpec[];
  tags?: Record<string, string>;
}

export interface StateBackendConfig {
  accountId: string;
  region: string;
  bucket: string;
  lockTable: string;
  keyAlias: string;
}
