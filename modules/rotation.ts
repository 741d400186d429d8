import * as path from 'node:path';
import { Construct } from 'constructs';
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file';
import type { SignedCode, UnsignedZip } from './code-signing';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { ArnResolver } from './arn-resolver';
import type { PolicyDocument } from '../plan/policy';

// The policies are built by plan/policies/rotation.ts (pure, no cdktf); this construct renders them.

// Node.js 24: supported by Lambda until 2028-04-30 (22 ends 2027-04-30); AWS provider >= 6.20.
const ROTATION_RUNTIME = 'nodejs24.x';

/** A secret the function rotates, with its schedule. */
export interface RotatedSecret {
  /** Terraform-safe id of the secret, for resource names. */
  readonly id: string;
  /** The secret's ARN (an estimated ARN that `arns` resolves, or a Terraform reference). */
  readonly arn: string;
  /** `rotation_rules`: exactly one of `afterDays` and `expression`; `window` is the duration. */
  readonly schedule: {
    readonly afterDays?: number;
    readonly expression?: string;
    readonly window?: string;
    readonly rotateImmediately: boolean;
  };
}

/** A database the function must reach: its port and where it is. */
export interface DatabaseTarget {
  readonly port: number;
  readonly cidrs: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface RotationFunctionProps {
  /** The Lambda function's name (64 characters at most). */
  readonly functionName: string;
  /** The function's description. */
  readonly description: string;
  /** The execution role's name (64 characters at most). */
  readonly roleName: string;
  readonly accountId: string;
  readonly region: string;
  /** The esbuild bundle (absolute path) this function runs. */
  readonly bundleFile: string;
  /** Where the stack's Terraform runs, to reference the bundle by relative path. */
  readonly stackDir: string;
  /** The function's environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** The secrets the function rotates. */
  readonly secrets: readonly RotatedSecret[];
  /** The role's trust policy. */
  readonly trustPolicy: PolicyDocument;
  /** The role's inline policy, with estimated ARNs that `arns` resolves (the log group's included). */
  readonly rolePolicy: PolicyDocument;
  /** The log group's name, `/aws/lambda/<function name>`. */
  readonly logGroupName: string;
  /**
   * The log group ARN the role policy was computed with; bound to the log group's reference.
   * @default - not bound
   */
  readonly estimatedLogGroupArn?: string;
  readonly logRetentionDays: number;
  /** The key of the log group (an estimated ARN that `arns` resolves, or a reference). */
  readonly logKeyArn: string;
  /**
   * One invoke permission for every secret under this ARN pattern instead of one per secret
   * (above `MAX_PER_SECRET_PERMISSIONS` secrets).
   * @default - one permission per secret
   */
  readonly bulkInvokeSourceArn?: string;
  /**
   * Run in a VPC: subnets, the function's security group and the databases it reaches.
   * @default - no VPC
   */
  readonly vpc?: {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    readonly securityGroupName: string;
    readonly endpointSecurityGroupId?: string;
    readonly databases: readonly DatabaseTarget[];
  };
  /**
   * Deploy from signed code (modules/code-signing.ts): uploads and signs the zip, returns its S3 location.
   * @default - the zip is deployed directly, unsigned
   */
  readonly signedCode?: (name: string, zip: UnsignedZip) => SignedCode;
  /**
   * The permissions boundary of the function's role (the workload boundary the bootstrap creates).
   * @default - no boundary
   */
  readonly permissionsBoundary?: string;
  /**
   * The IAM path of the role(s): the workload path, which the deploy role's IAM permissions are scoped to.
   * @default '/'
   */
  readonly rolePath?: string;
  /**
   * Resolves estimated ARNs to Terraform references.
   * @default - documents and ARNs are used as given
   */
  readonly arns?: ArnResolver;
  /**
   * Tags of the function, role, log group and security group.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
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
    const arns = props.arns ?? new ArnResolver();
    const tags = props.tags ? { ...props.tags } : undefined;
    const rel = (abs: string) => path.relative(props.stackDir, abs).split(path.sep).join('/');
    const zip = new DataArchiveFile(this, 'zip', {
      type: 'zip',
      sourceFile: `\${path.module}/${rel(props.bundleFile)}`,
      outputPath: `\${path.module}/lambda-zips/${props.functionName}.zip`,
      outputFileMode: '0644',
    });
    const signed = props.signedCode?.(props.functionName, { path: zip.outputPath, base64Sha256: zip.outputBase64Sha256 });
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: arns.resolve(props.logKeyArn),
      tags,
    });
    if (props.estimatedLogGroupArn) arns.bind(props.estimatedLogGroupArn, logGroup.arn);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `Rotation function ${props.functionName}`,
      assumeRolePolicy: arns.render(props.trustPolicy),
      permissionsBoundary: props.permissionsBoundary,
      path: props.rolePath,
      tags,
    });
    const rolePolicy = new IamRolePolicy(this, 'role-policy', {
      name: 'rotate-secrets',
      role: this.role.name,
      policy: arns.render(props.rolePolicy),
    });

    if (props.vpc) {
      const vpc = props.vpc;
      this.securityGroup = new SecurityGroup(this, 'sg', {
        name: vpc.securityGroupName,
        description: `Rotation function ${props.functionName}: reaches only its databases and the Secrets Manager endpoint`,
        vpcId: vpc.vpcId,
        revokeRulesOnDelete: true,
        tags,
      });
      vpc.databases.forEach((db, i) => {
        for (const [j, cidr] of db.cidrs.entries()) {
          new VpcSecurityGroupEgressRule(this, `db-${i}-cidr-${j}`, {
            securityGroupId: this.securityGroup!.id,
            description: `Database on ${cidr}:${db.port}`,
            ipProtocol: 'tcp',
            fromPort: db.port,
            toPort: db.port,
            cidrIpv4: cidr,
          });
        }
        for (const [j, sg] of db.securityGroupIds.entries()) {
          new VpcSecurityGroupEgressRule(this, `db-${i}-sg-${j}`, {
            securityGroupId: this.securityGroup!.id,
            description: `Database security group ${sg} on ${db.port}`,
            ipProtocol: 'tcp',
            fromPort: db.port,
            toPort: db.port,
            referencedSecurityGroupId: sg,
          });
        }
      });
      if (vpc.endpointSecurityGroupId) {
        new VpcSecurityGroupEgressRule(this, 'endpoint', {
          securityGroupId: this.securityGroup.id,
          description: 'Secrets Manager VPC endpoint (HTTPS)',
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          referencedSecurityGroupId: vpc.endpointSecurityGroupId,
        });
      }
    }

    this.fn = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: ROTATION_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      ...(signed
        ? { s3Bucket: signed.s3Bucket, s3Key: signed.s3Key, codeSigningConfigArn: signed.codeSigningConfigArn }
        : { filename: zip.outputPath }),
      sourceCodeHash: zip.outputBase64Sha256,
      timeout: 60,
      memorySize: 256,
      environment: Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      loggingConfig: { logGroup: logGroup.name, logFormat: 'JSON' },
      vpcConfig: props.vpc ? { subnetIds: [...props.vpc.subnetIds], securityGroupIds: [this.securityGroup!.id] } : undefined,
      dependsOn: [logGroup, rolePolicy],
      tags,
    });

    const permissions = props.bulkInvokeSourceArn
      ? [
          new LambdaPermission(this, 'invoke', {
            statementId: 'SecretsManagerRotation',
            action: 'lambda:InvokeFunction',
            functionName: this.fn.functionName,
            principal: 'secretsmanager.amazonaws.com',
            sourceAccount: props.accountId,
            sourceArn: props.bulkInvokeSourceArn,
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
              sourceArn: arns.resolve(s.arn),
            }),
        );

    for (const s of props.secrets) {
      new SecretsmanagerSecretRotation(this, `rotation-${s.id}`, {
        secretId: arns.resolve(s.arn),
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
