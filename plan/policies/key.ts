/**
 * The KMS key policy builder: pure, no cdktf, so the plan computes every key policy
 * as data and modules/encryption-key.ts only renders it.
 */
import { accountRoot, arn } from '../arn';
import { policy, type PolicyDocument, secretsManagerVia, type Statement, uniq } from '../policy';

/** Someone outside the account who may decrypt through Secrets Manager. */
export type KeyGrantee = { kind: 'account'; accountId: string; principalArns: string[] } | { kind: 'organization'; organizationId: string };

/** An AWS service that encrypts with the key itself (SNS publishers, CloudWatch Logs). */
export interface ServiceUse {
  service: 'events.amazonaws.com' | 'cloudwatch.amazonaws.com' | 'logs';
}

export interface KeyPolicyInput {
  partition: string;
  accountId: string;
  /** Region of the key (or replica) the policy is for. */
  region: string;
  /**
   * Services through which principals of the account may use the key (`kms:ViaService`):
   * `secretsmanager` for secret keys; `s3` and `dynamodb` for the state key.
   */
  useVia: Array<'secretsmanager' | 's3' | 'dynamodb'>;
  grantees: KeyGrantee[];
  /**
   * Roles of this account the catalog names as readers (iam-role readers): they decrypt through
   * Secrets Manager by this statement, so no stack ever writes into their own policies.
   */
  namedReaders?: string[];
  services: ServiceUse['service'][];
  /**
   * With service `logs`: the log groups (name patterns) CloudWatch Logs may use the key for, in
   * this account and Region (`kms:EncryptionContext:aws:logs:arn`); required with `logs`.
   */
  logGroups?: string[];
}

/**
 * `kms:CreateGrant` is never in an unconditioned statement: a grant can carry Decrypt, so
 * whoever may create grants freely may decrypt without `kms:ViaService`. Grants are allowed only
 * when an AWS service creates them for a resource (`kms:GrantIsForAWSResource`), as DynamoDB does.
 */
export const GRANT_FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } } as const;

/**
 * Key administration without data access. Listing the actions (instead of `kms:*`) keeps the
 * account root able to manage, re-policy and delete the key, so the key can never lock the
 * account out, while decrypting is granted only by the statements below.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
];

/** What a service calls on a principal's behalf to encrypt and decrypt its data. */
export const SERVICE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

export function keyPolicy(input: KeyPolicyInput): PolicyDocument {
  const { partition, accountId, region } = input;
  const root = (account: string) => accountRoot(partition, account);
  const statements: Statement[] = [
    { Sid: 'KeyAdministrationByAccount', Effect: 'Allow', Principal: { AWS: root(accountId) }, Action: KEY_ADMIN_ACTIONS, Resource: '*' },
    // DynamoDB keeps a grant on a customer-managed table key; services create grants, people do not.
    {
      Sid: 'GrantsOnlyForAwsResources',
      Effect: 'Allow',
      Principal: { AWS: root(accountId) },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: GRANT_FOR_AWS_RESOURCE,
    },
  ];
  if (input.useVia.length > 0) {
    statements.push({
      Sid: 'AccountPrincipalsThroughServices',
      Effect: 'Allow',
      Principal: { AWS: root(accountId) },
      Action: SERVICE_KEY_ACTIONS,
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': input.useVia.map((s) => `${s}.${region}.amazonaws.com`), 'kms:CallerAccount': accountId },
      },
    });
  }
  if (input.namedReaders && input.namedReaders.length > 0) {
    statements.push({
      Sid: 'NamedRolesOfThisAccountThroughSecretsManager',
      Effect: 'Allow',
      Principal: { AWS: uniq(input.namedReaders).sort() },
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': secretsManagerVia(region), 'kms:CallerAccount': accountId } },
    });
  }
  for (const g of input.grantees) {
    if (g.kind === 'account') {
      statements.push({
        Sid: `CrossAccountDecrypt${g.accountId}`,
        Effect: 'Allow',
        Principal: { AWS: root(g.accountId) },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': secretsManagerVia(region), 'kms:CallerAccount': g.accountId },
          ArnLike: { 'aws:PrincipalArn': g.principalArns },
        },
      });
    } else {
      statements.push({
        Sid: `OrganizationDecrypt${g.organizationId.replace(/[^A-Za-z0-9]/g, '')}`,
        Effect: 'Allow',
        Principal: '*',
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': secretsManagerVia(region), 'aws:PrincipalOrgID': g.organizationId } },
      });
    }
  }
  for (const service of uniq(input.services)) {
    if (service === 'logs') {
      if (!input.logGroups || input.logGroups.length === 0)
        throw new Error('keyPolicy: service logs needs the log groups it encrypts (logGroups)');
      statements.push({
        Sid: 'CloudWatchLogsEncryption',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
        Resource: '*',
        // Only the environment's log groups: another log group of the account (anyone's who may
        // associate a key) cannot make our key encrypt, and so depend on, its logs.
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': uniq(input.logGroups ?? []).map((g) =>
              arn(partition, 'logs', region, accountId, `log-group:${g}`),
            ),
          },
        },
      });
    } else {
      statements.push({
        Sid: service === 'events.amazonaws.com' ? 'EventBridgePublishToEncryptedTopic' : 'CloudWatchAlarmsPublishToEncryptedTopic',
        Effect: 'Allow',
        Principal: { Service: service },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      });
    }
  }
  return policy(statements, 'key-policy');
}
