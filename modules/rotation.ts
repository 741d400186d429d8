import * as path from 'node:path';
import { Construct } from 'constructs';
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { ArnRef, policy, PolicyDocument, renderPolicy, secretsManagerVia, serviceTrustPolicy, Statement, uniq } from './policy';
import { SecretGrant } from './access';

// Node.js 24: supported by Lambda until 2028-04-30 (22 ends 2027-04-30); AWS provider >= 6.20.
export const ROTATION_RUNTIME = 'nodejs24.x';
/** Above this many secrets one function gets one invoke permission for the name prefix. */
export const MAX_PER_SECRET_PERMISSIONS = 40;

export interface RotatedSecret extends SecretGrant {
  /** Terraform-safe id of the secret, for resource names. */
  id: string;
  name: string;
  schedule: { afterDays?: number; expression?: string; window?: string; rotateImmediately: boolean };
}

export interface DatabaseTarget {
  port: number;
  cidrs: string[];
  securityGroupIds: string[];
}

export interface RotationFunctionProps {
  functionName: string;
  accountId: string;
  region: string;
  /** The esbuild bundle (absolute path) this function runs. */
  bundleFile: string;
  /** Where the stack's Terraform runs, to reference the bundle by relative path. */
  stackDir: string;
  environment: Record<string, string>;
  secrets: RotatedSecret[];
  /** Admin/master secrets the function reads but never writes. */
  adminSecrets: SecretGrant[];
  /** Name prefix of this environment's secrets (for the bulk invoke permission). */
  namePrefix: string;
  logRetentionDays: number;
  logKey: ArnRef;
  vpc?: { vpcId: string; subnetIds: string[]; endpointSecurityGroupId?: string; databases: DatabaseTarget[] };
  tags?: Record<string, string>;
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

/** The rotation function's role name (IAM allows 64 characters). */
export function rotationRoleName(functionName: string): string {
  return `${functionName}-role`.slice(0, 64);
}

/** Tag on every rotated secret naming its rotation function (used by the bulk policy form). */
export const ROTATION_FUNCTION_TAG = 'RotationFunction';

/**
 * Everything the rotation role may do, and nothing more. Up to MAX_PER_SECRET_PERMISSIONS
 * secrets are listed by ARN; beyond that (IAM's 10,240-character limit) the role may act on the
 * environment's secrets that carry its function name in the RotationFunction tag.
 */
export function rotationRolePolicy(
  p: Pick<RotationFunctionProps, 'adminSecrets' | 'region' | 'accountId' | 'namePrefix' | 'functionName'> & { secrets: SecretGrant[] },
  logGroupArn: string,
  inVpc: boolean,
  estimate = false,
): PolicyDocument {
  const arn = (r: ArnRef) => (estimate ? r.estimatedArn : r.arn);
  const bulk = p.secrets.length > MAX_PER_SECRET_PERMISSIONS;
  // Writes need GenerateDataKey on the rotated secrets' keys; admin secrets are only read. The
  // function calls Secrets Manager in its own region only (the service writes the replicas).
  const writeKeys = uniq(p.secrets.filter((g) => g.key).map((g) => arn(g.key!)));
  const readKeys = uniq(p.adminSecrets.filter((g) => g.key).map((g) => arn(g.key!))).filter((k) => !writeKeys.includes(k));
  const via = { StringEquals: { 'kms:ViaService': [secretsManagerVia(p.region)] } };
  const statements: Statement[] = [
    {
      Sid: 'RotateTheseSecrets',
      Effect: 'Allow',
      Action: [...ROTATION_SECRET_ACTIONS],
      ...(bulk
        ? {
            Resource: `arn:aws:secretsmanager:${p.region}:${p.accountId}:secret:${p.namePrefix}/*`,
            Condition: { StringEquals: { [`secretsmanager:ResourceTag/${ROTATION_FUNCTION_TAG}`]: p.functionName } },
          }
        : { Resource: p.secrets.map((s) => arn(s.secret)) }),
    },
    // No GetRandomPassword (it only accepts Resource "*"): the handlers generate values with Node's CSPRNG.
    { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroupArn}:*` },
  ];
  if (p.adminSecrets.length > 0) {
    statements.push({
      Sid: 'ReadAdminSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: uniq(p.adminSecrets.map((s) => arn(s.secret))),
    });
  }
  if (writeKeys.length > 0) {
    statements.push({ Sid: 'KeysThroughSecretsManager', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: writeKeys, Condition: via });
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
  return serviceTrustPolicy('LambdaOfThisAccount', 'lambda.amazonaws.com', accountId);
}

/**
 * A rotation function for one (handler, strategy): bundle zipped by the archive provider, its
 * role, log group, security group, invoke permission scoped to its secrets and account, and
 * the rotation schedule of every secret it rotates.
 */
export class RotationFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly securityGroup?: SecurityGroup;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    const rel = (abs: string) => path.relative(props.stackDir, abs).split(path.sep).join('/');
    const zip = new DataArchiveFile(this, 'zip', {
      type: 'zip',
      sourceFile: `\${path.module}/${rel(props.bundleFile)}`,
      outputPath: `\${path.module}/lambda-zips/${props.functionName}.zip`,
      outputFileMode: '0644',
    });
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKey.arn,
      tags: props.tags,
    });
    this.role = new IamRole(this, 'role', {
      name: rotationRoleName(props.functionName),
      description: `Rotation function ${props.functionName}`,
      assumeRolePolicy: renderPolicy(lambdaTrustPolicy(props.accountId)),
      tags: props.tags,
    });
    const rolePolicy = new IamRolePolicy(this, 'role-policy', {
      name: 'rotate-secrets',
      role: this.role.name,
      policy: renderPolicy(rotationRolePolicy(props, logGroup.arn, !!props.vpc)),
    });

    if (props.vpc) {
      this.securityGroup = new SecurityGroup(this, 'sg', {
        name: `${props.functionName}-sg`,
        description: `Rotation function ${props.functionName}: reaches only its databases and the Secrets Manager endpoint`,
        vpcId: props.vpc.vpcId,
        revokeRulesOnDelete: true,
        tags: props.tags,
      });
      props.vpc.databases.forEach((db, i) => {
        db.cidrs.forEach((cidr, j) =>
          new VpcSecurityGroupEgressRule(this, `db-${i}-cidr-${j}`, {
            securityGroupId: this.securityGroup!.id,
            description: `Database on ${cidr}:${db.port}`,
            ipProtocol: 'tcp',
            fromPort: db.port,
            toPort: db.port,
            cidrIpv4: cidr,
          }),
        );
        db.securityGroupIds.forEach((sg, j) =>
          new VpcSecurityGroupEgressRule(this, `db-${i}-sg-${j}`, {
            securityGroupId: this.securityGroup!.id,
            description: `Database security group ${sg} on ${db.port}`,
            ipProtocol: 'tcp',
            fromPort: db.port,
            toPort: db.port,
            referencedSecurityGroupId: sg,
          }),
        );
      });
      if (props.vpc.endpointSecurityGroupId) {
        new VpcSecurityGroupEgressRule(this, 'endpoint', {
          securityGroupId: this.securityGroup.id,
          description: 'Secrets Manager VPC endpoint (HTTPS)',
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          referencedSecurityGroupId: props.vpc.endpointSecurityGroupId,
        });
      }
    }

    this.fn = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: `Secrets Manager rotation (${props.environment.ROTATION_STRATEGY ?? 'generated values'})`,
      role: this.role.arn,
      runtime: ROTATION_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: zip.outputPath,
      sourceCodeHash: zip.outputBase64Sha256,
      timeout: 60,
      memorySize: 256,
      environment: Object.keys(props.environment).length > 0 ? { variables: props.environment } : undefined,
      loggingConfig: { logGroup: logGroup.name, logFormat: 'JSON' },
      vpcConfig: props.vpc ? { subnetIds: props.vpc.subnetIds, securityGroupIds: [this.securityGroup!.id] } : undefined,
      dependsOn: [logGroup, rolePolicy],
      tags: props.tags,
    });

    const bulk = props.secrets.length > MAX_PER_SECRET_PERMISSIONS;
    const permissions = bulk
      ? [
          new LambdaPermission(this, 'invoke', {
            statementId: 'SecretsManagerRotation',
            action: 'lambda:InvokeFunction',
            functionName: this.fn.functionName,
            principal: 'secretsmanager.amazonaws.com',
            sourceAccount: props.accountId,
            sourceArn: `arn:aws:secretsmanager:${props.region}:${props.accountId}:secret:${props.namePrefix}/*`,
          }),
        ]
      : props.secrets.map(
          (s) =>
            new LambdaPermission(this, `invoke-${s.id}`, {
              statementId: `SecretsManager-${s.id}`.slice(0, 100),
              action: 'lambda:InvokeFunction',
              functionName: this.fn.functionName,
              principal: 'secretsmanager.amazonaws.com',
              sourceAccount: props.accountId,
              sourceArn: s.secret.arn,
            }),
        );

    for (const s of props.secrets) {
      new SecretsmanagerSecretRotation(this, `rotation-${s.id}`, {
        secretId: s.secret.arn,
        rotationLambdaArn: this.fn.arn,
        rotateImmediately: s.schedule.rotateImmediately,
        rotationRules: {
          automaticallyAfterDays: s.schedule.afterDays,
          scheduleExpression: s.schedule.expression,
          duration: s.schedule.window,
        },
        dependsOn: permissions,
      });
    }
  }
}
