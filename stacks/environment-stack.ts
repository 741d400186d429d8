import * as path from 'node:path';
import { Construct } from 'constructs';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EcsServiceAccess, secretResourcePolicy, IamRoleReadAccess, readPolicy, SecretGrant, splitReadGrants } from '../modules/access';
import { EncryptionKey } from '../modules/encryption-key';
import { Monitoring, stateKeyRuleName } from '../modules/monitoring';
import { SecretsManagerEndpoint } from '../modules/network';
import { POLICY_LIMITS, renderPolicy } from '../modules/policy';
import { RotationFunction } from '../modules/rotation';
import { PasswordRules, Secret, SecretValueInput, ValueSource } from '../modules/secret';
import { secretPrincipals } from './secret-access';
import { bundleFor, rotationEnvironment, rotationTags } from './rotation-wiring';
import { categoryReaders, ecsServices, keyGrantees, keyPlan, readerGrants, rotationFunctionName, rotationGroups, secretName, secretRegions, tfId, jsonKeys, databasePassword } from './environments/derive';
import { NAME_PREFIX, PROJECT, REPOSITORY, stateBackendFor } from './environments/project';
import { EnvironmentConfig, GeneratorRules, KeyCategory, SecretSpec } from './environments/types';

export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0';

/** Tags every resource of a stack gets through the provider's `default_tags`. */
export function defaultTags(env: Pick<EnvironmentConfig, 'name' | 'owner' | 'costCenter' | 'tags'>): Record<string, string> {
  return {
    Environment: env.name,
    Project: PROJECT,
    ManagedBy: 'cdktf',
    Owner: env.owner,
    CostCenter: env.costCenter,
    Repository: REPOSITORY,
    ...(env.tags ?? {}),
  };
}

/** Provider and S3 backend shared by every stack of an account: region, guards, tags, locking. */
export function configureStack(stack: TerraformStack, env: EnvironmentConfig, stateKey: string, backend: 'local' | 's3'): void {
  new AwsProvider(stack, 'aws', {
    region: env.region,
    allowedAccountIds: [env.accountId],
    assumeRole: env.deployRoleArn ? [{ roleArn: env.deployRoleArn, sessionName: `${PROJECT}-${env.name}` }] : undefined,
    defaultTags: [{ tags: defaultTags(env) }],
  });
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  if (backend === 's3') {
    const state = stateBackendFor(env);
    const s3 = new S3Backend(stack, {
      bucket: state.bucket,
      key: stateKey,
      region: state.region,
      encrypt: true,
      kmsKeyId: `arn:aws:kms:${state.region}:${state.accountId}:${state.keyAlias}`,
      dynamodbTable: state.lockTable,
      allowedAccountIds: [env.accountId],
      assumeRole: env.deployRoleArn ? { roleArn: env.deployRoleArn, sessionName: `${PROJECT}-${env.name}-state` } : undefined,
    });
    // S3 native locking (Terraform >= 1.10) alongside DynamoDB while both are supported.
    s3.addOverride('use_lockfile', true);
  }
}

function passwordRules(g: GeneratorRules | undefined, databaseEngine?: string): PasswordRules {
  const format = g?.format ?? (databaseEngine ? 'password' : 'alphanumeric');
  return {
    length: g?.length ?? 32,
    excludePunctuation: format === 'alphanumeric',
    excludeCharacters: g?.excludeCharacters ?? (format === 'password' ? databasePassword(databaseEngine).exclude : undefined),
  };
}

function valueInput(s: SecretSpec, stackDir: string, repoRoot: string): SecretValueInput {
  const v = s.value;
  const id = tfId(s);
  const engine = s.rotation?.kind === 'database' ? s.rotation.engine : undefined;
  switch (v.kind) {
    case 'external':
      return { kind: 'none' };
    case 'deploy-time':
      return { kind: 'text', source: { variable: v.variable ?? `${id}_value` } };
    case 'generated':
      return { kind: 'text', source: { generate: passwordRules(v.generator) } };
    case 'json': {
      const secretFields: Record<string, ValueSource> = {};
      for (const [k, rules] of Object.entries(v.generated ?? {})) secretFields[k] = { generate: passwordRules(rules, engine ?? (typeof v.fields.engine === 'string' ? v.fields.engine : undefined)) };
      for (const k of v.deployTime ?? []) secretFields[k] = { variable: `${id}_${k}`.toLowerCase() };
      return { kind: 'json', fields: v.fields, secretFields };
    }
    case 'binary-file':
      return { kind: 'binary-file', file: v.path, repoRoot, stackDir };
  }
}

export interface EnvironmentStackProps {
  env: EnvironmentConfig;
  /** cdktf.out directory (for paths Terraform resolves relative to the stack). */
  outdir: string;
  repoRoot: string;
  /** Run cdktf's preparing resolve pass too (see `prepareStack`); tests compare both outputs. */
  fullPrepare?: boolean;
}

/** Everything one environment needs: keys, secrets, sharing, ECS access, rotation, endpoint, alerts. */
export class EnvironmentStack extends TerraformStack {
  readonly secrets = new Map<string, Secret>();
  readonly keys = new Map<KeyCategory | 'monitoring', EncryptionKey>();
  readonly inventory: Record<string, unknown>;
  private readonly fullPrepare: boolean;

  /**
   * cdktf resolves every token twice: a preparing pass that exists to add the outputs and remote
   * state of cross-stack references, then the real one. An environment stack references nothing
   * in another stack (each environment has its own account and state), so the first pass only
   * costs time, a third of a 1,000-secret synth. A unit test proves the output is identical.
   */
  prepareStack(): void {
    if (this.fullPrepare) super.prepareStack();
    else this.ensureBackendExists();
  }

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    this.fullPrepare = props.fullPrepare ?? false;
    const { env } = props;
    const prefix = NAME_PREFIX[env.name];
    const stackDir = path.join(props.outdir, 'stacks', id);
    configureStack(this, env, `${PROJECT}/${env.name}/terraform.tfstate`, 's3');
    new ArchiveProvider(this, 'archive');
    const tags = { Environment: env.name };

    // Keys: one per category in use, with cross-account grants for that category's readers.
    for (const [category, replicaRegions] of keyPlan(env)) {
      this.keys.set(
        category,
        new EncryptionKey(this, `key-${category}`, {
          alias: `alias/${PROJECT}/${prefix}/${category}`,
          description: `${env.name} secrets: ${category}`,
          accountId: env.accountId,
          region: env.region,
          deletionWindowDays: env.keyDeletionWindowDays,
          replicaRegions,
          useVia: ['secretsmanager'],
          grantees: keyGrantees(env, categoryReaders(env, category)),
          services: [],
          tags,
        }),
      );
    }
    const monitoringKey = new EncryptionKey(this, 'key-monitoring', {
      alias: `alias/${PROJECT}/${prefix}/monitoring`,
      description: `${env.name} secrets platform: alerts topic and rotation logs`,
      accountId: env.accountId,
      region: env.region,
      deletionWindowDays: env.keyDeletionWindowDays,
      replicaRegions: [],
      useVia: [],
      grantees: [],
      services: ['events.amazonaws.com', 'cloudwatch.amazonaws.com', 'logs'],
      tags,
    });
    this.keys.set('monitoring', monitoringKey);

    // Secrets.
    const grantOf = (s: SecretSpec): SecretGrant => {
      const secret = this.secrets.get(s.id)!;
      const keyIn = (region: string) => (s.awsManagedKey ? undefined : this.keys.get(s.category)!.arnByRegion[region]);
      return {
        secret: secret.ref,
        key: keyIn(env.region),
        regions: secretRegions(env, s),
        replicas: (s.replicas ?? []).map((region) => ({ region, secret: secret.replicaRef(region), key: keyIn(region) })),
      };
    };
    for (const s of env.secrets) {
      const key = s.awsManagedKey ? undefined : this.keys.get(s.category)!;
      const secret = new Secret(this, `secret-${tfId(s)}`, {
        name: secretName(env, s),
        description: s.description,
        accountId: env.accountId,
        region: env.region,
        kmsKey: key?.arnByRegion[env.region],
        replicas: (s.replicas ?? []).map((region) => ({ region, kmsKey: key?.arnByRegion[region] })),
        recoveryWindowDays: s.recoveryWindowDays ?? env.recoveryWindowDays,
        value: valueInput(s, stackDir, props.repoRoot),
        tags: { Service: s.service, Component: s.component, Category: s.category, ...rotationTags(env, s), ...(s.tags ?? {}) },
      });
      this.secrets.set(s.id, secret);
      // Deny by default: only the principals the catalog names read, write or manage the secret.
      secret.attachPolicy(
        secretResourcePolicy({ secret: secret.ref, replicas: (s.replicas ?? []).map((r) => secret.replicaRef(r)), ...secretPrincipals(env, s) }),
      );
      new TerraformOutput(this, `secret_${tfId(s)}_arn`, { value: secret.secret.arn, description: `ARN of ${secretName(env, s)}` });
      new TerraformOutput(this, `secret_${tfId(s)}_name`, { value: secret.secret.name });
    }

    // Readers: consumer-account policy documents, same-account roles, ECS services.
    for (const [readerName, secrets] of readerGrants(env)) {
      const reader = env.readers[readerName];
      const grants = secrets.map(grantOf);
      if (reader.kind === 'iam-role') {
        new IamRoleReadAccess(this, `reader-${readerName}`, { roleName: reader.roleName, policyName: `${PROJECT}-${prefix}-secrets`, grants });
      } else {
        new TerraformOutput(this, `consumer_policies_${readerName.replace(/[^A-Za-z0-9_]/g, '_')}`, {
          description: `IAM managed policies (one or more, each within the 6,144-character limit) for the reading roles of ${readerName} to attach in their own account`,
          value: splitReadGrants(grants, POLICY_LIMITS.iamManagedPolicy, { describe: true }).map((part) => renderPolicy(readPolicy(part, { describe: true }))),
        });
      }
    }
    for (const svc of ecsServices(env)) {
      const access = new EcsServiceAccess(this, `ecs-${svc.service}`, {
        rolePrefix: `${prefix}-${svc.service}`,
        accountId: env.accountId,
        region: env.region,
        inject: svc.inject.map((i) => ({ ...grantOf(i.secret), env: i.env, jsonKey: i.jsonKey })),
        runtime: svc.runtime.map(grantOf),
        repositories: svc.repositories,
        logRetentionDays: env.logRetentionDays,
        logKey: monitoringKey.arnByRegion[env.region],
        tags,
      });
      new TerraformOutput(this, `ecs_${svc.service.replace(/[^A-Za-z0-9_]/g, '_')}`, {
        description: `Roles and container "secrets" entries for ECS service ${svc.service}`,
        value: {
          executionRoleArn: access.executionRole.arn,
          logGroup: access.logGroup.name,
          ...(access.taskRole ? { taskRoleArn: access.taskRole.arn } : {}),
          secrets: access.containerSecrets,
        },
      });
    }

    // Network: the Secrets Manager endpoint the rotation functions use.
    const endpoint = env.network
      ? new SecretsManagerEndpoint(this, 'secretsmanager-endpoint', {
          vpcId: env.network.vpcId,
          subnetIds: env.network.subnetIds,
          accountId: env.accountId,
          region: env.region,
          clientCidrs: env.network.endpointClientCidrs ?? [],
          clientSecurityGroupIds: env.network.endpointClientSecurityGroupIds ?? [],
          create: env.network.createSecretsManagerEndpoint ?? true,
          tags,
        })
      : undefined;

    // Rotation: one function per handler and strategy.
    const functionNames: string[] = [];
    for (const group of rotationGroups(env)) {
      const functionName = rotationFunctionName(env, group);
      functionNames.push(functionName);
      const fn = new RotationFunction(this, `rotation-${group.key}`, {
        functionName,
        accountId: env.accountId,
        region: env.region,
        bundleFile: bundleFor(group.handler),
        stackDir,
        environment: rotationEnvironment(group),
        namePrefix: prefix,
        secrets: group.secrets.map((s) => ({
          ...grantOf(s),
          id: tfId(s),
          name: secretName(env, s),
          schedule: {
            afterDays: s.rotation!.schedule.afterDays,
            expression: s.rotation!.schedule.expression,
            window: s.rotation!.schedule.window,
            // Database logins must exist with the first value before the first rotation (README: bootstrap).
            rotateImmediately: s.rotation!.schedule.rotateImmediately ?? s.rotation!.kind === 'generated',
          },
        })),
        adminSecrets: group.adminSecretIds.map((id) => grantOf(env.secrets.find((s) => s.id === id)!)),
        logRetentionDays: env.logRetentionDays,
        logKey: monitoringKey.arnByRegion[env.region],
        vpc: env.network
          ? { vpcId: env.network.vpcId, subnetIds: env.network.subnetIds, endpointSecurityGroupId: endpoint?.securityGroup.id, databases: group.databases }
          : undefined,
        tags,
      });
      if (endpoint && fn.securityGroup) endpoint.allowFrom(group.key, fn.securityGroup.id, `HTTPS from rotation function ${functionName}`);
    }

    const allKeys = [...this.keys.values()];
    const replicaRegions = [...new Set([...allKeys.flatMap((k) => k.replicaRegions), ...env.secrets.flatMap((s) => s.replicas ?? [])])].sort();
    const secretPrefixes = [env.region, ...replicaRegions].map((r) => `arn:aws:secretsmanager:${r}:${env.accountId}:secret:${prefix}/`);
    const legacyNames = env.secrets.map((s) => secretName(env, s)).filter((n) => !n.startsWith(`${prefix}/`));
    new Monitoring(this, 'monitoring', {
      prefix,
      accountId: env.accountId,
      region: env.region,
      key: monitoringKey.arnByRegion[env.region],
      // Every key this stack creates (secrets, replicas, monitoring); the state key is watched by
      // the state-backend stack's own rules, which publish to this stack's topic.
      keyIdentifiers: allKeys.flatMap((k) => k.identifiers),
      aliasNames: allKeys.map((k) => k.aliasName),
      secretIdPrefixes: [`${prefix}/`, ...secretPrefixes, ...legacyNames, ...legacyNames.flatMap((n) => [env.region, ...replicaRegions].map((r) => `arn:aws:secretsmanager:${r}:${env.accountId}:secret:${n}`))],
      forwardFromRegions: replicaRegions.filter((r) => r !== env.region),
      extraRuleArns: (['key-anomalies', 'key-aliases'] as const).map((w) => `arn:aws:events:${env.region}:${env.accountId}:rule/${stateKeyRuleName(prefix, w)}`),
      rotationFunctionNames: functionNames,
      alertEmail: env.alertEmail,
      tags,
    });

    this.inventory = {
      environment: env.name,
      account: env.accountId,
      region: env.region,
      secrets: env.secrets.map((s) => ({
        id: s.id,
        name: secretName(env, s),
        category: s.category,
        key: s.awsManagedKey ? 'aws/secretsmanager' : `alias/${PROJECT}/${prefix}/${s.category}`,
        value: s.value.kind === 'external' ? `external (${s.value.format})` : s.value.kind,
        replicas: s.replicas ?? [],
        rotation: s.rotation
          ? {
              kind: s.rotation.kind,
              strategy: s.rotation.kind === 'database' ? s.rotation.strategy : s.rotation.format,
              ...(s.rotation.kind === 'database' ? { tls: s.rotation.tls ?? 'verify-full' } : {}),
              ...s.rotation.schedule,
            }
          : null,
        readers: s.readers ?? [],
        ecs: (s.ecs ?? []).map((a) => ({ service: a.service, inject: (a.inject ?? []).map((i) => i.env), runtime: !!a.runtime })),
        jsonKeys: jsonKeys(s) ?? null,
        recoveryWindowDays: s.recoveryWindowDays ?? env.recoveryWindowDays,
      })),
    };
  }
}
