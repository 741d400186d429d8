/**
 * Read-access policy builders: pure, no cdktf, so the plan (stacks/plan) computes every reader,
 * ECS and cross-account document as data and modules/access.ts only renders them.
 */
import { KeyGrantee } from './key';
import { accountRoot, ArnRef, ConditionBlock, decryptViaSecretsManager, policy, PolicyDocument, policySize, Statement, uniq } from '../policy';

/** A secret someone reads, with the key it is encrypted under (undefined = AWS-managed key). */
export interface SecretGrant {
  secret: ArnRef;
  key?: ArnRef;
  /** Regions the reader may decrypt in (primary plus replicas). */
  regions: string[];
}

const pick = (r: ArnRef, estimate: boolean) => (estimate ? r.estimatedArn : r.arn);

/**
 * The secret's resource policy for readers in other accounts. Principals are account roots so
 * the policy stays valid before the consumer creates its roles, and `aws:PrincipalArn` pins the
 * exact roles; reads are limited to the AWSCURRENT version.
 */
export function crossAccountSecretPolicy(secret: ArnRef, grantees: KeyGrantee[], estimate = false): PolicyDocument {
  const resource = pick(secret, estimate);
  const statements: Statement[] = [];
  for (const g of grantees) {
    const principal = g.kind === 'account' ? { AWS: accountRoot(g.accountId) } : ('*' as const);
    const who: ConditionBlock =
      g.kind === 'account' ? { ArnLike: { 'aws:PrincipalArn': g.principalArns } } : { StringEquals: { 'aws:PrincipalOrgID': g.organizationId } };
    const sid = g.kind === 'account' ? g.accountId : g.organizationId.replace(/[^A-Za-z0-9]/g, '');
    statements.push({
      Sid: `ReadCurrent${sid}`,
      Effect: 'Allow',
      Principal: principal,
      Action: 'secretsmanager:GetSecretValue',
      Resource: resource,
      Condition: { ...who, StringEquals: { ...who.StringEquals, 'secretsmanager:VersionStage': 'AWSCURRENT' } },
    });
    statements.push({ Sid: `Describe${sid}`, Effect: 'Allow', Principal: principal, Action: 'secretsmanager:DescribeSecret', Resource: resource, Condition: who });
  }
  return policy(statements);
}

/**
 * Read access for one role: `GetSecretValue` (and `DescribeSecret` for SDK readers) on exactly
 * these secrets, `kms:Decrypt` on exactly their keys and only through Secrets Manager. This is
 * the document a consumer account attaches, an ECS role gets, and an IAM-role reader gets.
 */
export function readPolicy(grants: SecretGrant[], opts: { describe: boolean; estimate?: boolean }): PolicyDocument {
  const estimate = opts.estimate ?? false;
  const statements: Statement[] = [
    {
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: opts.describe ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] : 'secretsmanager:GetSecretValue',
      Resource: uniq(grants.map((g) => pick(g.secret, estimate))),
    },
  ];
  const keyed = grants.filter((g) => g.key);
  if (keyed.length > 0) {
    statements.push(decryptViaSecretsManager(keyed.map((g) => g.key!), keyed.flatMap((g) => g.regions), estimate));
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
    if (current.length > 0 && policySize(readPolicy(next, { ...opts, estimate: true })) > limit) {
      groups.push(current);
      current = [g];
    } else {
      current = next;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function ecsTrustPolicy(accountId: string, region: string): PolicyDocument {
  return policy([
    {
      Sid: 'EcsTasksOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': accountId },
        ArnLike: { 'aws:SourceArn': `arn:aws:ecs:${region}:${accountId}:*` },
      },
    },
  ]);
}

/** ECS `valueFrom`: the whole secret, or one JSON key of its AWSCURRENT version (`arn:key::`). */
export function valueFrom(secretArn: string, jsonKey?: string): string {
  return jsonKey ? `${secretArn}:${jsonKey}::` : secretArn;
}
