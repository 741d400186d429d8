import { Construct } from 'constructs';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { policy, PolicyDocument, POLICY_LIMITS, policySize, renderPolicy, Statement } from '../plan/policy';

/**
 * CI access for one account: GitHub's OIDC provider, a plan role for pull requests (state read
 * only) and a deploy role for the protected environments on main (what the environment stack's
 * resource types need, scoped by name prefix or tag where AWS allows, under a boundary).
 *
 * Trust relies on the repository's OIDC subject template being `repo`, `context`, `ref`
 * (README "First deployment"), which puts the ref into every subject:
 *   pull request:  repo:<owner>/<repo>:pull_request:ref:refs/pull/<n>/merge
 *   environment:   repo:<owner>/<repo>:environment:<name>:ref:refs/heads/main
 * With GitHub's default template an environment job's subject names no ref, so "main only"
 * would rest on the environment's branch rule alone.
 */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const OIDC_SUB_CLAIM_KEYS = ['repo', 'context', 'ref'] as const;

export const pullRequestSubject = (repo: string) => `repo:${repo}:pull_request:ref:refs/pull/*/merge`;
export const environmentSubject = (repo: string, environment: string) => `repo:${repo}:environment:${environment}:ref:refs/heads/main`;

export function webIdentityTrust(providerArn: string, subjects: string[], match: 'StringEquals' | 'StringLike'): PolicyDocument {
  return policy([
    {
      Sid: 'GitHubActionsOidc',
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
        [match]: { ...(match === 'StringEquals' ? { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' } : {}), [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects },
      },
    },
  ]);
}

/** What the roles may touch in one account. */
export interface CiScope {
  accountId: string;
  /** Regions the environment uses (primary first, then replica regions). */
  regions: string[];
  /** Name prefix of everything the environment stack names (`prod`, `staging`, `dev`). */
  prefix: string;
  /** Project tag value every resource carries through the provider's default_tags. */
  project: string;
  state: { bucket: string; keyPrefix: string; lockTable: string; keyAlias: string; region: string };
}

const arn = (s: CiScope, service: string, resource: string, region = '*') => `arn:aws:${service}:${region}:${s.accountId}:${resource}`;
const tagged = (s: CiScope): Statement['Condition'] => ({ StringEquals: { 'aws:ResourceTag/Project': s.project } });
const tagging = (s: CiScope): Statement['Condition'] => ({ StringEquals: { 'aws:RequestTag/Project': s.project } });

/** Reading Terraform state (no lock: plans run with -lock=false; the S3 backend reads the DynamoDB digest). */
export function stateRead(s: CiScope): Statement[] {
  const bucket = `arn:aws:s3:::${s.state.bucket}`;
  return [
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': [`${s.state.keyPrefix}*`] } } },
    { Sid: 'StateRead', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/${s.state.keyPrefix}*` },
    { Sid: 'StateDigestRead', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:${s.state.region}:${s.accountId}:table/${s.state.lockTable}` },
    {
      Sid: 'StateKeyDecrypt',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:${s.state.region}:${s.accountId}:key/*`,
      Condition: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': s.state.keyAlias },
        StringEquals: { 'kms:ViaService': [`s3.${s.state.region}.amazonaws.com`, `dynamodb.${s.state.region}.amazonaws.com`] },
      },
    },
  ];
}

/** State read and write with locking (S3 lock file and the DynamoDB lock table). */
export function stateWrite(s: CiScope): Statement[] {
  const bucket = `arn:aws:s3:::${s.state.bucket}`;
  return [
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': [`${s.state.keyPrefix}*`] } } },
    { Sid: 'StateReadWrite', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${bucket}/${s.state.keyPrefix}*` },
    {
      Sid: 'StateLock',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'],
      Resource: `arn:aws:dynamodb:${s.state.region}:${s.accountId}:table/${s.state.lockTable}`,
    },
    {
      Sid: 'StateKeyUse',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: `arn:aws:kms:${s.state.region}:${s.accountId}:key/*`,
      Condition: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': s.state.keyAlias },
        StringEquals: { 'kms:ViaService': [`s3.${s.state.region}.amazonaws.com`, `dynamodb.${s.state.region}.amazonaws.com`] },
      },
    },
  ];
}

/**
 * The plan role: state read, nothing else. Explicit denies keep it from secret values and from
 * any other role even if someone later attaches a broad read-only policy to it.
 */
export function planRolePolicy(s: CiScope): PolicyDocument {
  return policy([
    ...stateRead(s),
    {
      Sid: 'NeverSecretValues',
      Effect: 'Deny',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'ssm:GetParameter*', 'lambda:InvokeFunction', 'sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
      Resource: '*',
    },
    {
      Sid: 'DecryptOnlyState',
      Effect: 'Deny',
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { 'ForAllValues:StringNotEquals': { 'kms:ResourceAliases': s.state.keyAlias } },
    },
  ]);
}

/**
 * Deploy permissions per Terraform resource type, each what the AWS provider calls to create,
 * read, update and delete that type (its CRUD and its refresh), on names starting with the
 * environment's prefix, or on resources carrying our Project tag where names are not ours to
 * choose (keys, security groups, endpoints). Resource "*" only where AWS offers no resource
 * level (creating unnamed things, Describe and List calls), noted per statement.
 */
export const DEPLOY_PERMISSIONS: Record<string, (s: CiScope) => Statement[]> = {
  aws_secretsmanager_secret: (s) => [
    {
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecret',
        'secretsmanager:TagResource', 'secretsmanager:UntagResource', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ReplicateSecretToRegions',
        'secretsmanager:RemoveRegionsFromReplication', 'secretsmanager:RestoreSecret', 'secretsmanager:StopReplicationToReplica',
      ],
      Resource: arn(s, 'secretsmanager', `secret:${s.prefix}/*`),
    },
  ],
  aws_secretsmanager_secret_policy: (s) => [
    {
      Sid: 'SecretPolicies',
      Effect: 'Allow',
      Action: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ValidateResourcePolicy'],
      Resource: arn(s, 'secretsmanager', `secret:${s.prefix}/*`),
    },
  ],
  // Refreshing a version reads its value (GetSecretValue): the deploy role can read what it wrote.
  aws_secretsmanager_secret_version: (s) => [
    {
      Sid: 'SecretVersions',
      Effect: 'Allow',
      Action: ['secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:DescribeSecret'],
      Resource: arn(s, 'secretsmanager', `secret:${s.prefix}/*`),
    },
    // GetRandomPassword (the ephemeral aws_secretsmanager_random_password) has no resource.
    { Sid: 'RandomPassword', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
  ],
  aws_secretsmanager_secret_rotation: (s) => [
    {
      Sid: 'SecretRotation',
      Effect: 'Allow',
      Action: ['secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret', 'secretsmanager:DescribeSecret'],
      Resource: arn(s, 'secretsmanager', `secret:${s.prefix}/*`),
    },
    { Sid: 'RotationInvoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn(s, 'lambda', `function:${s.prefix}-secrets-rotation-*`) },
  ],
  aws_kms_key: (s) => [
    // CreateKey has no resource; the request must carry our Project tag (default_tags).
    { Sid: 'KeyCreate', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: tagging(s) },
    {
      Sid: 'KeyManage',
      Effect: 'Allow',
      Action: [
        'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation',
        'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
        'kms:EnableKey',
      ],
      Resource: arn(s, 'kms', 'key/*'),
      Condition: tagged(s),
    },
  ],
  aws_kms_replica_key: (s) => [
    { Sid: 'KeyReplicate', Effect: 'Allow', Action: 'kms:ReplicateKey', Resource: arn(s, 'kms', 'key/*'), Condition: tagged(s) },
    // The replica is created by kms:CreateKey in its region (no resource), with our tag.
    { Sid: 'KeyCreate', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: tagging(s) },
  ],
  aws_kms_alias: (s) => [
    {
      Sid: 'KeyAliases',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'],
      Resource: [arn(s, 'kms', `alias/secrets-platform/${s.prefix}/*`), arn(s, 'kms', 'key/*')],
    },
    // ListAliases has no resource.
    { Sid: 'KeyAliasList', Effect: 'Allow', Action: 'kms:ListAliases', Resource: '*' },
  ],
  aws_iam_role: (s) => [
    {
      Sid: 'Roles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole',
        'iam:UntagRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole',
      ],
      Resource: `arn:aws:iam::${s.accountId}:role/${s.prefix}-*`,
    },
    {
      Sid: 'PassRotationRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${s.accountId}:role/${s.prefix}-secrets-rotation-*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    },
  ],
  aws_iam_role_policy: (s) => [
    {
      Sid: 'RoleInlinePolicies',
      Effect: 'Allow',
      Action: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
      Resource: `arn:aws:iam::${s.accountId}:role/${s.prefix}-*`,
    },
  ],
  aws_lambda_function: (s) => [
    {
      Sid: 'Functions',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration', 'lambda:ListVersionsByFunction', 'lambda:GetFunctionCodeSigningConfig',
        'lambda:DeleteFunctionCodeSigningConfig', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'lambda:GetFunctionConcurrency',
        'lambda:GetRuntimeManagementConfig',
      ],
      Resource: arn(s, 'lambda', `function:${s.prefix}-secrets-rotation-*`),
    },
    {
      Sid: 'FunctionCodeSigning',
      Effect: 'Allow',
      Action: 'lambda:PutFunctionCodeSigningConfig',
      Resource: [arn(s, 'lambda', `function:${s.prefix}-secrets-rotation-*`), arn(s, 'lambda', 'code-signing-config:*')],
    },
    // Lambda checks the caller can see the VPC, subnets and security groups it attaches.
    { Sid: 'FunctionNetworkLookups', Effect: 'Allow', Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'], Resource: '*' },
  ],
  aws_lambda_permission: (s) => [
    { Sid: 'FunctionPermissions', Effect: 'Allow', Action: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'], Resource: arn(s, 'lambda', `function:${s.prefix}-secrets-rotation-*`) },
  ],
  aws_cloudwatch_log_group: (s) => [
    {
      Sid: 'LogGroups',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey',
        'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource', 'logs:TagLogGroup', 'logs:ListTagsLogGroup',
      ],
      // Rotation functions' groups, and the ECS services' groups their execution roles write to.
      Resource: [
        arn(s, 'logs', `log-group:/aws/lambda/${s.prefix}-secrets-*`),
        arn(s, 'logs', `log-group:/aws/lambda/${s.prefix}-secrets-*:*`),
        arn(s, 'logs', `log-group:/ecs/${s.prefix}-*`),
        arn(s, 'logs', `log-group:/ecs/${s.prefix}-*:*`),
      ],
    },
    // DescribeLogGroups has no resource-level permission.
    { Sid: 'LogGroupList', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
  ],
  aws_cloudwatch_metric_alarm: (s) => [
    {
      Sid: 'Alarms',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
      Resource: arn(s, 'cloudwatch', `alarm:${s.prefix}-secrets-*`),
    },
  ],
  aws_cloudwatch_event_rule: (s) => [
    {
      Sid: 'EventRules',
      Effect: 'Allow',
      Action: ['events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:EnableRule', 'events:DisableRule', 'events:TagResource', 'events:UntagResource', 'events:ListTagsForResource'],
      Resource: arn(s, 'events', `rule/${s.prefix}-secrets-*`),
    },
  ],
  aws_cloudwatch_event_target: (s) => [
    { Sid: 'EventTargets', Effect: 'Allow', Action: ['events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule'], Resource: arn(s, 'events', `rule/${s.prefix}-secrets-*`) },
    // Rules in replica Regions forward to the primary bus with this role.
    {
      Sid: 'PassEventForwardingRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${s.accountId}:role/${s.prefix}-secrets-events-forward`,
      Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
    },
  ],
  aws_sns_topic: (s) => [
    {
      Sid: 'Topics',
      Effect: 'Allow',
      Action: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource', 'sns:ListTagsForResource'],
      Resource: arn(s, 'sns', `${s.prefix}-secrets-*`),
    },
  ],
  aws_sns_topic_policy: (s) => [
    { Sid: 'TopicPolicies', Effect: 'Allow', Action: ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'], Resource: arn(s, 'sns', `${s.prefix}-secrets-*`) },
  ],
  aws_sns_topic_subscription: (s) => [
    {
      Sid: 'TopicSubscriptions',
      Effect: 'Allow',
      Action: 'sns:Subscribe',
      Resource: arn(s, 'sns', `${s.prefix}-secrets-*`),
    },
    // Subscription calls have no resource-level permission.
    { Sid: 'TopicSubscriptionAttributes', Effect: 'Allow', Action: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'], Resource: '*' },
  ],
  aws_security_group: (s) => [
    // A new group names its VPC too; the request must carry our Project tag.
    { Sid: 'SecurityGroupCreate', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: [arn(s, 'ec2', 'vpc/*'), arn(s, 'ec2', 'security-group/*')], Condition: tagging(s) },
    {
      Sid: 'SecurityGroupTagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: arn(s, 'ec2', 'security-group/*'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    },
    {
      Sid: 'SecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:DeleteSecurityGroup', 'ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: arn(s, 'ec2', 'security-group/*'),
      Condition: tagged(s),
    },
    // Describe calls have no resource-level permission.
    { Sid: 'SecurityGroupLookups', Effect: 'Allow', Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags'], Resource: '*' },
  ],
  // Code signing (modules/code-signing.ts): the artifacts bucket, its objects, Signer, Lambda's config.
  aws_s3_bucket: (s) => artifactsBucket(s),
  aws_s3_bucket_lifecycle_configuration: (s) => artifactsBucket(s),
  aws_s3_bucket_ownership_controls: (s) => artifactsBucket(s),
  aws_s3_bucket_policy: (s) => artifactsBucket(s),
  aws_s3_bucket_public_access_block: (s) => artifactsBucket(s),
  aws_s3_bucket_server_side_encryption_configuration: (s) => artifactsBucket(s),
  aws_s3_bucket_versioning: (s) => artifactsBucket(s),
  aws_s3_object: (s) => [
    {
      Sid: 'Artifacts',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObjectTagging', 's3:PutObjectTagging'],
      Resource: `arn:aws:s3:::${artifactsBucketName(s)}/*`,
    },
    {
      Sid: 'ArtifactsKeyUse',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: arn(s, 'kms', 'key/*'),
      Condition: { StringEquals: { 'aws:ResourceTag/Project': s.project, 'kms:ViaService': s.regions.map((r) => `s3.${r}.amazonaws.com`) } },
    },
  ],
  aws_signer_signing_profile: (s) => [
    {
      Sid: 'SigningProfiles',
      Effect: 'Allow',
      Action: ['signer:GetSigningProfile', 'signer:CancelSigningProfile', 'signer:TagResource', 'signer:UntagResource', 'signer:ListTagsForResource'],
      Resource: arn(s, 'signer', `/signing-profiles/${s.project.replace(/-/g, '_')}_${s.prefix}_*`),
    },
    // PutSigningProfile has no resource-level permission; the request must carry our tag.
    { Sid: 'SigningProfileCreate', Effect: 'Allow', Action: 'signer:PutSigningProfile', Resource: '*', Condition: tagging(s) },
  ],
  aws_signer_signing_job: (s) => [
    { Sid: 'SigningJobStart', Effect: 'Allow', Action: ['signer:StartSigningJob', 'signer:GetSigningProfile'], Resource: arn(s, 'signer', `/signing-profiles/${s.project.replace(/-/g, '_')}_${s.prefix}_*`) },
    { Sid: 'SigningJobs', Effect: 'Allow', Action: 'signer:DescribeSigningJob', Resource: arn(s, 'signer', '/signing-jobs/*') },
  ],
  aws_lambda_code_signing_config: (s) => [
    {
      Sid: 'CodeSigningConfigs',
      Effect: 'Allow',
      Action: ['lambda:GetCodeSigningConfig', 'lambda:UpdateCodeSigningConfig', 'lambda:DeleteCodeSigningConfig', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags'],
      Resource: arn(s, 'lambda', 'code-signing-config:*'),
    },
    // CreateCodeSigningConfig has no resource-level permission.
    { Sid: 'CodeSigningConfigCreate', Effect: 'Allow', Action: 'lambda:CreateCodeSigningConfig', Resource: '*' },
  ],
  aws_vpc_security_group_ingress_rule: (s) => securityGroupRules(s, 'Ingress'),
  aws_vpc_security_group_egress_rule: (s) => securityGroupRules(s, 'Egress'),
  aws_vpc_endpoint: (s) => [
    {
      Sid: 'EndpointCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateVpcEndpoint',
      Resource: [arn(s, 'ec2', 'vpc/*'), arn(s, 'ec2', 'subnet/*'), arn(s, 'ec2', 'security-group/*'), arn(s, 'ec2', 'vpc-endpoint/*')],
      Condition: tagging(s),
    },
    {
      Sid: 'EndpointTagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: arn(s, 'ec2', 'vpc-endpoint/*'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateVpcEndpoint' } },
    },
    { Sid: 'Endpoints', Effect: 'Allow', Action: ['ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:CreateTags', 'ec2:DeleteTags'], Resource: arn(s, 'ec2', 'vpc-endpoint/*'), Condition: tagged(s) },
    { Sid: 'EndpointLookups', Effect: 'Allow', Action: ['ec2:DescribeVpcEndpoints', 'ec2:DescribePrefixLists', 'ec2:DescribeVpcEndpointServices'], Resource: '*' },
  ],
};

export const artifactsBucketName = (s: CiScope) => `${s.project}-artifacts-${s.accountId}-*`;

function artifactsBucket(s: CiScope): Statement[] {
  return [
    {
      Sid: 'ArtifactsBucket',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetBucket*', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy',
        's3:PutBucketPublicAccessBlock', 's3:PutBucketVersioning', 's3:PutBucketOwnershipControls', 's3:PutBucketTagging',
        's3:GetAccelerateConfiguration', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration', 's3:GetReplicationConfiguration',
        's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration',
      ],
      Resource: `arn:aws:s3:::${artifactsBucketName(s)}`,
    },
  ];
}

function securityGroupRules(s: CiScope, direction: 'Ingress' | 'Egress'): Statement[] {
  return [
    {
      Sid: `SecurityGroup${direction}Rules`,
      Effect: 'Allow',
      Action: [`ec2:AuthorizeSecurityGroup${direction}`, `ec2:RevokeSecurityGroup${direction}`, `ec2:UpdateSecurityGroupRuleDescriptions${direction}`],
      Resource: arn(s, 'ec2', 'security-group/*'),
      Condition: tagged(s),
    },
    // Rules carry the Project tag too (default_tags, set when the rule is authorized).
    { Sid: 'SecurityGroupRuleChanges', Effect: 'Allow', Action: 'ec2:ModifySecurityGroupRules', Resource: [arn(s, 'ec2', 'security-group/*'), arn(s, 'ec2', 'security-group-rule/*')], Condition: tagged(s) },
    { Sid: `SecurityGroup${direction}RuleTags`, Effect: 'Allow', Action: ['ec2:CreateTags', 'ec2:DeleteTags'], Resource: arn(s, 'ec2', 'security-group-rule/*') },
    { Sid: `SecurityGroup${direction}RuleLookups`, Effect: 'Allow', Action: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'], Resource: '*' },
  ];
}

/**
 * The deploy role's statements for a set of resource types (those the environment stack
 * declares), merged by Sid and split into managed policies within AWS's 6,144-character limit.
 * A type without an entry is an error: a new resource type needs its permissions written down.
 */
export function deployPolicies(s: CiScope, resourceTypes: Iterable<string>): PolicyDocument[] {
  const bySid = new Map<string, Statement>();
  const types = [...new Set(resourceTypes)].sort();
  const unknown = types.filter((t) => !DEPLOY_PERMISSIONS[t]);
  if (unknown.length > 0) {
    throw new Error(`ci-access: no deploy permissions are written down for ${unknown.join(', ')}: add them to DEPLOY_PERMISSIONS in modules/ci-access.ts (actions the AWS provider calls for the type, scoped by name prefix or tag)`);
  }
  for (const st of [...stateWrite(s), ...types.flatMap((t) => DEPLOY_PERMISSIONS[t](s))]) {
    const old = bySid.get(st.Sid!);
    if (!old) {
      bySid.set(st.Sid!, { ...st, Action: [...new Set([st.Action].flat())].sort() });
      continue;
    }
    if (JSON.stringify([old.Resource, old.Condition]) !== JSON.stringify([st.Resource, st.Condition])) throw new Error(`ci-access: statement ${st.Sid} defined twice with different scope`);
    bySid.set(st.Sid!, { ...old, Action: [...new Set([old.Action, st.Action].flat())].sort() });
  }
  // First fit: each statement goes into the first policy it fits in (fewer attachments). A
  // document's size is its empty size plus each statement's JSON and a comma between them, so
  // each statement is measured once, not every group re-rendered on every try.
  const empty = policySize(policy([]));
  const groups: { statements: Statement[]; size: number }[] = [];
  for (const st of bySid.values()) {
    const size = Buffer.byteLength(JSON.stringify(st), 'utf8');
    const fits = groups.find((g) => g.size + 1 + size <= POLICY_LIMITS.iamManagedPolicy);
    if (fits) {
      fits.statements.push(st);
      fits.size += 1 + size;
    } else groups.push({ statements: [st], size: empty + size });
  }
  return groups.map((g) => {
    const doc = policy(g.statements);
    if (policySize(doc) !== g.size) throw new Error(`ci-access: deploy policy measured ${g.size} characters but renders ${policySize(doc)}`);
    return doc;
  });
}

/** Actions the deploy policies allow on Resource "*" (AWS offers no resource level for them). */
export function unscopedActions(docs: PolicyDocument[]): string[] {
  return [...new Set(docs.flatMap((d) => d.Statement).filter((st) => st.Effect === 'Allow' && st.Resource === '*').flatMap((st) => [st.Action].flat()))].sort();
}

/**
 * The deploy role's permissions boundary: the services the stacks use, and never IAM users,
 * access keys, other accounts' roles, or changes to the CI roles, their policies or this
 * boundary. Whatever is attached to the deploy role later, it cannot exceed this.
 */
export function deployBoundary(s: CiScope, ciRoleNames: string[], boundaryName: string, unscopedActions: string[]): PolicyDocument {
  const services = ['secretsmanager', 'kms', 'lambda', 'logs', 'cloudwatch', 'events', 'sns', 'ec2', 'dynamodb', 'signer'];
  return policy([
    {
      Sid: 'ServicesTheStacksUseInThisAccount',
      Effect: 'Allow',
      Action: [...services, 's3'].map((x) => `${x}:*`),
      Resource: [...services.map((x) => `arn:aws:${x}:*:${s.accountId}:*`), `arn:aws:s3:::${s.project}-*`],
    },
    // Actions without resource-level permissions, as the deploy policies use them.
    ...(unscopedActions.length > 0 ? [{ Sid: 'UnscopedActionsTheStacksNeed', Effect: 'Allow' as const, Action: unscopedActions, Resource: '*' }] : []),
    {
      Sid: 'RolesOfTheEnvironmentOnly',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole*', 'iam:UpdateRole*', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:ListRolePolicies', 'iam:ListRoleTags', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PassRole'],
      Resource: `arn:aws:iam::${s.accountId}:role/${s.prefix}-*`,
    },
    {
      Sid: 'NoUsersOrKeys',
      Effect: 'Deny',
      Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:CreateOpenIDConnectProvider', 'iam:CreateSAMLProvider'],
      Resource: '*',
    },
    {
      Sid: 'CiRolesAreNotOursToChange',
      Effect: 'Deny',
      Action: ['iam:*'],
      Resource: [...ciRoleNames.map((n) => `arn:aws:iam::${s.accountId}:role/${n}`), `arn:aws:iam::${s.accountId}:policy/${boundaryName}`, `arn:aws:iam::${s.accountId}:policy/${ciRoleNames[0]}-*`],
    },
    {
      Sid: 'BoundaryStays',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
    },
  ]);
}

export interface CiAccessProps {
  scope: CiScope;
  /** GitHub repository, `owner/name`. */
  repository: string;
  /** GitHub environments whose jobs may assume the deploy role (e.g. `production`, `production-plan`). */
  deployEnvironments: string[];
  /** Resource types the environment stack declares (deploy permissions are derived from them). */
  resourceTypes: string[];
  planRoleName: string;
  deployRoleName: string;
  /** Create the account's GitHub OIDC provider (one per account; false when another stack owns it). */
  createOidcProvider: boolean;
  tags?: Record<string, string>;
}

export class CiAccess extends Construct {
  readonly oidcProviderArn: string;
  readonly planRole: IamRole;
  readonly deployRole: IamRole;
  readonly boundary: IamPolicy;
  readonly deployPolicies: PolicyDocument[];

  constructor(scope: Construct, id: string, p: CiAccessProps) {
    super(scope, id);
    const s = p.scope;
    if (p.createOidcProvider) {
      const provider = new IamOpenidConnectProvider(this, 'github-oidc', { url: GITHUB_OIDC_URL, clientIdList: ['sts.amazonaws.com'], tags: p.tags });
      this.oidcProviderArn = provider.arn;
    } else {
      this.oidcProviderArn = `arn:aws:iam::${s.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
    }
    this.planRole = new IamRole(this, 'plan-role', {
      name: p.planRoleName,
      description: `Pull-request plans of ${p.repository}: reads Terraform state, nothing else`,
      assumeRolePolicy: renderPolicy(webIdentityTrust(this.oidcProviderArn, [pullRequestSubject(p.repository)], 'StringLike')),
      maxSessionDuration: 3600,
      tags: p.tags,
    });
    new IamRolePolicy(this, 'plan-policy', { role: this.planRole.name, name: 'read-state', policy: renderPolicy(planRolePolicy(s)) });

    const boundaryName = `${p.deployRoleName}-boundary`;
    this.boundary = new IamPolicy(this, 'deploy-boundary', {
      name: boundaryName,
      description: `Permissions boundary of ${p.deployRoleName}`,
      policy: renderPolicy(deployBoundary(s, [p.deployRoleName, p.planRoleName], boundaryName, unscopedActions(deployPolicies(s, p.resourceTypes)))),
      tags: p.tags,
    });
    this.deployRole = new IamRole(this, 'deploy-role', {
      name: p.deployRoleName,
      description: `Deploys of ${p.repository} from main, in GitHub environments ${p.deployEnvironments.join(', ')}`,
      assumeRolePolicy: renderPolicy(webIdentityTrust(this.oidcProviderArn, p.deployEnvironments.map((e) => environmentSubject(p.repository, e)), 'StringEquals')),
      permissionsBoundary: this.boundary.arn,
      maxSessionDuration: 3600,
      tags: p.tags,
    });
    this.deployPolicies = deployPolicies(s, p.resourceTypes);
    this.deployPolicies.forEach((doc, i) => {
      const managed = new IamPolicy(this, `deploy-policy-${i + 1}`, {
        name: `${p.deployRoleName}-${i + 1}`,
        description: `Deploy permissions of ${p.deployRoleName}, part ${i + 1} of ${this.deployPolicies.length}`,
        policy: renderPolicy(doc),
        tags: p.tags,
      });
      new IamRolePolicyAttachment(this, `deploy-attach-${i + 1}`, { role: this.deployRole.name, policyArn: managed.arn });
    });
  }
}
