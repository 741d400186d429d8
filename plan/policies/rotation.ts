/**
 * Rotation role policy builders: pure, no cdktf, so the plan computes the rotation
 * role's documents as data and modules/rotation.ts only renders them.
 */
import { type ArnScope, secretsUnder } from '../arn';
import { policy, type PolicyDocument, secretsManagerVia, type Statement, uniq } from '../policy';
import type { SecretGrant } from './access';

/** Above this many secrets one function gets one invoke permission for the name prefix. */
export const MAX_PER_SECRET_PERMISSIONS = 40;

/** What the rotation role policy is computed from. */
export interface RotationPolicyInput extends ArnScope {
  /** Name prefix of this environment's secrets (for the bulk form). */
  namePrefix: string;
  functionName: string;
  /** The secrets the function rotates. */
  secrets: SecretGrant[];
  /** Admin/master secrets the function reads but never writes. */
  adminSecrets: SecretGrant[];
}

/**
 * The Secrets Manager calls a rotation makes (lambdas/rotation/secrets-manager.ts);
 * ListSecretVersionIds is single-user rotation's last-resort fallback to an interrupted
 * rotation's password. The VPC endpoint policy must allow each of them too.
 */
export const ROTATION_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/** Tag on every rotated secret naming its rotation function (used by the bulk policy form). */
export const ROTATION_FUNCTION_TAG = 'RotationFunction';

/**
 * Everything the rotation role may do, and nothing more. Up to MAX_PER_SECRET_PERMISSIONS
 * secrets are listed by ARN; beyond that (IAM's 10,240-character limit) the role may act on the
 * environment's secrets that carry its function name in the RotationFunction tag.
 */
export function rotationRolePolicy(p: RotationPolicyInput, logGroupArn: string, inVpc: boolean): PolicyDocument {
  const bulk = p.secrets.length > MAX_PER_SECRET_PERMISSIONS;
  // Writes need GenerateDataKey on the rotated secrets' keys; admin secrets are only read. The
  // function calls Secrets Manager in its own region only (the service writes the replicas).
  const writeKeys = uniq(p.secrets.filter((g) => g.key).map((g) => g.key!));
  const readKeys = uniq(p.adminSecrets.filter((g) => g.key).map((g) => g.key!)).filter((k) => !writeKeys.includes(k));
  const via = { StringEquals: { 'kms:ViaService': [secretsManagerVia(p.region)] } };
  const statements: Statement[] = [
    {
      Sid: 'RotateTheseSecrets',
      Effect: 'Allow',
      Action: [...ROTATION_SECRET_ACTIONS],
      ...(bulk
        ? {
            Resource: secretsUnder(p, `${p.namePrefix}/`),
            // The global tag key (Secrets Manager supports it on secrets, like its own
            // secretsmanager:ResourceTag/<key>), so the access proof can simulate the bulk form.
            Condition: { StringEquals: { [`aws:ResourceTag/${ROTATION_FUNCTION_TAG}`]: p.functionName } },
          }
        : { Resource: p.secrets.map((s) => s.secret) }),
    },
    // No GetRandomPassword (it only accepts Resource "*"): the handlers generate values with Node's CSPRNG.
    { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroupArn}:*` },
  ];
  if (p.adminSecrets.length > 0) {
    statements.push({
      Sid: 'ReadAdminSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: uniq(p.adminSecrets.map((s) => s.secret)),
    });
  }
  if (writeKeys.length > 0) {
    statements.push({
      Sid: 'KeysThroughSecretsManager',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: writeKeys,
      Condition: via,
    });
  }
  if (readKeys.length > 0) {
    statements.push({ Sid: 'AdminKeysThroughSecretsManager', Effect: 'Allow', Action: 'kms:Decrypt', Resource: readKeys, Condition: via });
  }
  if (inVpc) {
    // Lambda creates the function's network interfaces with the function's role; EC2 supports
    // no resource-level scoping for these describe/attach calls.
    statements.push({
      Sid: 'LambdaVpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    });
  }
  return policy(statements);
}

export function lambdaTrustPolicy(accountId: string): PolicyDocument {
  return policy([
    {
      Sid: 'LambdaOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ]);
}
