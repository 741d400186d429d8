/**
 * The expected access matrix, derived from the catalog alone: who the catalog says reads, writes
 * and manages each secret. `catalogFacts` is the only place that reads the catalog, so switching
 * the proof to the environment plan means changing this adapter and nothing else.
 *
 * What the catalog implies (docs/access-proof.md, "What is proven"):
 * - a named cross-account reader role reads the AWSCURRENT value (and describes) in every region
 *   the secret lives in; no other stage, no write;
 * - a same-account reader role (iam-role reader, ECS task role) reads every stage and describes;
 * - an ECS execution role reads (start-up injection) and nothing else;
 * - a rotation role rotates its secrets (ROTATION_SECRET_ACTIONS, own region) and reads the admin
 *   secrets that drive it;
 * - no pipeline role (plan, deploy, values) nor the operator reads a value; the values job and the
 *   operator write values (the CI proof checks every other call of theirs);
 * - the break-glass role may do everything;
 * - an administrator of the account sees metadata only; an unnamed role of a reader account and
 *   an outside account get nothing;
 * - nobody decrypts with a secrets key except through Secrets Manager, and nobody creates a grant
 *   except for an AWS resource.
 */
import { roleArn as iamRoleArn } from '../../plan/arn';
import { ROTATION_SECRET_ACTIONS } from '../../plan/policies/rotation';
import { isWritten } from '../../plan/values';
import type { EnvironmentPlan } from '../../plan/types';

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
export const METADATA_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetResourcePolicy',
  'secretsmanager:ListSecretVersionIds',
];
export const VALUE_READ_ACTIONS = ['secretsmanager:GetSecretValue'];
export const VALUE_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
export const MANAGEMENT_ACTIONS = SECRET_ACTIONS.filter(
  (a) => ![...METADATA_ACTIONS, ...VALUE_READ_ACTIONS, ...VALUE_WRITE_ACTIONS].includes(a),
);

export type PrincipalKind =
  | 'stack-role'
  | 'reader-role'
  | 'cross-reader'
  | 'deploy'
  | 'break-glass'
  | 'values'
  | 'operator'
  | 'plan'
  | 'admin'
  | 'unnamed'
  | 'outsider';

/** The CI and human principals (real roles of the bootstrap stack; the CI proof checks their every other call). */
export const CI_KINDS: readonly PrincipalKind[] = ['deploy', 'break-glass', 'values', 'operator', 'plan'];

export interface SecretExpectation {
  id: string;
  name: string;
  regions: string[];
  primaryRegion: string;
  customerKey: boolean;
  /** The values step writes this secret's value (V2): its role is a value writer of it. */
  writtenByValuesStep: boolean;
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
  /**
   * Same-account reader roles (iam-role readers): the secret and key policies name them and no
   * stack writes their policies, so the proof evaluates them with no identity policy at all.
   */
  sameAccountReaders: string[];
  /** Cross-account reader roles and the `consumer_policies_<output>` the stack hands them. */
  crossAccountReaders: Array<{ output: string; roleArns: string[] }>;
  /** Secrets that drive another secret's rotation (masters, rotation admins). */
  masterSecretNames: string[];
  /** The rotation functions' roles: the only application-side readers of a master. */
  rotationRoleArns: string[];
  /** Endpoint clients the catalog names. */
  endpointClients: { cidrs: string[]; securityGroupIds: string[] };
}

const OUTSIDE_ACCOUNT = '999988887777';
export const outsideAccount = () => OUTSIDE_ACCOUNT;

/**
 * The adapter: plan -> facts. It reads who the catalog names (readers, ECS services, rotation
 * groups, deploy and break-glass roles) from the plan's resolved catalog facts, never from a
 * policy document: what the documents allow is what the proof checks against these facts.
 */
export function catalogFacts(plan: EnvironmentPlan): AccessFacts {
  // Roles the environment stack creates live under the workload path.
  const roleArn = (name: string) => iamRoleArn(plan.partition, plan.accountId, name, plan.workloadRolePath);
  const secrets = new Map<string, SecretExpectation>();
  for (const s of plan.secrets) {
    secrets.set(s.id, {
      id: s.id,
      name: s.name,
      regions: [...s.regions],
      primaryRegion: plan.region,
      customerKey: !!s.kmsKeyArn,
      writtenByValuesStep: isWritten(s.value),
      grants: new Map(),
    });
  }
  const grant = (secretId: string, arn: string, actions: readonly string[], stages: readonly Stage[], regions: readonly string[]) => {
    const e = secrets.get(secretId)!;
    const g = e.grants.get(arn) ?? { actions: new Set(), stages: new Set(), regions: new Set() };
    for (const a of actions) g.actions.add(a);
    for (const st of stages) g.stages.add(st);
    for (const r of regions) g.regions.add(r);
    e.grants.set(arn, g);
  };
  const regionsOf = (id: string) => secrets.get(id)!.regions;
  const readerAccounts = new Set<string>();
  const crossAccountReaders: AccessFacts['crossAccountReaders'] = [];
  for (const r of plan.readers) {
    const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    if (r.resolved.kind === 'account') {
      readerAccounts.add(r.resolved.accountId);
      for (const arn of r.resolved.roleArns) for (const id of r.secretIds) grant(id, arn, read, ['AWSCURRENT'], regionsOf(id));
      if (r.outputName)
        crossAccountReaders.push({ output: r.outputName.replace(/^consumer_policies_/, ''), roleArns: [...r.resolved.roleArns] });
    } else if (r.resolved.kind === 'iam-role') {
      for (const id of r.secretIds) grant(id, r.resolved.roleArn, read, STAGES, regionsOf(id));
    }
  }
  for (const svc of plan.ecsServices) {
    if (svc.executionRole)
      for (const id of svc.executionRole.secretIds)
        grant(id, roleArn(svc.executionRole.name), ['secretsmanager:GetSecretValue'], STAGES, regionsOf(id));
    if (svc.taskRole)
      for (const id of svc.taskRole.secretIds)
        grant(id, roleArn(svc.taskRole.name), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], STAGES, regionsOf(id));
  }
  for (const f of plan.rotationFunctions) {
    const arn = roleArn(f.roleName);
    // A rotation function calls Secrets Manager in its own Region; the service writes the replicas.
    for (const id of f.secretIds) grant(id, arn, [...ROTATION_SECRET_ACTIONS], STAGES, [plan.region]);
    for (const id of f.adminSecretIds)
      if (secrets.has(id)) grant(id, arn, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], STAGES, [plan.region]);
  }
  return {
    environment: plan.environment,
    account: plan.accountId,
    region: plan.region,
    deployRoleArn: plan.deployRoleArn,
    breakGlassRoleArn: plan.breakGlass.roleArn,
    readerAccounts: [...readerAccounts].sort(),
    sameAccountReaders: [...new Set(plan.readers.flatMap((r) => (r.resolved.kind === 'iam-role' ? [r.resolved.roleArn] : [])))].sort(),
    crossAccountReaders,
    secrets: [...secrets.values()],
    masterSecretNames: [...new Set(plan.rotationFunctions.flatMap((f) => f.adminSecretIds))]
      .map((id) => secrets.get(id)?.name)
      .filter((n): n is string => !!n),
    rotationRoleArns: plan.rotationFunctions.map((f) => roleArn(f.roleName)),
    endpointClients: {
      cidrs: [...(plan.endpoint?.clientCidrs ?? [])],
      securityGroupIds: [...(plan.endpoint?.clientSecurityGroupIds ?? [])],
    },
  };
}

/**
 * Expected Secrets Manager decision for one request (identity, secret policy and endpoint
 * together); undefined where this proof does not decide (the CI proof checks every call of the CI
 * principals' jobs). No pipeline principal reads a value (V7); the values job and the operator
 * write values, the operator moves stages; break-glass may do everything.
 */
export function expectSecretAction(
  _facts: AccessFacts,
  p: { arn: string; kind: PrincipalKind },
  s: SecretExpectation,
  action: string,
  region: string,
  stage: Stage | undefined,
): boolean | undefined {
  switch (p.kind) {
    case 'outsider':
    case 'unnamed':
      return false;
    case 'break-glass':
      return true;
    case 'admin':
      return METADATA_ACTIONS.includes(action);
    case 'deploy':
    case 'plan':
    case 'values':
    case 'operator':
      if (action === 'secretsmanager:GetSecretValue') return false;
      if (action === 'secretsmanager:PutSecretValue') return p.kind === 'operator' || (p.kind === 'values' && s.writtenByValuesStep);
      if (action === 'secretsmanager:UpdateSecretVersionStage') return p.kind === 'operator';
      return undefined;
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
): boolean | undefined {
  if (p.kind === 'plan') return false;
  if (p.kind === 'deploy') return undefined; // through Secrets Manager for replication and key changes (CI proof)
  if (['admin', 'break-glass', 'values', 'operator'].includes(p.kind)) return true;
  if (p.kind === 'outsider' || p.kind === 'unnamed') return false;
  return secretsUnderKey.some(({ s, region }) => {
    const g = s.grants.get(p.arn);
    if (!g || !g.regions.has(region)) return false;
    return action === 'kms:Decrypt' ? g.actions.has('secretsmanager:GetSecretValue') : g.actions.has('secretsmanager:PutSecretValue');
  });
}
