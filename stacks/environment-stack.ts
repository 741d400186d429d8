import * as path from 'node:path';
import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { EcsServiceAccess } from '../modules/access';
import { CodeSigning } from '../modules/code-signing';
import { EncryptionKey, type EncryptionKeyProps } from '../modules/encryption-key';
import { Monitoring } from '../modules/monitoring';
import { SecretsManagerEndpoint } from '../modules/network';
import { ArnResolver } from '../modules/arn-resolver';
import { RotationFunction } from '../modules/rotation';
import { Secret } from '../modules/secret';
import { configureStack } from './configure-stack';
import type { EnvironmentPlan, KeyPlan } from '../plan/types';
import { bundleFor } from './rotation-wiring';

export interface EnvironmentStackProps {
  /** The environment's plan (plan/plan.ts), already checked by the guardrails. */
  readonly plan: EnvironmentPlan;
  /** cdktf.out directory (for paths Terraform resolves relative to the stack). */
  readonly outdir: string;
}

/**
 * Renders one environment's plan: keys, secrets, readers, ECS access, endpoint, rotation and
 * alerts, one method per concern, in that order. Nothing here derives a fact: names, ARNs,
 * grants and every policy document come from the plan; estimated ARNs in the documents are
 * replaced by the Terraform references of the resources created here (`ArnResolver`).
 */
export class EnvironmentStack extends TerraformStack {
  readonly plan: EnvironmentPlan;
  readonly secrets = new Map<string, Secret>();
  readonly keys = new Map<string, EncryptionKey>();
  private readonly arns = new ArnResolver();
  private readonly stackDir: string;
  private endpoint?: SecretsManagerEndpoint;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    this.plan = props.plan;
    this.stackDir = path.join(props.outdir, 'stacks', id);
    configureStack(this, props.plan.catalog, props.plan.stateKey, 's3', {
      defaultTags: props.plan.defaultTags,
      stateBackend: props.plan.stateBackend,
    });
    new ArchiveProvider(this, 'archive');
    this.renderKeys();
    this.renderSecrets();
    this.renderReaders();
    this.renderEcsServices();
    this.renderEndpoint();
    this.renderRotation();
    this.renderMonitoring();
  }

  /** One customer-managed key per category in use (with replicas), then the monitoring key. */
  private renderKeys(): void {
    const render = (k: KeyPlan) => this.keys.set(k.id, new EncryptionKey(this, k.id, this.keyProps(k)));
    this.plan.keys.forEach(render);
    render(this.plan.monitoringKey);
  }

  /** A planned key as construct props (the secret keys, the monitoring key, the artifacts key). */
  private keyProps(k: KeyPlan): EncryptionKeyProps {
    return {
      alias: k.alias,
      description: k.description,
      region: this.plan.region,
      accountId: this.plan.accountId,
      partition: this.plan.partition,
      deletionWindowDays: k.deletionWindowDays,
      replicaRegions: k.replicaRegions,
      policies: k.policyByRegion,
      estimatedArns: k.arnByRegion,
      arns: this.arns,
      tags: k.tags,
    };
  }

  private renderSecrets(): void {
    for (const s of this.plan.secrets) {
      const secret = new Secret(this, `secret-${s.tfId}`, {
        name: s.name,
        description: s.description,
        kmsKeyArn: s.kmsKeyArn,
        replicas: s.replicas,
        recoveryWindowDays: s.recoveryWindowDays,
        estimatedArn: s.arn,
        resourcePolicy: s.resourcePolicy,
        arns: this.arns,
        tags: s.tags,
      });
      this.secrets.set(s.id, secret);
      new TerraformOutput(this, `secret_${s.tfId}_arn`, { value: secret.secret.arn, description: `ARN of ${s.name}` });
      new TerraformOutput(this, `secret_${s.tfId}_name`, { value: secret.secret.name });
    }
  }

  /**
   * Other accounts get policy documents as outputs. Same-account roles are named in the secret
   * and key policies: this stack never writes into a role it does not own.
   */
  private renderReaders(): void {
    for (const r of this.plan.readers) {
      if (r.consumerPolicies && r.outputName) {
        new TerraformOutput(this, r.outputName, {
          description: `IAM managed policies (one or more, each within the 6,144-character limit) for the reading roles of ${r.name} to attach in their own account`,
          value: r.consumerPolicies.map((d) => this.arns.render(d)),
        });
      }
    }
  }

  private renderEcsServices(): void {
    for (const svc of this.plan.ecsServices) {
      const access = new EcsServiceAccess(this, `ecs-${svc.service}`, {
        trustPolicy: svc.trustPolicy,
        executionRole: svc.executionRole,
        taskRole: svc.taskRole,
        containerSecrets: svc.containerSecrets,
        logGroup: {
          name: svc.logGroupName,
          retentionInDays: this.plan.catalog.logRetentionDays,
          kmsKeyArn: this.plan.monitoringKey.arnByRegion[this.plan.region],
        },
        permissionsBoundary: this.plan.workloadBoundaryArn,
        rolePath: this.plan.workloadRolePath,
        arns: this.arns,
        tags: this.plan.resourceTags,
      });
      new TerraformOutput(this, svc.outputName, {
        description: `Roles and container "secrets" entries for ECS service ${svc.service}`,
        value: {
          ...(access.executionRole ? { executionRoleArn: access.executionRole.arn } : {}),
          ...(access.logGroup ? { logGroup: access.logGroup.name } : {}),
          ...(access.taskRole ? { taskRoleArn: access.taskRole.arn } : {}),
          secrets: access.containerSecrets,
        },
      });
    }
  }

  /** The Secrets Manager endpoint the rotation functions use. */
  private renderEndpoint(): void {
    const e = this.plan.endpoint;
    if (!e) return;
    this.endpoint = new SecretsManagerEndpoint(this, 'secretsmanager-endpoint', {
      vpcId: e.vpcId,
      subnetIds: e.subnetIds,
      region: this.plan.region,
      clientCidrs: e.clientCidrs,
      clientSecurityGroupIds: e.clientSecurityGroupIds,
      create: e.create,
      ...(e.existingSecurityGroupId ? { existingSecurityGroupId: e.existingSecurityGroupId } : {}),
      policy: e.policy,
      tags: this.plan.resourceTags,
    });
  }

  /** One function per handler and strategy, deploying only code our signing profile signed. */
  private renderRotation(): void {
    const byId = new Map(this.plan.secrets.map((s) => [s.id, s]));
    const cs = this.plan.codeSigning;
    // The bootstrap's code-signing config, by the ARN it wrote (a String parameter, not a secret).
    const config = cs ? new DataAwsSsmParameter(this, 'code-signing-config', { name: cs.parameterName }) : undefined;
    const signing = cs
      ? new CodeSigning(this, 'code-signing', {
          bucket: cs.bucket,
          profileName: cs.profileName,
          codeSigningConfigArn: config!.insecureValue,
          noncurrentVersionDays: cs.noncurrentVersionDays,
          bucketPolicy: cs.bucketPolicy,
          key: this.keyProps(cs.key),
          tags: this.plan.resourceTags,
        })
      : undefined;
    // Watched by the key-incident rules like every other key of the stack.
    if (signing && cs) this.keys.set(cs.key.id, signing.key);
    for (const f of this.plan.rotationFunctions) {
      const fn = new RotationFunction(this, `rotation-${f.key}`, {
        functionName: f.functionName,
        description: f.description,
        roleName: f.roleName,
        accountId: this.plan.accountId,
        region: this.plan.region,
        bundleFile: bundleFor(f.handler),
        stackDir: this.stackDir,
        environment: f.environment,
        secrets: f.secretIds.map((id) => {
          const s = byId.get(id)!;
          return { id: s.tfId, arn: s.arn, schedule: s.rotation!.schedule };
        }),
        trustPolicy: f.trustPolicy,
        rolePolicy: f.rolePolicy,
        logGroupName: f.logGroupName,
        estimatedLogGroupArn: f.logGroupArn,
        logRetentionDays: f.logRetentionDays,
        logKeyArn: this.plan.monitoringKey.arnByRegion[this.plan.region],
        bulkInvokeSourceArn: f.bulkInvokeSourceArn,
        vpc: f.vpc ? { ...f.vpc, endpointSecurityGroupId: this.endpoint?.securityGroupId } : undefined,
        signedCode: signing && ((name, zip) => signing.sign(name, zip)),
        permissionsBoundary: this.plan.workloadBoundaryArn,
        rolePath: this.plan.workloadRolePath,
        arns: this.arns,
        tags: this.plan.resourceTags,
      });
      if (this.endpoint && fn.securityGroup)
        this.endpoint.allowFrom(f.key, fn.securityGroup.id, `HTTPS from rotation function ${f.functionName}`);
    }
  }

  private renderMonitoring(): void {
    const m = this.plan.monitoring;
    new Monitoring(this, 'monitoring', {
      topicName: m.topicName,
      topicPolicy: m.topicPolicy,
      estimatedTopicArn: m.topicArn,
      ruleNames: m.ruleNames,
      keyArn: this.plan.monitoringKey.arnByRegion[this.plan.region],
      // Every form a caller can name a watched key in (ids, ARNs, aliases, replicas included).
      keyIdentifiers: m.watchedKeyIds.flatMap((id) => this.keys.get(id)!.identifiers),
      aliasNames: m.aliasNames,
      secretIdPrefixes: m.secretIdPrefixes,
      pipelineRoleArns: m.pipelineRoleArns,
      exemptRoleNames: m.exemptRoleNames,
      projectPolicyArnPrefix: m.projectPolicyArnPrefix,
      breakGlassRoleArn: m.breakGlassRoleArn,
      functions: {
        namePrefix: m.functionNamePrefix,
        accountId: this.plan.accountId,
        partition: this.plan.partition,
        region: this.plan.region,
      },
      forward: m.forward,
      permissionsBoundary: this.plan.workloadBoundaryArn,
      rolePath: this.plan.workloadRolePath,
      rotationFunctionNames: m.rotationFunctionNames,
      alertEmail: m.alertEmail,
      arns: this.arns,
      tags: this.plan.resourceTags,
    });
  }
}
