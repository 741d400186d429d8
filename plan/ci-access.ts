/**
 * CI and human access of one environment's account, as data (pure; modules/ci-access.ts renders
 * it). Every role's permissions are derived, not written by hand: what Terraform calls comes from
 * the manifest (plan/terraform-calls.json) for the types the environment stack synthesizes, and
 * where it may call it comes from the plan's names (prefixes, the artifacts bucket, the VPC) and
 * the Project/Environment tags every resource carries.
 *
 * Principals (COMMON "Principals"): the pull-request plan role reads state only; the main plan
 * role reads state and refreshes every resource; the deploy role applies; the values role writes
 * values and never reads one; the operator role runs the runbooks; the break-glass role is the
 * emergency path. Each pipeline role and the operator role has a permissions boundary it cannot
 * change, with explicit denies of every value read (V7); every role the deploy role creates or
 * changes must carry the workload boundary.
 */
import { CI_ROLE_NAMES, DEFAULT_PERMISSION_SETS, GITHUB, PROJECT, STACK_TAG } from '../catalogs/project';
import { accountRoot, arn, roleArn } from './arn';
import { type ConditionBlock, policy, type PolicyDocument, POLICY_LIMITS, policySize, type Statement, uniq } from './policy';
import {
  callsFor,
  entryKey,
  missingEntries,
  type Operation,
  type SynthesizedType,
  type TerraformCall,
  type TerraformCalls,
} from './terraform-calls';
import { artifactsBucketName, codeSigningParameterName, signingProfileName } from './code-signing';
import { environmentLogGroups } from './policies/access';
import { deployRoleName } from './secret-access';
import type { EnvironmentPlan, RoleAccess } from './types';
import { VALUE_WRITTEN_TAG } from './values';

export type CiPrincipal = 'planPr' | 'plan' | 'deploy' | 'values' | 'operator' | 'breakGlass';
export const PIPELINE_PRINCIPALS = ['planPr', 'plan', 'deploy', 'values'] as const;

/** The GitHub workflow files the roles trust (job_workflow_ref); values.yml is a reusable workflow. */
export const WORKFLOWS = {
  pullRequest: '.github/workflows/pull-request.yml',
  deploy: '.github/workflows/deploy-environment.yml',
  values: '.github/workflows/values.yml',
} as const;

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** The repository's OIDC subject template (docs/first-deployment.md, step 4). */
export const OIDC_SUB_CLAIM_KEYS = ['repo', 'context', 'ref'] as const;

/** How humans reach a role: an IAM Identity Center permission set, and/or named principals with MFA. */
export interface HumanTrust {
  readonly permissionSet?: string;
  readonly mfaPrincipals?: readonly string[];
}

export interface CiAccessInput {
  readonly partition: string;
  readonly accountId: string;
  readonly environment: string;
  /** The primary Region first, then every replica Region the environment uses. */
  readonly regions: readonly string[];
  /** `prod`, `staging`, `dev`: the start of every name the environment stack gives. */
  readonly prefix: string;
  /** The IAM path of the roles the environment stack creates (`/secrets-platform/`). */
  readonly workloadRolePath: string;
  readonly project: string;
  readonly github: { readonly repository: string; readonly repositoryId: string; readonly ownerId: string };
  readonly state: {
    readonly bucket: string;
    readonly key: string;
    readonly lockTable: string;
    readonly keyAlias: string;
    readonly region: string;
  };
  readonly roles: Readonly<Record<CiPrincipal, string>>;
  readonly humans: { readonly breakGlass: HumanTrust; readonly operator: HumanTrust };
  readonly network?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  /** Resource, data source and ephemeral types the environment stack synthesizes, with the arguments it sets. */
  readonly envTypes: readonly SynthesizedType[];
  /** The artifacts bucket of signed rotation code. */
  readonly artifactsBucket: string;
  /** The Signer profile and the code-signing config the bootstrap creates (ARN or a reference to it). */
  readonly signingProfileName: string;
  readonly codeSigningConfigArn: string;
  /** The SSM parameter that hands the code-signing config's ARN to the environment stack. */
  readonly codeSigningParameterName: string;
  readonly oidcProviderArn: string;
  /**
   * Whether a secret of the environment deletes without a recovery window (recoveryWindowDays 0,
   * which the rules allow in dev only): only then may the deploy role delete for good.
   */
  readonly forceDeletes: boolean;
}

export const boundaryName = (role: string) => `${role}-boundary`;
export const workloadBoundaryName = (project: string) => `${project}-workload-boundary`;

const SECRET_VALUE_READS = ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'];
/**
 * Key uses that turn ciphertext into plaintext or mint data keys; allowed only through AWS services.
 * `GenerateDataKey*` is GenerateDataKey, ...WithoutPlaintext, ...Pair and ...PairWithoutPlaintext;
 * `ReEncrypt*` is ReEncryptFrom and ReEncryptTo (Service Authorization Reference, AWS KMS): the
 * same actions as listing them, in less of a boundary's 6,144 characters.
 */
const KMS_DATA_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
/** IAM calls that hand out permissions: a role they touch must carry the workload boundary. */
const BOUNDED_ROLE_WRITES = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:PutRolePermissionsBoundary',
];

const iamArn = (i: CiAccessInput, resource: string) => arn(i.partition, 'iam', '', i.accountId, resource);
/** A role the environment stack creates: under the workload path, named `<prefix>-<rest>`. */
export const workloadRole = (i: CiAccessInput, rest: string) =>
  roleArn(i.partition, i.accountId, `${i.prefix}-${rest}`, i.workloadRolePath);
export const policyArn = (i: Pick<CiAccessInput, 'partition' | 'accountId'>, name: string) =>
  arn(i.partition, 'iam', '', i.accountId, `policy/${name}`);

// ---------------------------------------------------------------------------------------------
// Trust

function githubTrust(i: CiAccessInput, sub: string, workflow: string, ref: string, like: boolean): PolicyDocument {
  const claims = {
    [`${GITHUB_OIDC_HOST}:sub`]: `repo:${i.github.repository}:${sub}`,
    [`${GITHUB_OIDC_HOST}:job_workflow_ref`]: `${i.github.repository}/${workflow}@${ref}`,
  };
  return policy([
    {
      Sid: 'GitHubActionsOfThisRepository',
      Effect: 'Allow',
      Principal: { Federated: i.oidcProviderArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:repository_id`]: i.github.repositoryId,
          [`${GITHUB_OIDC_HOST}:repository_owner_id`]: i.github.ownerId,
          ...(like ? {} : claims),
        },
        ...(like ? { StringLike: claims } : {}),
      },
    },
  ]);
}

/** Who may assume each pipeline role: one job of one workflow of this repository (by id), on main. */
export function pipelineTrust(i: CiAccessInput, who: (typeof PIPELINE_PRINCIPALS)[number]): PolicyDocument {
  const main = 'refs/heads/main';
  switch (who) {
    case 'planPr':
      return githubTrust(i, 'pull_request:ref:refs/pull/*/merge', WORKFLOWS.pullRequest, 'refs/pull/*/merge', true);
    case 'plan':
      return githubTrust(i, `environment:${i.environment}-plan:ref:${main}`, WORKFLOWS.deploy, main, false);
    case 'deploy':
      return githubTrust(i, `environment:${i.environment}:ref:${main}`, WORKFLOWS.deploy, main, false);
    case 'values':
      return githubTrust(i, `environment:${i.environment}:ref:${main}`, WORKFLOWS.values, main, false);
  }
}

/** Humans: the named IAM Identity Center permission set's roles, and/or named principals with fresh MFA. */
export function humanTrust(i: CiAccessInput, t: HumanTrust): PolicyDocument {
  const statements: Statement[] = [];
  if (t.permissionSet) {
    statements.push({
      Sid: 'IdentityCenterPermissionSet',
      Effect: 'Allow',
      Principal: { AWS: accountRoot(i.partition, i.accountId) },
      Action: 'sts:AssumeRole',
      Condition: { ArnLike: { 'aws:PrincipalArn': iamArn(i, `role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${t.permissionSet}_*`) } },
    });
  }
  if (t.mfaPrincipals && t.mfaPrincipals.length > 0) {
    statements.push({
      Sid: 'NamedPrincipalsWithMfa',
      Effect: 'Allow',
      Principal: { AWS: [...t.mfaPrincipals] },
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    });
  }
  if (statements.length === 0)
    throw new Error(`ci-access: a human role of ${i.environment} names neither a permission set nor MFA principals`);
  return policy(statements);
}

// ---------------------------------------------------------------------------------------------
// State (S3 backend: state object, lock file, DynamoDB lock and digest, the state key)

const stateArns = (i: CiAccessInput) => {
  const bucket = arn(i.partition, 's3', '', '', i.state.bucket);
  return {
    bucket,
    object: `${bucket}/${i.state.key}`,
    lockFile: `${bucket}/${i.state.key}.tflock`,
    table: arn(i.partition, 'dynamodb', i.state.region, i.accountId, `table/${i.state.lockTable}`),
    lockItems: [`${i.state.bucket}/${i.state.key}`, `${i.state.bucket}/${i.state.key}-md5`],
    key: arn(i.partition, 'kms', i.state.region, i.accountId, 'key/*'),
    keyCondition: (extra: Record<string, string | string[]> = {}): ConditionBlock => ({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': i.state.keyAlias },
      StringEquals: { 'kms:ViaService': `s3.${i.state.region}.amazonaws.com`, ...extra },
    }),
  };
};

/** Reading state, as every plan does (workspace listing, the object, its digest, the key through S3). */
export function stateRead(i: CiAccessInput): Statement[] {
  const s = stateArns(i);
  return [
    {
      Sid: 'StateWorkspaceList',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: s.bucket,
      Condition: { StringEquals: { 's3:prefix': 'env:/' } },
    },
    { Sid: 'StateObjectRead', Effect: 'Allow', Action: 's3:GetObject', Resource: s.object },
    {
      Sid: 'StateDigestRead',
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: s.table,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': s.lockItems } },
    },
    { Sid: 'StateKeyDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: s.key, Condition: s.keyCondition() },
  ];
}

/** Reading, locking and writing state, as an apply does. */
export function stateWrite(i: CiAccessInput): Statement[] {
  const s = stateArns(i);
  return [
    {
      Sid: 'StateWorkspaceList',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: s.bucket,
      Condition: { StringEquals: { 's3:prefix': 'env:/' } },
    },
    { Sid: 'StateObjectReadWrite', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: s.object },
    { Sid: 'StateLockFile', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: s.lockFile },
    {
      Sid: 'StateLockAndDigest',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: s.table,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': s.lockItems } },
    },
    { Sid: 'StateKeyUse', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: s.key, Condition: s.keyCondition() },
  ];
}

// ---------------------------------------------------------------------------------------------
// Where the environment stack's resources are: the ARN patterns and tag conditions per target

/** What a manifest call acts on, as a kind of resource of the environment stack. */
export type Target =
  | 'secret'
  | 'kms-key'
  | 'kms-alias'
  | 'role'
  | 'function'
  | 'log-group'
  | 'alarm'
  | 'rule'
  | 'topic'
  | 'bucket'
  | 'object'
  | 'signing-profile'
  | 'signing-job'
  | 'code-signing-config'
  | 'security-group'
  | 'security-group-rule'
  | 'vpc'
  | 'subnet'
  | 'vpc-endpoint'
  | 'network-interface'
  | 'instance-profile'
  | 'parameter'
  | 'any';

const SELF: Record<string, Target> = {
  aws_secretsmanager_secret: 'secret',
  aws_secretsmanager_secret_version: 'secret',
  aws_kms_key: 'kms-key',
  aws_kms_replica_key: 'kms-key',
  aws_kms_alias: 'kms-alias',
  aws_iam_role: 'role',
  aws_lambda_function: 'function',
  aws_lambda_code_signing_config: 'code-signing-config',
  aws_cloudwatch_log_group: 'log-group',
  aws_cloudwatch_metric_alarm: 'alarm',
  aws_cloudwatch_event_rule: 'rule',
  aws_sns_topic: 'topic',
  aws_s3_bucket: 'bucket',
  aws_signer_signing_profile: 'signing-profile',
  aws_security_group: 'security-group',
  aws_vpc_endpoint: 'vpc-endpoint',
  aws_ssm_parameter: 'parameter',
};

const ATTR: Array<[RegExp, Target]> = [
  [/kms_key_id|kms_key_arn|primary_key_arn|target_key_id|^secret-key$|^bucket-key:/, 'kms-key'],
  [/^attr:(secret_arn|secret_id)$/, 'secret'],
  [/^attr:(rotation_lambda_arn|function_name)$/, 'function'],
  [/^attr:(role|role_arn)$/, 'role'],
  [/^attr:(topic_arn|arn)$/, 'topic'],
  [/^attr:rule$/, 'rule'],
  [/^attr:bucket$/, 'bucket'],
  [/^attr:(bucket\/|s3_bucket\/|source\.s3|destination\.s3)/, 'object'],
  [/^attr:profile_name$/, 'signing-profile'],
  [/^attr:vpc_id$/, 'vpc'],
  [/^attr:subnet_ids/, 'subnet'],
  [/^attr:security_group_id/, 'security-group'],
  [/^attr:code_signing_config_arn$/, 'code-signing-config'],
  [/^security-group-rule$/, 'security-group-rule'],
  [/^signing-job$/, 'signing-job'],
  [/^network-interface$/, 'network-interface'],
  [/^instance-profile$/, 'instance-profile'],
  [/^attr:name$/, 'parameter'],
];

/** The kind of resource a manifest call of `type` acts on. */
export function targetOf(type: string, on: string): Target {
  if (on === '*') return 'any';
  if (on === 'self') {
    const t = SELF[type];
    if (!t) throw new Error(`ci-access: no resource kind for ${type} itself; add it to SELF in plan/ci-access.ts`);
    return t;
  }
  const hit = ATTR.find(([re]) => re.test(on));
  if (!hit) throw new Error(`ci-access: no resource kind for ${type} "${on}"; add it to ATTR in plan/ci-access.ts`);
  return hit[1];
}

interface Scope {
  resources: string[];
  /** Conditions every use must meet (tag scoping where the names are not ours). */
  condition?: ConditionBlock;
}

/** The deploy role's reach per target: our names, or our tags where AWS names the resource. */
export function deployScopes(i: CiAccessInput): Record<Target, Scope> {
  const a = (service: string, resource: string, region = '*') => arn(i.partition, service, region, i.accountId, resource);
  const tagged: ConditionBlock = {
    StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: 'environment', 'aws:ResourceTag/Environment': i.environment },
  };
  const logGroups = environmentLogGroups(i.prefix);
  return {
    secret: { resources: [a('secretsmanager', `secret:${i.prefix}/*`)] },
    'kms-key': { resources: [a('kms', 'key/*')], condition: tagged },
    'kms-alias': { resources: [a('kms', `alias/${i.project}/${i.prefix}/*`)] },
    role: { resources: [workloadRole(i, '*')] },
    function: { resources: [a('lambda', `function:${i.prefix}-secrets-*`)] },
    'log-group': { resources: logGroups.flatMap((g) => [a('logs', `log-group:${g}`), a('logs', `log-group:${g}:*`)]) },
    alarm: { resources: [a('cloudwatch', `alarm:${i.prefix}-secrets-*`)] },
    // Tagged too: the bootstrap's alarm rules share the name prefix (prod-secrets-state-*).
    rule: { resources: [a('events', `rule/${i.prefix}-secrets-*`)], condition: tagged },
    topic: { resources: [a('sns', `${i.prefix}-secrets-*`)] },
    bucket: { resources: [arn(i.partition, 's3', '', '', i.artifactsBucket)] },
    object: { resources: [arn(i.partition, 's3', '', '', `${i.artifactsBucket}/*`)] },
    'signing-profile': { resources: [a('signer', `/signing-profiles/${i.signingProfileName}`)] },
    'signing-job': { resources: [a('signer', '/signing-jobs/*')] },
    'code-signing-config': { resources: [i.codeSigningConfigArn] },
    'security-group': { resources: [a('ec2', 'security-group/*')], condition: tagged },
    'security-group-rule': { resources: [a('ec2', 'security-group-rule/*')], condition: tagged },
    vpc: { resources: i.network ? [a('ec2', `vpc/${i.network.vpcId}`)] : [] },
    subnet: { resources: i.network ? i.network.subnetIds.map((s) => a('ec2', `subnet/${s}`)) : [] },
    'vpc-endpoint': { resources: [a('ec2', 'vpc-endpoint/*')], condition: tagged },
    'instance-profile': { resources: [iamArn(i, 'instance-profile/*')] },
    'network-interface': {
      resources: [a('ec2', 'network-interface/*')],
      condition: i.network ? { ArnEquals: { 'ec2:Vpc': a('ec2', `vpc/${i.network.vpcId}`) } } : undefined,
    },
    parameter: { resources: [a('ssm', `parameter/${i.codeSigningParameterName.replace(/^\//, '')}`)] },
    any: { resources: ['*'] },
  };
}

// ---------------------------------------------------------------------------------------------
// Deriving statements from the manifest

/** Actions a call needs, grouped by where and under which conditions. */
class Grants {
  private readonly groups = new Map<string, { actions: Set<string>; resources: string[]; condition?: ConditionBlock; sid: string }>();

  add(sid: string, actions: string[], resources: string[], condition?: ConditionBlock): void {
    if (resources.length === 0) return;
    const key = JSON.stringify([uniq(resources).sort(), condition ?? null]);
    const g = this.groups.get(key) ?? { actions: new Set<string>(), resources: uniq(resources).sort(), condition, sid };
    for (const a of actions) g.actions.add(a);
    this.groups.set(key, g);
  }

  statements(): Statement[] {
    const sids = new Map<string, number>();
    return [...this.groups.values()].map((g) => {
      const n = (sids.get(g.sid) ?? 0) + 1;
      sids.set(g.sid, n);
      return {
        Sid: n === 1 ? g.sid : `${g.sid}${n}`,
        Effect: 'Allow' as const,
        Action: [...g.actions].sort(),
        Resource: g.resources.length === 1 ? g.resources[0] : g.resources,
        ...(g.condition ? { Condition: g.condition } : {}),
      };
    });
  }
}

const sidOf = (target: Target, suffix = '') =>
  target
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('') + suffix;

function mergeConditions(...blocks: Array<ConditionBlock | undefined>): ConditionBlock | undefined {
  const out: Record<string, Record<string, string | readonly string[] | boolean>> = {};
  for (const b of blocks) for (const [op, kv] of Object.entries(b ?? {})) out[op] = { ...(out[op] ?? {}), ...kv };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The condition a call's context imposes on the statement that allows it. */
function callCondition(i: CiAccessInput, c: TerraformCall): ConditionBlock | undefined {
  const ctx = c.context ?? {};
  const blocks: ConditionBlock[] = [];
  if ('aws:RequestTag' in ctx)
    blocks.push({ StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: 'environment', 'aws:RequestTag/Environment': i.environment } });
  const via = ctx['kms:ViaService'];
  if (via) {
    const service = via.split('.')[0];
    blocks.push({ StringEquals: { 'kms:ViaService': i.regions.map((r) => `${service}.${r}.amazonaws.com`) } });
  }
  if (ctx['iam:PassedToService']) blocks.push({ StringEquals: { 'iam:PassedToService': ctx['iam:PassedToService'] } });
  if (ctx['iam:PermissionsBoundary'])
    blocks.push({ StringEquals: { 'iam:PermissionsBoundary': policyArn(i, workloadBoundaryName(i.project)) } });
  if (ctx['lambda:CodeSigningConfigArn']) blocks.push({ StringEquals: { 'lambda:CodeSigningConfigArn': i.codeSigningConfigArn } });
  if (ctx['ec2:CreateAction']) blocks.push({ StringEquals: { 'ec2:CreateAction': ctx['ec2:CreateAction'] } });
  if (c.action === 'lambda:AddPermission') blocks.push({ StringEquals: { 'lambda:Principal': LAMBDA_INVOKERS } });
  // The provider passes block_public_policy, which the stack sets; without it a policy open to
  // everyone would be accepted (secretsmanager:BlockPublicPolicy, Service Authorization Reference).
  if (ctx['secretsmanager:BlockPublicPolicy']) blocks.push({ Bool: { 'secretsmanager:BlockPublicPolicy': 'true' } });
  // In the role's policy, not its boundary: the deploy boundary is near AWS's 6,144 characters,
  // and the role can change neither (CiRolesAndBoundariesAreNotOurs).
  if (c.action === 'secretsmanager:DeleteSecret' && !i.forceDeletes) blocks.push(RESTORABLE_DELETES);
  return mergeConditions(...blocks);
}

/**
 * The only principals the environment stack lets invoke its functions (modules/rotation.ts:
 * Secrets Manager, for rotation). A permission for anyone else would let another account, or
 * everyone, run a rotation function with events of their making; `lambda:Principal` pins it
 * (Service Authorization Reference, AWS Lambda: AddPermission condition keys).
 */
export const LAMBDA_INVOKERS = ['secretsmanager.amazonaws.com'];

/**
 * Calls the manifest lists that the roles derived from it (the plan and deploy roles) are never
 * given, whatever the stack declares: each is denied by a boundary too, and the access proof
 * expects it denied (a stack that needs one is refused at apply, which is the point).
 */
export const REFUSED: Readonly<Record<string, string>> = {
  'secretsmanager:GetSecretValue': 'V7: no pipeline role reads a value',
  'secretsmanager:BatchGetSecretValue': 'V7: no pipeline role reads a value',
  'secretsmanager:PutSecretValue': 'V1: Terraform writes no value (the values job and the operator do)',
  'secretsmanager:UpdateSecretVersionStage': 'V1: Terraform moves no version stage (the operator rolls back)',
  'secretsmanager:GetRandomPassword': 'V1: Terraform generates no value (the values job does)',
  'iam:DeleteRolePermissionsBoundary': 'V7: every role the deploy role touches keeps the workload boundary',
  'lambda:DeleteFunctionCodeSigningConfig': 'code signing stays (V7): the bootstrap owns it',
  'lambda:CreateCodeSigningConfig': 'code signing stays (V7): the bootstrap owns it',
  'lambda:UpdateCodeSigningConfig': 'code signing stays (V7): the bootstrap owns it',
  'lambda:DeleteCodeSigningConfig': 'code signing stays (V7): the bootstrap owns it',
  'signer:PutSigningProfile': 'code signing stays (V7): the bootstrap owns the profile',
  'signer:CancelSigningProfile': 'code signing stays (V7): the bootstrap owns the profile',
  'iam:RemoveRoleFromInstanceProfile': "roles the stack creates are never in an instance profile; instance profiles are not the pipeline's",
};

/** Statements allowing `ops` of every type the environment stack synthesizes, scoped per target. */
export function derivedStatements(i: CiAccessInput, manifest: TerraformCalls, ops: readonly Operation[], sidSuffix: string): Statement[] {
  const scopes = deployScopes(i);
  const grants = new Grants();
  for (const { kind, type, attrs } of i.envTypes) {
    // Types V1 takes out of the stacks (value versions, generated passwords) are never granted.
    if (manifest.types[entryKey(kind, type)]?.status === 'removed-by-V1') continue;
    const set = new Set(attrs);
    for (const op of ops) {
      for (const c of callsFor(manifest, entryKey(kind, type), op, set)) {
        if (REFUSED[c.action]) continue;
        const target = targetOf(type, c.on);
        const scope = scopes[target];
        // PassRole names the roles it may hand over, per service.
        if (c.action === 'iam:PassRole') {
          const service = c.context?.['iam:PassedToService'] ?? '';
          const roles = [workloadRole(i, service === 'lambda.amazonaws.com' ? 'secrets-rotation-*' : 'secrets-events-*')];
          grants.add(`PassRoleTo${service.split('.')[0].replace(/^./, (x) => x.toUpperCase())}`, [c.action], roles, callCondition(i, c));
          continue;
        }
        // Creating a tagged resource is allowed anywhere the request carries our tags; the
        // resource's own tag conditions apply once it exists.
        const creating = c.context?.['aws:RequestTag'] !== undefined;
        // Tag keys Terraform never touches: the one the value step sets (V2), and the stack tag
        // once a resource has it (it is set at creation only).
        const untag = /:(UntagResource|UntagRole|DeleteTags|RemoveTagsFromResource)$/.test(c.action);
        const guarded = [
          ...(/^secretsmanager:(Tag|Untag)Resource$/.test(c.action) ? [VALUE_WRITTEN_TAG] : []),
          ...(untag ? [STACK_TAG] : []),
        ];
        const tagKeys: ConditionBlock | undefined =
          guarded.length > 0
            ? { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': guarded.length === 1 ? guarded[0] : guarded } }
            : undefined;
        // Creating a tag-scoped resource (a key) tags it in the same call, which AWS authorizes on
        // every key: only one that carries no stack tag yet (not the bootstrap's, not another
        // environment's).
        const fresh: ConditionBlock | undefined =
          creating && scope.condition ? { Null: { [`aws:ResourceTag/${STACK_TAG}`]: 'true' } } : undefined;
        const condition = mergeConditions(creating ? undefined : scope.condition, callCondition(i, c), tagKeys, fresh);
        grants.add(sidOf(target, sidSuffix), [c.action], scope.resources, condition);
      }
    }
  }
  return grants.statements();
}

// ---------------------------------------------------------------------------------------------
// The roles' identity policies

/** The pull-request plan: state read, and what `plan -refresh=false` calls (data sources, ephemeral opens). */
export function planPrPolicy(i: CiAccessInput, m: TerraformCalls): PolicyDocument {
  return policy([...stateRead(i), ...derivedStatements(i, m, ['planNoRefresh'], 'PlanNoRefresh')]);
}

/** The main-branch plan: state read, every Read and import read, and the values dry run (DescribeSecret). */
export function planPolicy(i: CiAccessInput, m: TerraformCalls): PolicyDocument {
  const scopes = deployScopes(i);
  return policy([
    ...stateRead(i),
    ...derivedStatements(i, m, ['planNoRefresh', 'read', 'import'], 'Read'),
    { Sid: 'ValuesDryRun', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: scopes.secret.resources },
  ]);
}

/** The deploy role: state read and write, and create, update, delete and import of every type. */
export function deployStatements(i: CiAccessInput, m: TerraformCalls): Statement[] {
  return [...stateWrite(i), ...derivedStatements(i, m, ['planNoRefresh', 'read', 'create', 'update', 'delete', 'import'], '')];
}

/** The values job (V2): describe, generate, write, rotate after write, mark written. Never a read. */
export function valuesPolicy(i: CiAccessInput): PolicyDocument {
  const scopes = deployScopes(i);
  return policy([
    {
      Sid: 'DescribeAndWriteValues',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:RotateSecret'],
      Resource: scopes.secret.resources,
    },
    { Sid: 'GeneratePasswords', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
    ...valueWriterStatements(i),
  ]);
}

/**
 * What every value writer (the values job, the operator) needs besides its own actions: mark the
 * value written (that one tag key only), the secret's key through Secrets Manager (PutSecretValue
 * encrypts, replication re-encrypts), and invoking a rotation function (RotateSecret requires it).
 */
function valueWriterStatements(i: CiAccessInput): Statement[] {
  return [
    {
      Sid: 'MarkValueWritten',
      Effect: 'Allow',
      Action: 'secretsmanager:TagResource',
      Resource: deployScopes(i).secret.resources,
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': VALUE_WRITTEN_TAG } },
    },
    ...keyUseThroughSecretsManager(i, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], 'SecretKeysThroughSecretsManager'),
    {
      Sid: 'InvokeRotationForRotateSecret',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: arn(i.partition, 'lambda', '*', i.accountId, `function:${i.prefix}-secrets-rotation-*`),
    },
  ];
}

function keyUseThroughSecretsManager(i: CiAccessInput, actions: string[], sid: string): Statement[] {
  return [
    {
      Sid: sid,
      Effect: 'Allow',
      Action: actions,
      Resource: arn(i.partition, 'kms', '*', i.accountId, 'key/*'),
      Condition: {
        StringEquals: {
          'kms:ViaService': i.regions.map((r) => `secretsmanager.${r}.amazonaws.com`),
          [`aws:ResourceTag/${STACK_TAG}`]: 'environment',
          'aws:ResourceTag/Environment': i.environment,
        },
      },
    },
  ];
}

/**
 * The operator's runbooks (docs/operating.md): upload an external value, rotate now, roll back to
 * AWSPREVIOUS, restore or remove a secret, mark a value written. Never a read.
 */
export const OPERATOR_SECRET_ACTIONS = [
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:DescribeSecret',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RestoreSecret',
  'secretsmanager:RotateSecret',
  'secretsmanager:UpdateSecretVersionStage',
];

export function operatorPolicy(i: CiAccessInput): PolicyDocument {
  const scopes = deployScopes(i);
  return policy([
    ...(i.forceDeletes
      ? [{ Sid: 'Runbooks', Effect: 'Allow' as const, Action: OPERATOR_SECRET_ACTIONS, Resource: scopes.secret.resources }]
      : [
          {
            Sid: 'Runbooks',
            Effect: 'Allow' as const,
            Action: OPERATOR_SECRET_ACTIONS.filter((a) => a !== 'secretsmanager:DeleteSecret'),
            Resource: scopes.secret.resources,
          },
          {
            Sid: 'RemoveRestorably',
            Effect: 'Allow' as const,
            Action: 'secretsmanager:DeleteSecret',
            Resource: scopes.secret.resources,
            Condition: RESTORABLE_DELETES,
          },
        ]),
    { Sid: 'ListSecrets', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
    // Remove a secret: who read it lately (docs/operating.md); CloudTrail has no resource level for it.
    { Sid: 'LastReads', Effect: 'Allow', Action: 'cloudtrail:LookupEvents', Resource: '*' },
    ...valueWriterStatements(i),
  ]);
}

/**
 * The break-glass role: every secret and secret key of the environment, including the value
 * (the one role that may read one), through Secrets Manager only; no IAM, no other service.
 */
export function breakGlassPolicy(i: CiAccessInput): PolicyDocument {
  const scopes = deployScopes(i);
  return policy([
    { Sid: 'EverySecretOfTheEnvironment', Effect: 'Allow', Action: 'secretsmanager:*', Resource: scopes.secret.resources },
    { Sid: 'ListSecrets', Effect: 'Allow', Action: ['secretsmanager:ListSecrets', 'secretsmanager:GetRandomPassword'], Resource: '*' },
    ...keyUseThroughSecretsManager(
      i,
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      'SecretKeysThroughSecretsManager',
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Boundaries

/** The denies every pipeline role's boundary carries (V7): no value, no assuming, no IAM users. */
function pipelineDenies(): Statement[] {
  return [
    { Sid: 'NeverReadAValue', Effect: 'Deny', Action: SECRET_VALUE_READS, Resource: '*' },
    {
      Sid: 'NeverActAsAnotherRole',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML', 'sts:GetFederationToken'],
      Resource: '*',
    },
    {
      Sid: 'KeysOnlyThroughServices',
      Effect: 'Deny',
      Action: KMS_DATA_ACTIONS,
      Resource: '*',
      // Any Region: a key is used through a service in its own Region, so this is no wider, and the
      // boundary does not grow with the environment's Regions.
      Condition: { StringNotLike: { 'kms:ViaService': ['secretsmanager.*.amazonaws.com', 's3.*.amazonaws.com'] } },
    },
    {
      Sid: 'NoIdentitiesOrCredentials',
      Effect: 'Deny',
      Action: [
        'iam:CreateUser',
        'iam:CreateAccessKey',
        'iam:CreateLoginProfile',
        'iam:UpdateLoginProfile',
        'iam:AttachUserPolicy',
        'iam:PutUserPolicy',
        'iam:AddUserToGroup',
        'iam:CreateOpenIDConnectProvider',
        'iam:CreateSAMLProvider',
        'iam:CreateServiceLinkedRole',
      ],
      Resource: '*',
    },
  ];
}

/**
 * What no pipeline role may touch: the CI and human roles and every project policy (boundaries,
 * CI policies: `<project>-*` at the root path; the environment's roles live under the workload
 * path, which this pattern does not match), and the OIDC provider.
 */
function protectedIam(i: CiAccessInput): string[] {
  const own = `${i.project}-`;
  return [
    iamArn(i, `role/${own}*`),
    ...Object.values(i.roles)
      .filter((n) => !n.startsWith(own))
      .map((n) => iamArn(i, `role/${n}`)),
    policyArn(i, `${own}*`),
    i.oidcProviderArn,
  ];
}

/**
 * A boundary's allow-list: every service the role's own policies use, on this account's
 * resources (and the project's buckets), plus the actions AWS offers no resource level for, as
 * the policies name them. Coarse on purpose (a boundary is one managed policy, 6,144 characters):
 * the guarantees are the boundary's explicit denies, which no policy of the role can override.
 */
export function boundaryAllows(
  i: Pick<CiAccessInput, 'partition' | 'accountId' | 'project'>,
  docs: readonly PolicyDocument[],
): Statement[] {
  const unscoped = new Set<string>();
  const services = new Set<string>();
  // IAM is listed action by action, never iam:* (a boundary never hands out IAM wholesale).
  const iamActions = new Set<string>();
  for (const st of docs.flatMap((d) => d.Statement.filter((x) => x.Effect === 'Allow'))) {
    for (const a of [st.Action].flat()) {
      if (st.Resource === '*') unscoped.add(a);
      else if (a.startsWith('iam:')) iamActions.add(/^iam:(Get|List)/.test(a) ? a.replace(/^(iam:(Get|List)).*$/, '$1*') : a);
      else services.add(a.split(':')[0]);
    }
  }
  const where = (svc: string) =>
    svc === 's3'
      ? [arn(i.partition, 's3', '', '', `${i.project}-*`)]
      : svc === 'iam'
        ? [arn(i.partition, 'iam', '', i.accountId, '*')]
        : [arn(i.partition, svc, '*', i.accountId, '*')];
  const sorted = [...services].sort();
  return [
    ...(sorted.length > 0
      ? [
          {
            Sid: 'ServicesOfTheRoleInThisAccount',
            Effect: 'Allow' as const,
            Action: sorted.map((s) => `${s}:*`),
            Resource: sorted.flatMap(where),
          },
        ]
      : []),
    ...(iamActions.size > 0
      ? [{ Sid: 'IamActionsOfTheRoleInThisAccount', Effect: 'Allow' as const, Action: [...iamActions].sort(), Resource: where('iam') }]
      : []),
    ...(unscoped.size > 0
      ? [{ Sid: 'ActionsWithoutResourceLevel', Effect: 'Allow' as const, Action: [...unscoped].sort(), Resource: '*' }]
      : []),
  ];
}

/** Boundary of the plan roles and the values role: their services, and the pipeline denies. */
export function pipelineBoundary(i: CiAccessInput, identity: readonly PolicyDocument[], extraDenies: Statement[] = []): PolicyDocument {
  return policy([...boundaryAllows(i, identity), ...pipelineDenies(), ...extraDenies]);
}

export function valuesBoundary(i: CiAccessInput): PolicyDocument {
  const scopes = deployScopes(i);
  return pipelineBoundary(
    i,
    [valuesPolicy(i)],
    [
      {
        Sid: 'OnlyTheValueWrittenTag',
        Effect: 'Deny',
        Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
        Resource: scopes.secret.resources,
        Condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': VALUE_WRITTEN_TAG } },
      },
      { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
    ],
  );
}

/**
 * The deploy role's boundary: its own allow-list plus the pipeline denies, and what it must never
 * do even if its policies said so: write or stage a value, change the CI roles, boundaries or the
 * OIDC provider, create or change a role without the workload boundary, remove a boundary, pass
 * roles to anything but Lambda and EventBridge, weaken or remove code signing, touch the
 * value-written tag, or invoke anything but a rotation function.
 */
export function deployBoundary(i: CiAccessInput, identity: readonly PolicyDocument[]): PolicyDocument {
  const scopes = deployScopes(i);
  return policy([
    ...boundaryAllows(i, identity),
    ...pipelineDenies(),
    {
      Sid: 'NoValueWrites',
      Effect: 'Deny',
      Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:GetRandomPassword'],
      Resource: '*',
    },
    {
      Sid: 'NotTheValueWrittenTag',
      Effect: 'Deny',
      Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': VALUE_WRITTEN_TAG } },
    },
    { Sid: 'CiRolesAndBoundariesAreNotOurs', Effect: 'Deny', Action: 'iam:*', Resource: protectedIam(i) },
    {
      Sid: 'EveryRoleCarriesTheWorkloadBoundary',
      Effect: 'Deny',
      Action: BOUNDED_ROLE_WRITES,
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': policyArn(i, workloadBoundaryName(i.project)) } },
    },
    { Sid: 'BoundariesStay', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    {
      Sid: 'NoManagedPolicies',
      Effect: 'Deny',
      Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion'],
      Resource: '*',
    },
    {
      Sid: 'PassRolesOnlyToLambdaAndEventBridge',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'events.amazonaws.com'] } },
    },
    {
      Sid: 'CodeSigningStays',
      Effect: 'Deny',
      Action: [
        'lambda:CreateCodeSigningConfig',
        'lambda:UpdateCodeSigningConfig',
        'lambda:DeleteCodeSigningConfig',
        'lambda:DeleteFunctionCodeSigningConfig',
        'signer:PutSigningProfile',
        'signer:CancelSigningProfile',
        'signer:RevokeSignature',
        'signer:RevokeSigningProfile',
        'signer:AddProfilePermission',
      ],
      Resource: '*',
    },
    {
      Sid: 'FunctionsOnlyWithOurCodeSigning',
      Effect: 'Deny',
      Action: ['lambda:CreateFunction', 'lambda:PutFunctionCodeSigningConfig'],
      Resource: '*',
      Condition: { StringNotEquals: { 'lambda:CodeSigningConfigArn': i.codeSigningConfigArn } },
    },
    { Sid: 'InvokeOnlyRotationFunctions', Effect: 'Deny', Action: 'lambda:InvokeFunction', NotResource: scopes.function.resources },
    {
      Sid: 'OnlySecretsManagerInvokes',
      Effect: 'Deny',
      Action: 'lambda:AddPermission',
      Resource: '*',
      Condition: { StringNotEquals: { 'lambda:Principal': LAMBDA_INVOKERS } },
    },
    // A secret policy is put only with Secrets Manager's public-access check on: the stack sets
    // block_public_policy, and a rewrite open to everyone (Principal "*") is refused by AWS.
    // Absent counts as off (BoolIfExists), as the API's default is off.
    {
      Sid: 'SecretPoliciesBlockPublicAccess',
      Effect: 'Deny',
      Action: 'secretsmanager:PutResourcePolicy',
      Resource: '*',
      Condition: { BoolIfExists: { 'secretsmanager:BlockPublicPolicy': 'false' } },
    },
    {
      // The bootstrap's keys and lock table: used for the state, never changed, tagged or granted;
      // its alarm rules (the trail and the state key watched): never touched.
      Sid: 'BootstrapResourcesAreNotOurs',
      Effect: 'Deny',
      Action: [
        'kms:PutKeyPolicy',
        'kms:CreateGrant',
        'kms:*Tag*',
        'kms:*KeyDeletion',
        'kms:Disable*',
        'kms:*Alias',
        'kms:ReplicateKey',
        'kms:UpdatePrimaryRegion',
        'dynamodb:*Table',
        'dynamodb:*Tag*',
        'dynamodb:*ResourcePolicy',
        'events:*',
      ],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: 'bootstrap' } },
    },
    {
      Sid: 'TheStackTagIsSetOnlyAtCreation',
      Effect: 'Deny',
      Action: [
        'kms:UntagResource',
        'ec2:DeleteTags',
        'iam:UntagRole',
        'lambda:UntagResource',
        'secretsmanager:UntagResource',
        'logs:UntagResource',
        'sns:UntagResource',
        'events:UntagResource',
        'cloudwatch:UntagResource',
        's3:PutBucketTagging',
      ],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': STACK_TAG } },
    },
    // ECS, Glue, CloudFormation, CodeBuild, SageMaker, Data Pipeline, ... are outside the
    // allow-list above; these are the compute entry points of services inside it.
    {
      Sid: 'NoComputeToActAsRoles',
      Effect: 'Deny',
      Action: ['ec2:RunInstances', 'lambda:CreateEventSourceMapping', 'ssm:SendCommand', 'ssm:StartSession'],
      Resource: '*',
    },
  ]);
}

/** The operator's boundary: the runbooks' allow-list, never a value read, no IAM, no deletion for good. */
export function operatorBoundary(i: CiAccessInput): PolicyDocument {
  return pipelineBoundary(
    i,
    [operatorPolicy(i)],
    [{ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' }, ...restorableDeletes(i)],
  );
}

/**
 * A deleted secret stays restorable (RestoreSecret, the operator's runbook) unless the catalog
 * says otherwise: the provider deletes with ForceDeleteWithoutRecovery only when
 * recovery_window_in_days is 0 (internal/service/secretsmanager/secret.go, resourceSecretDelete),
 * which the rules allow in dev only. Without a secret like that, neither the deploy role (this
 * condition on its DeleteSecret) nor the operator (the condition, and its boundary) may delete
 * one for good: a compromised apply, or a wrong command, is undone by a restore. Break-glass
 * still may.
 */
const RESTORABLE_DELETES: ConditionBlock = { BoolIfExists: { 'secretsmanager:ForceDeleteWithoutRecovery': 'false' } };

function restorableDeletes(i: CiAccessInput): Statement[] {
  if (i.forceDeletes) return [];
  return [
    {
      Sid: 'DeletedSecretsStayRestorable',
      Effect: 'Deny',
      Action: 'secretsmanager:DeleteSecret',
      Resource: '*',
      Condition: { Bool: { 'secretsmanager:ForceDeleteWithoutRecovery': 'true' } },
    },
  ];
}

/**
 * The workload boundary: what a role the environment stack creates (rotation functions, ECS
 * task and execution roles, event forwarding) may ever do. Its policies grant less; whatever
 * someone writes into them later cannot exceed this.
 */
export function workloadBoundary(i: CiAccessInput): PolicyDocument {
  const a = (service: string, resource: string) => arn(i.partition, service, '*', i.accountId, resource);
  return policy([
    {
      Sid: 'SecretsOfTheEnvironment',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:ListSecretVersionIds',
      ],
      Resource: a('secretsmanager', `secret:${i.prefix}/*`),
    },
    { Sid: 'RandomPasswords', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
    ...keyUseThroughSecretsManager(
      i,
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      'SecretKeysThroughSecretsManager',
    ),
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: environmentLogGroups(i.prefix).flatMap((g) => [a('logs', `log-group:${g}`), a('logs', `log-group:${g}:*`)]),
    },
    // A VPC function's network interfaces (in this account), and image pulls (the roles' own
    // policies name the repositories); the two calls without a resource level on "*".
    {
      Sid: 'FunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: arn(i.partition, 'ec2', '*', i.accountId, '*'),
    },
    {
      Sid: 'ImagePulls',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: arn(i.partition, 'ecr', '*', '*', 'repository/*'),
    },
    { Sid: 'WithoutResourceLevel', Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces', 'ecr:GetAuthorizationToken'], Resource: '*' },
    { Sid: 'ForwardEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: a('events', 'event-bus/default') },
    {
      // Rotation roles' credentials work only inside a rotation function (Lambda adds
      // lambda:SourceFunctionArn to every call from the function's code): whoever re-trusts such a
      // role, or reads its session from somewhere, cannot use it to read a value.
      Sid: 'RotationCredentialsOnlyInsideRotationFunctions',
      Effect: 'Deny',
      Action: 'secretsmanager:*',
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': workloadRole(i, 'secrets-rotation-*') }, Null: { 'lambda:SourceFunctionArn': 'true' } },
    },
    {
      Sid: 'RotationCredentialsOnlyInsideTheirFunctions',
      Effect: 'Deny',
      Action: 'secretsmanager:*',
      Resource: '*',
      Condition: {
        ArnLike: { 'aws:PrincipalArn': workloadRole(i, 'secrets-rotation-*') },
        ArnNotLike: { 'lambda:SourceFunctionArn': a('lambda', `function:${i.prefix}-secrets-rotation-*`) },
      },
    },
    {
      Sid: 'NeverActAsAnotherRole',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
      Resource: '*',
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Putting it together

/** A deploy policy split into managed policies within AWS's size limit (first fit, measured). */
export function packPolicies(statements: readonly Statement[]): PolicyDocument[] {
  const empty = policySize(policy([]));
  const groups: { statements: Statement[]; size: number }[] = [];
  for (const st of statements) {
    const size = Buffer.byteLength(JSON.stringify(st), 'utf8');
    if (empty + size > POLICY_LIMITS.iamManagedPolicy)
      throw new Error(`ci-access: statement ${st.Sid} alone is ${size} characters, over the managed-policy limit`);
    const fits = groups.find((g) => g.size + 1 + size <= POLICY_LIMITS.iamManagedPolicy);
    if (fits) {
      fits.statements.push(st);
      fits.size += 1 + size;
    } else groups.push({ statements: [st], size: empty + size });
  }
  return groups.map((g) => policy(g.statements));
}

export interface CiAccessPlan {
  readonly input: CiAccessInput;
  readonly roles: Readonly<Record<CiPrincipal, RoleAccess>>;
  readonly workloadBoundary: { readonly name: string; readonly document: PolicyDocument };
}

/** Every role, policy and boundary of the account, derived from the manifest and the input. */
export function planCiAccess(i: CiAccessInput, m: TerraformCalls): CiAccessPlan {
  const missing = missingEntries(m, i.environment, i.envTypes);
  if (missing.length > 0) throw new Error(`ci-access: ${missing.join('; ')}`);
  const role = (
    who: CiPrincipal,
    description: string,
    trust: PolicyDocument,
    policies: PolicyDocument[],
    boundary?: PolicyDocument,
  ): RoleAccess => ({
    name: i.roles[who],
    arn: roleArn(i.partition, i.accountId, i.roles[who]),
    description,
    trust,
    policies,
    ...(boundary ? { boundary: { name: boundaryName(i.roles[who]), document: boundary } } : {}),
    maxSessionSeconds: 3600,
  });
  const planPr = [planPrPolicy(i, m)];
  const plan = [planPolicy(i, m)];
  const deploy = packPolicies(deployStatements(i, m));
  const values = [valuesPolicy(i)];
  const operator = [operatorPolicy(i)];
  const repo = i.github.repository;
  const out: CiAccessPlan = {
    input: i,
    roles: {
      planPr: role(
        'planPr',
        `Pull-request plans of ${repo} (${i.environment}): reads Terraform state, nothing else`,
        pipelineTrust(i, 'planPr'),
        planPr,
        pipelineBoundary(i, planPr, [{ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' }]),
      ),
      plan: role(
        'plan',
        `Main-branch plans of ${repo} (${i.environment}): reads state and every resource, never a value`,
        pipelineTrust(i, 'plan'),
        plan,
        pipelineBoundary(i, plan),
      ),
      deploy: role(
        'deploy',
        `Applies of ${repo} (${i.environment}) from main`,
        pipelineTrust(i, 'deploy'),
        deploy,
        deployBoundary(i, deploy),
      ),
      values: role(
        'values',
        `The values job of ${repo} (${i.environment}): writes values, never reads one`,
        pipelineTrust(i, 'values'),
        values,
        valuesBoundary(i),
      ),
      operator: role(
        'operator',
        `Runbooks of ${i.environment}: upload, rotate, roll back, restore, remove; never reads a value`,
        humanTrust(i, i.humans.operator),
        operator,
        operatorBoundary(i),
      ),
      breakGlass: role(
        'breakGlass',
        `Emergency access to ${i.environment}'s secrets; every use is alarmed`,
        humanTrust(i, i.humans.breakGlass),
        [breakGlassPolicy(i)],
      ),
    },
    workloadBoundary: { name: workloadBoundaryName(i.project), document: workloadBoundary(i) },
  };
  for (const r of Object.values(out.roles)) {
    const docs: Array<[string, PolicyDocument, number]> = [
      ...r.policies.map((d, n): [string, PolicyDocument, number] => [`policy ${r.name}-${n + 1}`, d, POLICY_LIMITS.iamManagedPolicy]),
      ...(r.boundary
        ? [[`boundary ${r.boundary.name}`, r.boundary.document, POLICY_LIMITS.iamManagedPolicy] as [string, PolicyDocument, number]]
        : []),
      [`trust policy of ${r.name}`, r.trust, POLICY_LIMITS.iamTrustPolicy],
    ];
    for (const [what, d, limit] of docs) {
      if (policySize(d) > limit)
        throw new Error(
          `ci-access (${i.environment}): the ${what} is ${policySize(d)} characters, over AWS's ${limit}; shorten the names or split the statements`,
        );
    }
  }
  return out;
}

/** The code-signing config's ARN before it exists (the proof and the size checks measure with it). */
export const estimatedCodeSigningConfigArn = (partition: string, region: string, accountId: string) =>
  arn(partition, 'lambda', region, accountId, 'code-signing-config:csc-0123456789abcdef0');

/**
 * The input of one account's CI access, from the environment's plan and the types its stack
 * synthesizes. `codeSigningConfigArn` is the estimate unless the caller passes the reference.
 */
export function ciAccessInput(
  plan: EnvironmentPlan,
  envTypes: readonly SynthesizedType[],
  opts: { codeSigningConfigArn?: string } = {},
): CiAccessInput {
  const env = plan.catalog;
  const regions = uniq([plan.region, ...plan.keys.flatMap((k) => k.replicaRegions), ...plan.secrets.flatMap((s) => s.regions)]);
  const human = (t: { permissionSet?: string; mfaPrincipals?: readonly string[] } | undefined, fallback: string): HumanTrust =>
    t && (t.permissionSet || (t.mfaPrincipals ?? []).length > 0)
      ? {
          ...(t.permissionSet ? { permissionSet: t.permissionSet } : {}),
          ...(t.mfaPrincipals ? { mfaPrincipals: [...t.mfaPrincipals] } : {}),
        }
      : { permissionSet: fallback };
  return {
    partition: plan.partition,
    accountId: plan.accountId,
    environment: plan.environment,
    regions,
    prefix: plan.namePrefix,
    workloadRolePath: plan.workloadRolePath,
    project: PROJECT,
    github: { repository: GITHUB.repository, repositoryId: GITHUB.repositoryId, ownerId: GITHUB.ownerId },
    state: {
      bucket: plan.stateBackend.bucket,
      key: plan.stateKey,
      lockTable: plan.stateBackend.lockTable,
      keyAlias: plan.stateBackend.keyAlias,
      region: plan.stateBackend.region,
    },
    roles: { ...CI_ROLE_NAMES, deploy: deployRoleName(plan), breakGlass: plan.breakGlass.roleName },
    humans: {
      breakGlass: human(env.breakGlass, DEFAULT_PERMISSION_SETS.breakGlass),
      operator: human(env.operator, DEFAULT_PERMISSION_SETS.operator),
    },
    ...(env.network ? { network: { vpcId: env.network.vpcId, subnetIds: [...env.network.subnetIds] } } : {}),
    envTypes: envTypes.map((t) => ({ ...t, attrs: [...t.attrs] })),
    artifactsBucket: artifactsBucketName(plan),
    signingProfileName: signingProfileName(plan.namePrefix),
    codeSigningConfigArn: opts.codeSigningConfigArn ?? estimatedCodeSigningConfigArn(plan.partition, plan.region, plan.accountId),
    codeSigningParameterName: codeSigningParameterName(plan.environment),
    oidcProviderArn: arn(plan.partition, 'iam', '', plan.accountId, `oidc-provider/${GITHUB_OIDC_HOST}`),
    forceDeletes: plan.secrets.some((s) => s.recoveryWindowDays === 0),
  };
}
