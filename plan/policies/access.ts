/**
 * Read-access policy builders: pure, no cdktf, so the plan computes every reader,
 * ECS and cross-account document as data and modules/access.ts only renders them.
 */
import type { KeyGrantee } from './key';
import { accountRoot, arn, type ArnScope } from '../arn';
import { type ConditionBlock, decryptViaSecretsManager, policy, type PolicyDocument, policySize, type Statement, uniq } from '../policy';

/** A secret someone reads, with the key it is encrypted under (undefined = AWS-managed key). */
export interface SecretGrant {
  secret: string;
  key?: string;
  /** Regions the reader may decrypt in (primary plus replicas). */
  regions: string[];
  /** The secret's replicas: each is its own ARN (same name, other Region) under that Region's key. */
  replicas?: Array<{ region: string; secret: string; key?: string }>;
}

/**
 * The secret's resource policy for readers in other accounts. Principals are account roots so
 * the policy stays valid before the consumer creates its roles, and `aws:PrincipalArn` pins the
 * exact roles; reads are limited to the AWSCURRENT version.
 */
export function crossAccountSecretPolicy(secret: string | string[], grantees: KeyGrantee[], partition: string): PolicyDocument {
  const refs = Array.isArray(secret) ? secret : [secret];
  const resource = refs.length === 1 ? refs[0] : refs;
  const statements: Statement[] = [];
  for (const g of grantees) {
    const principal = g.kind === 'account' ? { AWS: accountRoot(partition, g.accountId) } : ('*' as const);
    const who: ConditionBlock =
      g.kind === 'account'
        ? { ArnLike: { 'aws:PrincipalArn': g.principalArns } }
        : { StringEquals: { 'aws:PrincipalOrgID': g.organizationId } };
    const sid = g.kind === 'account' ? g.accountId : g.organizationId.replace(/[^A-Za-z0-9]/g, '');
    statements.push({
      Sid: `ReadCurrent${sid}`,
      Effect: 'Allow',
      Principal: principal,
      Action: 'secretsmanager:GetSecretValue',
      Resource: resource,
      Condition: { ...who, StringEquals: { ...who.StringEquals, 'secretsmanager:VersionStage': 'AWSCURRENT' } },
    });
    statements.push({
      Sid: `Describe${sid}`,
      Effect: 'Allow',
      Principal: principal,
      Action: 'secretsmanager:DescribeSecret',
      Resource: resource,
      Condition: who,
    });
  }
  return policy(statements);
}

/** Secrets Manager actions that change a secret's value or the version it serves. */
export const SECRET_VALUE_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
/**
 * Everything else that changes a secret: deletion, policy, rotation, replication, tags, and
 * UpdateSecret (which can also write a value). Metadata reads (DescribeSecret,
 * GetResourcePolicy, ListSecretVersionIds) stay with IAM: they never return the value.
 */
export const SECRET_MANAGEMENT_ACTIONS = [
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:CreateSecret',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:DeleteSecret',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RestoreSecret',
  'secretsmanager:RotateSecret',
  'secretsmanager:StopReplicationToReplica',
  'secretsmanager:TagResource',
  'secretsmanager:UntagResource',
  'secretsmanager:UpdateSecret',
  'secretsmanager:ValidateResourcePolicy',
];

/** Who the catalog names for one secret; every other principal is denied reads and writes. */
export interface SecretAccessInput {
  partition: string;
  secret: string;
  /**
   * The replicas' ARNs: Secrets Manager copies the resource policy to every replica, where the
   * statements must name the replica's own ARN.
   */
  replicas?: string[];
  accountId: string;
  /** Readers in other accounts (Allow statements, AWSCURRENT only). */
  crossAccount: KeyGrantee[];
  /**
   * Roles of this account the catalog names as readers (iam-role readers): the secret's policy
   * grants them every stage, so no stack writes into those roles' own policies.
   */
  namedReaders?: string[];
  /** Role ARNs that read the value: readers, ECS roles, the rotation role, rotations that use it as admin. */
  readers: string[];
  /** Role ARNs that write values: the rotation role (and Terraform's deploy role when it writes one). */
  valueWriters: string[];
  /** Role ARNs that manage the secret: the deploy role. */
  managers: string[];
  /** The environment's break-glass role: may do everything, so a bad policy can always be repaired. */
  breakGlassRoleArn: string;
}

/**
 * The secret's resource policy, deny by default: the cross-account Allow statements, then one
 * Deny per kind of access (value reads, value writes, management) for every principal the
 * catalog does not name. IAM alone is then not the only barrier: an administrator of the account
 * with `secretsmanager:*` still cannot read the value. The Denies never touch AWS services acting
 * as themselves (`aws:PrincipalIsAWSService`), so Secrets Manager's own replication and the
 * rotation it drives keep working; a rotation runs as its function's role, which is named.
 * Organization readers are exempted by `aws:PrincipalOrgID`, but never for principals of this
 * account (a second Deny), since this account is in the organization too.
 */
export function secretResourcePolicy(input: SecretAccessInput): PolicyDocument {
  const refs = [input.secret, ...(input.replicas ?? [])];
  const resource = refs.length === 1 ? refs[0] : refs;
  const allow = crossAccountSecretPolicy(refs, input.crossAccount, input.partition).Statement;
  const orgs = input.crossAccount
    .filter((g): g is Extract<KeyGrantee, { kind: 'organization' }> => g.kind === 'organization')
    .map((g) => g.organizationId);
  const named = (extra: string[]) => uniq([...extra, input.breakGlassRoleArn]).sort();
  const notService = { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } };
  const deny = (sid: string, actions: string[], principals: string[], exemptOrgs: boolean): Statement[] => {
    const base: ConditionBlock = { ArnNotLike: { 'aws:PrincipalArn': named(principals) }, ...notService };
    if (!exemptOrgs || orgs.length === 0)
      return [{ Sid: sid, Effect: 'Deny', Principal: '*', Action: actions, Resource: resource, Condition: base }];
    return [
      {
        Sid: sid,
        Effect: 'Deny',
        Principal: '*',
        Action: actions,
        Resource: resource,
        Condition: { ...base, StringNotEquals: { 'aws:PrincipalOrgID': orgs } },
      },
      {
        Sid: `${sid}InThisAccount`,
        Effect: 'Deny',
        Principal: '*',
        Action: actions,
        Resource: resource,
        Condition: { ...base, StringEquals: { 'aws:PrincipalAccount': input.accountId } },
      },
    ];
  };
  const crossRoles = input.crossAccount.flatMap((g) => (g.kind === 'account' ? g.principalArns : []));
  const namedReaders = uniq(input.namedReaders ?? []).sort();
  const sameAccount: Statement[] =
    namedReaders.length > 0
      ? [
          {
            Sid: 'ReadByNamedRolesOfThisAccount',
            Effect: 'Allow',
            Principal: { AWS: namedReaders },
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: resource,
          },
        ]
      : [];
  return policy([
    ...allow,
    ...sameAccount,
    ...deny('DenyValueReadsToUnnamed', ['secretsmanager:GetSecretValue'], [...input.readers, ...crossRoles], true),
    ...deny('DenyValueWritesToUnnamed', SECRET_VALUE_WRITE_ACTIONS, input.valueWriters, false),
    ...deny('DenyManagementToUnnamed', SECRET_MANAGEMENT_ACTIONS, input.managers, false),
  ]);
}

/**
 * Read access for one role: `GetSecretValue` (and `DescribeSecret` for SDK readers) on exactly
 * these secrets, `kms:Decrypt` on exactly their keys and only through Secrets Manager. This is
 * the document a consumer account attaches, an ECS role gets, and an IAM-role reader gets.
 */
export function readPolicy(grants: SecretGrant[], opts: { describe: boolean }): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: opts.describe ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] : 'secretsmanager:GetSecretValue',
      Resource: uniq(grants.flatMap((g) => [g.secret, ...(g.replicas ?? []).map((r) => r.secret)])),
    },
  ];
  const keys = grants.flatMap((g) => [g.key, ...(g.replicas ?? []).map((r) => r.key)]).filter((k): k is string => !!k);
  if (keys.length > 0) {
    statements.push(
      decryptViaSecretsManager(
        keys,
        grants.filter((g) => g.key).flatMap((g) => g.regions),
      ),
    );
  }
  return policy(statements);
}

/** IAM's default quota of managed policies attached to one role. */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;

/**
 * Splits grants into the fewest consecutive groups whose read policy, measured with realistic
 * ARNs, fits `limit`: a consumer with many shared secrets attaches several managed policies,
 * each naming exact ARNs, instead of one policy with a wildcard.
 */
export function splitReadGrants(grants: SecretGrant[], limit: number, opts: { describe: boolean }): SecretGrant[][] {
  const groups: SecretGrant[][] = [];
  let current: SecretGrant[] = [];
  for (const g of grants) {
    const next = [...current, g];
    if (current.length > 0 && policySize(readPolicy(next, opts)) > limit) {
      groups.push(current);
      current = [g];
    } else {
      current = next;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function ecsTrustPolicy({ partition, region, accountId }: ArnScope): PolicyDocument {
  return policy([
    {
      Sid: 'EcsTasksOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': accountId },
        ArnLike: { 'aws:SourceArn': arn(partition, 'ecs', region, accountId, '*') },
      },
    },
  ]);
}

/** Role names of an ECS service, from its prefix (`prod-ticket-api`). */
export function ecsRoleNames(rolePrefix: string): { execution: string; task: string } {
  return { execution: `${rolePrefix}-ecs-execution`, task: `${rolePrefix}-ecs-task` };
}

/** The log group an ECS service's containers write to (awslogs driver). */
export function ecsLogGroupName(rolePrefix: string): string {
  return `/ecs/${rolePrefix}`;
}

/**
 * Every log group an environment's stack creates, as name patterns: rotation functions'
 * (`/aws/lambda/<prefix>-secrets-rotation-*`, plan/derive.ts rotationFunctionName) and ECS
 * services' (`/ecs/<prefix>-<service>`, above). The monitoring key serves these and no other; the
 * pipeline roles reach these and no other.
 */
export function environmentLogGroups(prefix: string): string[] {
  return [`/aws/lambda/${prefix}-secrets-*`, ecsLogGroupName(`${prefix}-*`)];
}

/** An ECR repository by name (this account and Region) or by full ARN (a shared registry). */
export function ecrRepositoryArn(repository: string, s: ArnScope): string {
  return repository.startsWith('arn:') ? repository : arn(s.partition, 'ecr', s.region, s.accountId, `repository/${repository}`);
}

/**
 * What ECS needs to start a task with this execution role, and nothing more: an ECR token
 * (GetAuthorizationToken acts on no resource, so AWS accepts only Resource "*"), image layers from
 * the named repositories only, log streams in the service's own log group only, and the secrets it
 * injects (through Secrets Manager, under their keys).
 */
export function ecsExecutionPolicy(p: ArnScope & { repositories: string[]; logGroupName: string; inject: SecretGrant[] }): PolicyDocument {
  const statements: Statement[] = [
    { Sid: 'EcrAuthorizationToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PullImagesFromNamedRepositories',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: uniq(p.repositories.map((r) => ecrRepositoryArn(r, p))),
    },
    {
      Sid: 'WriteServiceLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: arn(p.partition, 'logs', p.region, p.accountId, `log-group:${p.logGroupName}:log-stream:*`),
    },
  ];
  if (p.inject.length > 0) statements.push(...readPolicy(p.inject, { describe: false }).Statement);
  return policy(statements);
}

/** ECS `valueFrom`: the whole secret, or one JSON key of its AWSCURRENT version (`arn:key::`). */
export function valueFrom(secretArn: string, jsonKey?: string): string {
  return jsonKey ? `${secretArn}:${jsonKey}::` : secretArn;
}
