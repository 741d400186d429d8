/**
 * The expected access matrix, derived from the catalog alone: who the catalog says reads, writes
 * and manages each secret. `catalogFacts` is the only place that reads the catalog, so switching
 * the proof to the environment plan means changing this adapter and nothing else.
 *
 * What the catalog implies (README, "Access proof"):
 * - a named cross-account reader role reads the AWSCURRENT value (and describes) in every region
 *   the secret lives in; no other stage, no write;
 * - a same-account reader role (iam-role reader, ECS task role) reads every stage and describes;
 * - an ECS execution role reads (start-up injection) and nothing else;
 * - a rotation role rotates its secrets (ROTATION_SECRET_ACTIONS, own region) and reads the admin
 *   secrets that drive it;
 * - the deploy role manages every secret and writes values, and reads values only where Terraform
 *   writes a version (the provider refreshes it with GetSecretValue);
 * - the break-glass role may do everything;
 * - an administrator of the account sees metadata only; an unnamed role of a reader account and
 *   an outside account get nothing;
 * - nobody decrypts with a secrets key except through Secrets Manager, and nobody creates a grant
 *   except for an AWS resource.
 */
import { ROTATION_SECRET_ACTIONS } from '../../modules/rotation';
import { ecsServices, readerGrants, rotationFunctionName, rotationGroups, secretName, secretRegions } from '../../stacks/environments/derive';
import { NAME_PREFIX } from '../../stacks/environments/project';
import { EnvironmentConfig } from '../../stacks/environments/types';

export const STAGES = ['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING'] as const;
export type Stage = (typeof STAGES)[number];

/** Every Secrets Manager action that acts on a secret (iam-data: resource type Secret). */
export const SECRET_ACTIONS = [
  'CancelRotateSecret',
  'CreateSecret',
  'DeleteResourcePolicy',
  'DeleteSecret',
  'DescribeSecret',
  'GetResourcePolicy',
  'GetSecretValue',
  'ListSecretVersionIds',
  'PutResourcePolicy',
  'PutSecretValue',
  'RemoveRegionsFromReplication',
  'ReplicateSecretToRegions',
  'RestoreSecret',
  'RotateSecret',
  'StopReplicationToReplica',
  'TagResource',
  'UntagResource',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'ValidateResourcePolicy',
].map((a) => `secretsmanager:${a}`);

/** Metadata: never the value, left to IAM (operators list and describe secrets). */
export const METADATA_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ListSecretVersionIds'];
export const VALUE_READ_ACTIONS = ['secretsmanager:GetSecretValue'];
export const VALUE_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
export const MANAGEMENT_ACTIONS = SECRET_ACTIONS.filter((a) => ![...METADATA_ACTIONS, ...VALUE_READ_ACTIONS, ...VALUE_WRITE_ACTIONS].includes(a));

export type PrincipalKind = 'stack-role' | 'reader-role' | 'cross-reader' | 'deploy' | 'break-glass' | 'admin' | 'unnamed' | 'outsider';

export interface SecretExpectation {
  id: string;
  name: string;
  regions: string[];
  primaryRegion: string;
  customerKey: boolean;
  /** Role ARN -> actions (GetSecretValue carries its stages separately). */
  grants: Map<string, { actions: Set<string>; stages: Set<Stage>; regions: Set<string> }>;
}

/** What the proof needs from the catalog; the plan can produce the same shape. */
export interface AccessFacts {
  environment: string;
  account: string;
  region: string;
  deployRoleArn?: string;
  breakGlassRoleArn?: string;
  /** Accounts whose named roles read something (each gets an unnamed-role probe). */
  readerAccounts: string[];
  secrets: SecretExpectation[];
  /** Cross-account reader roles and the `consumer_policies_<output>` the stack hands them. */
  crossAccountReaders: Array<{ output: string; roleArns: string[] }>;
  /** Endpoint clients the catalog names. */
  endpointClients: { cidrs: string[]; securityGroupIds: string[] };
}

const OUTSIDE_ACCOUNT = '999988887777';
export const outsideAccount = () => OUTSIDE_ACCOUNT;

const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/** The adapter: catalog -> facts. */
export function catalogFacts(env: EnvironmentConfig): AccessFacts {
  const prefix = NAME_PREFIX[env.name];
  const secrets = new Map<string, SecretExpectation>();
  for (const s of env.secrets) {
    secrets.set(s.id, { id: s.id, name: secretName(env, s), regions: secretRegions(env, s), primaryRegion: env.region, customerKey: !s.awsManagedKey, grants: new Map() });
  }
  const grant = (secretId: string, arn: string, actions: string[], stages: readonly Stage[], regions: string[]) => {
    const e = secrets.get(secretId)!;
    const g = e.grants.get(arn) ?? { actions: new Set(), stages: new Set(), regions: new Set() };
    actions.forEach((a) => g.actions.add(a));
    stages.forEach((st) => g.stages.add(st));
    regions.forEach((r) => g.regions.add(r));
    e.grants.set(arn, g);
  };
  const readerAccounts = new Set<string>();
  for (const [readerName, list] of readerGrants(env)) {
    const r = env.readers[readerName];
    for (const s of list) {
      const regions = secretRegions(env, s);
      if (r.kind === 'account') {
        readerAccounts.add(r.accountId);
        for (const rn of r.roleNames) grant(s.id, roleArn(r.accountId, rn), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], ['AWSCURRENT'], regions);
      } else if (r.kind === 'iam-role') {
        grant(s.id, roleArn(env.accountId, r.roleName), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], STAGES, regions);
      }
    }
  }
  for (const svc of ecsServices(env)) {
    for (const i of svc.inject) grant(i.secret.id, roleArn(env.accountId, `${prefix}-${svc.service}-ecs-execution`), ['secretsmanager:GetSecretValue'], STAGES, secretRegions(env, i.secret));
    for (const s of svc.runtime) grant(s.id, roleArn(env.accountId, `${prefix}-${svc.service}-ecs-task`), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], STAGES, secretRegions(env, s));
  }
  for (const g of rotationGroups(env)) {
    const arn = roleArn(env.accountId, `${rotationFunctionName(env, g)}-role`.slice(0, 64));
    for (const s of g.secrets) grant(s.id, arn, [...ROTATION_SECRET_ACTIONS], STAGES, [env.region]);
    for (const id of g.adminSecretIds) grant(id, arn, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], STAGES, [env.region]);
  }
  const breakGlass = (env as { breakGlass?: { roleName: string } }).breakGlass;
  const network = env.network as (EnvironmentConfig['network'] & { endpointClientSecurityGroupIds?: string[] }) | undefined;
  return {
    environment: env.name,
    account: env.accountId,
    region: env.region,
    deployRoleArn: env.deployRoleArn,
    breakGlassRoleArn: breakGlass ? roleArn(env.accountId, breakGlass.roleName) : undefined,
    readerAccounts: [...readerAccounts].sort(),
    crossAccountReaders: Object.entries(env.readers).flatMap(([n, r]) =>
      r.kind === 'account' && readerGrants(env).has(n) ? [{ output: n.replace(/[^A-Za-z0-9_]/g, '_'), roleArns: r.roleNames.map((rn) => roleArn(r.accountId, rn)) }] : [],
    ),
    secrets: [...secrets.values()],
    endpointClients: { cidrs: network?.endpointClientCidrs ?? [], securityGroupIds: network?.endpointClientSecurityGroupIds ?? [] },
  };
}

/** Expected Secrets Manager decision for one request (identity, secret policy and endpoint together). */
export function expectSecretAction(
  _facts: AccessFacts,
  p: { arn: string; kind: PrincipalKind },
  s: SecretExpectation,
  action: string,
  region: string,
  stage: Stage | undefined,
  terraformWritesValue: boolean,
): boolean {
  switch (p.kind) {
    case 'outsider':
    case 'unnamed':
      return false;
    case 'break-glass':
      return true;
    case 'admin':
      return METADATA_ACTIONS.includes(action);
    case 'deploy':
      return action === 'secretsmanager:GetSecretValue' ? terraformWritesValue : true;
    default: {
      const g = s.grants.get(p.arn);
      if (!g || !g.actions.has(action) || !g.regions.has(region)) return false;
      return action === 'secretsmanager:GetSecretValue' ? g.stages.has(stage!) : true;
    }
  }
}

/**
 * Expected KMS decision through Secrets Manager for a key in a region: Decrypt for whoever reads a
 * secret under it there, GenerateDataKey for whoever writes one; administrators of the account
 * (admin, deploy, break-glass probes) are allowed by the key policy's delegation to IAM.
 */
export function expectKeyViaSecretsManager(
  _facts: AccessFacts,
  p: { arn: string; kind: PrincipalKind },
  secretsUnderKey: Array<{ s: SecretExpectation; region: string }>,
  action: 'kms:Decrypt' | 'kms:GenerateDataKey',
): boolean {
  if (['admin', 'deploy', 'break-glass'].includes(p.kind)) return true;
  if (p.kind === 'outsider' || p.kind === 'unnamed') return false;
  return secretsUnderKey.some(({ s, region }) => {
    const g = s.grants.get(p.arn);
    if (!g || !g.regions.has(region)) return false;
    return action === 'kms:Decrypt' ? g.actions.has('secretsmanager:GetSecretValue') : g.actions.has('secretsmanager:PutSecretValue');
  });
}
