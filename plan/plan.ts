/**
 * catalog -> EnvironmentPlan. The one place where facts are derived: names, ARNs, keys and who
 * may use them, readers, rotation functions, ECS roles and every policy document. Pure (no
 * cdktf, no file system, no clock): the same catalog always gives the same, frozen plan.
 *
 * The plan is computed for any catalog that passed the schema check, also for one that breaks
 * a guardrail (an unknown reader, a missing admin secret): the rules in rules judge the
 * plan, so it must describe what would be built rather than refuse to exist.
 */
import { MIN_TLS_ENV, rulesToTags, STRATEGY_ENV, TAG, TlsMode, weakestTls } from '../lambdas/rotation/contract';
import { ArnRef, estimatedKeyArn, estimatedSecretArn, POLICY_LIMITS, PolicyDocument } from './policy';
import { ecsExecutionPolicy, ecsLogGroupName, ecsRoleNames, ecsTrustPolicy, readPolicy, SecretGrant, secretResourcePolicy, splitReadGrants, valueFrom } from './policies/access';
import { KeyGrantee, keyPolicy } from './policies/key';
import { tlsOnlyBucketPolicy } from './policies/bucket';
import { alertTopicPolicy, eventsForwardPolicy, eventsTrustPolicy } from './policies/monitoring';
import { endpointPolicy } from './policies/network';
import { lambdaTrustPolicy, MAX_PER_SECRET_PERMISSIONS, ROTATION_FUNCTION_TAG, rotationRolePolicy } from './policies/rotation';
import type { ValueSource } from '../modules/secret';
import { NAME_PREFIX, PROJECT, REPOSITORY, stateBackendFor } from '../catalogs/project';
import { EnvironmentConfig, KeyCategory, SecretSpec } from '../catalogs/types';
import { catalogUsername, databasePort, handlerOf, isBinary, jsonKeys, passwordRules, rotationGroupKey, secretName, tfId, tfSafe } from './derive';
import { partitionOf } from './partitions';
import { rotationRoleName, secretPrincipals } from './secret-access';
import {
  DeepReadonly,
  EcsServicePlan,
  EnvironmentPlan,
  KeyPlan,
  PlannedDocument,
  PlannedValue,
  ReaderPlan,
  ResolvedReader,
  RotationFunctionPlan,
  SecretPlan,
  CodeSigningPlan,
} from './types';

/** Lambda runtimes from Node.js 20 on load Amazon's CA bundle (with the RDS CAs) only when asked to. */
export const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

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

/** A literal ARN as a builder's ArnRef: the plan computes every document with estimates. */
const lit = (arn: string): ArnRef => ({ arn, estimatedArn: arn });

export function rotationFunctionName(env: Pick<EnvironmentConfig, 'name'>, groupKey: string): string {
  return `${NAME_PREFIX[env.name]}-secrets-rotation-${groupKey}`;
}

/**
 * Cross-account readers (accounts with their roles, organizations) as key/secret grantees, one
 * per account or organization: the policy builders derive statement ids from the account or
 * organization id, and IAM requires a Sid to be unique within a policy (IAM User Guide: IAM JSON
 * policy elements: Sid), so two readers in one account share one grantee with both roles.
 */
function grantees(readers: readonly ResolvedReader[]): KeyGrantee[] {
  const out: KeyGrantee[] = [];
  const accounts = new Map<string, Extract<KeyGrantee, { kind: 'account' }>>();
  const orgs = new Set<string>();
  for (const r of readers) {
    if (r.kind === 'account') {
      const g = accounts.get(r.accountId);
      if (!g) {
        const fresh = { kind: 'account' as const, accountId: r.accountId, principalArns: [...new Set(r.roleArns)] };
        accounts.set(r.accountId, fresh);
        out.push(fresh);
      } else for (const arn of r.roleArns) if (!g.principalArns.includes(arn)) g.principalArns.push(arn);
    } else if (r.kind === 'organization' && !orgs.has(r.organizationId)) {
      orgs.add(r.organizationId);
      out.push({ kind: 'organization', organizationId: r.organizationId });
    }
  }
  return out;
}

function resolveReader(env: EnvironmentConfig, partition: string, name: string): ResolvedReader {
  const r = Object.prototype.hasOwnProperty.call(env.readers, name) ? env.readers[name] : undefined;
  if (!r) return { name, kind: 'unknown' };
  if (r.kind === 'account') {
    return { name, kind: 'account', accountId: r.accountId, roleNames: [...r.roleNames], roleArns: r.roleNames.map((rn) => `arn:${partition}:iam::${r.accountId}:role/${rn}`) };
  }
  if (r.kind === 'organization') return { name, kind: 'organization', organizationId: r.organizationId };
  return { name, kind: 'iam-role', roleName: r.roleName, roleArn: `arn:${partition}:iam::${env.accountId}:role/${r.roleName}` };
}

function plannedValue(s: SecretSpec): PlannedValue {
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
      const fieldEngine = engine ?? (typeof v.fields.engine === 'string' ? v.fields.engine : undefined);
      const secretFields: Record<string, ValueSource> = {};
      for (const [k, rules] of Object.entries(v.generated ?? {})) secretFields[k] = { generate: passwordRules(rules, fieldEngine) };
      for (const k of v.deployTime ?? []) secretFields[k] = { variable: `${id}_${k}`.toLowerCase() };
      return { kind: 'json', fields: { ...v.fields }, secretFields };
    }
    case 'binary-file':
      return { kind: 'binary-file', file: v.path };
  }
}

/** Tags of a rotated secret: its function (for the bulk IAM form) and the settings its handler reads. */
function rotationTags(env: EnvironmentConfig, s: SecretSpec, byId: Map<string, SecretSpec>): Record<string, string> {
  const r = s.rotation;
  if (!r) return {};
  const tags: Record<string, string> = { [ROTATION_FUNCTION_TAG]: rotationFunctionName(env, rotationGroupKey(r)) };
  if (r.kind === 'generated') {
    Object.assign(tags, rulesToTags({ format: r.format, length: r.length, excludeCharacters: r.excludeCharacters, jsonKey: r.jsonKey }));
  } else {
    const admin = r.adminSecret ? byId.get(r.adminSecret) : undefined;
    if (admin) tags[TAG.adminSecret] = secretName(env, admin);
    if (r.tls && r.tls !== 'verify-full') tags[TAG.tls] = r.tls;
    // Pins the user, so whoever can write the value cannot point rotation at another login.
    const username = catalogUsername(s);
    if (username) tags[TAG.username] = username;
  }
  return tags;
}

const SIZE_PAGES = {
  iam: 'IAM and AWS STS quotas (IAM User Guide)',
  kms: 'Key policies in AWS KMS: key policy document size (AWS KMS Developer Guide)',
  secret: 'Secrets Manager quotas: resource-based policy size (Secrets Manager User Guide)',
  endpoint: 'AWS PrivateLink quotas: VPC endpoint policy size',
  sns: 'Amazon SNS quotas: topic policy size',
  s3: 'Bucket policy examples: bucket policies are limited to 20 KB (Amazon S3 User Guide)',
};

/**
 * Computes the plan of one environment. `env` must have passed the catalog schema
 * (catalogs); the result is frozen.
 */
export function planEnvironment(catalog: EnvironmentConfig): EnvironmentPlan {
  // A private copy: the plan freezes what it holds, and the caller's catalog stays its own.
  const env = structuredClone(catalog);
  const prefix = NAME_PREFIX[env.name];
  const partition = partitionOf(env.region) ?? 'aws';
  const resourceTags = { Environment: env.name };
  const byId = new Map<string, SecretSpec>();
  for (const s of env.secrets) if (!byId.has(s.id)) byId.set(s.id, s);
  const documents: PlannedDocument[] = [];
  const doc = (d: PlannedDocument) => {
    documents.push(d);
    return d.document;
  };
  const readersOf = (s: SecretSpec) => [...new Set(s.readers ?? [])].map((n) => resolveReader(env, partition, n));

  // Keys: one per category in use, in order of first use, replicated where its secrets are.
  const categoryRegions = new Map<KeyCategory, string[]>();
  for (const s of env.secrets) {
    if (s.awsManagedKey) continue;
    const regions = categoryRegions.get(s.category) ?? [];
    for (const r of s.replicas ?? []) if (!regions.includes(r) && r !== env.region) regions.push(r);
    categoryRegions.set(s.category, regions.sort());
  }
  const makeKey = (k: Omit<KeyPlan, 'arnByRegion' | 'policyByRegion' | 'regions'>): KeyPlan => {
    const regions = [env.region, ...k.replicaRegions];
    const arnByRegion: Record<string, string> = {};
    const policyByRegion: Record<string, PolicyDocument> = {};
    for (const region of regions) {
      arnByRegion[region] = estimatedKeyArn(region, env.accountId, k.alias);
      policyByRegion[region] = doc({
        subject: `key ${k.category} (${env.name}, ${region})`,
        what: 'the key policy',
        document: keyPolicy({ accountId: env.accountId, region, useVia: [...k.useVia], grantees: k.grantees as KeyGrantee[], services: [...k.services] }),
        limit: POLICY_LIMITS.kmsKeyPolicy,
        limitSource: SIZE_PAGES.kms,
        fix: 'share fewer roles, or share with an organization',
      });
    }
    return { ...k, regions, arnByRegion, policyByRegion };
  };
  const keys: KeyPlan[] = [...categoryRegions].map(([category, replicaRegions]) => {
    const users = env.secrets.filter((s) => s.category === category && !s.awsManagedKey);
    const readerNames = users.flatMap((s) => s.readers ?? []);
    return makeKey({
      id: `key-${category}`,
      category,
      alias: `alias/${PROJECT}/${prefix}/${category}`,
      description: `${env.name} secrets: ${category}`,
      replicaRegions,
      deletionWindowDays: env.keyDeletionWindowDays,
      useVia: ['secretsmanager'],
      readers: [...new Set(readerNames)],
      grantees: grantees(readerNames.map((n) => resolveReader(env, partition, n))),
      services: [],
      tags: resourceTags,
    });
  });
  const monitoringKey = makeKey({
    id: 'key-monitoring',
    category: 'monitoring',
    alias: `alias/${PROJECT}/${prefix}/monitoring`,
    description: `${env.name} secrets platform: alerts topic and rotation logs`,
    replicaRegions: [],
    deletionWindowDays: env.keyDeletionWindowDays,
    useVia: [],
    readers: [],
    grantees: [],
    services: ['events.amazonaws.com', 'cloudwatch.amazonaws.com', 'logs'],
    tags: resourceTags,
  });
  const keyByCategory = new Map(keys.map((k) => [k.category, k]));

  // Secrets: names, estimated ARNs, keys per region, values, tags, readers, resource policies.
  const secretArn = (s: SecretSpec) => estimatedSecretArn(env.region, env.accountId, secretName(env, s));
  const keyArn = (s: SecretSpec, region: string) => (s.awsManagedKey ? undefined : keyByCategory.get(s.category)?.arnByRegion[region]);
  // A replica's ARN: same name, same six-character suffix, other Region. The provider exports no
  // replica ARN, so documents name it `<name>-??????` (exactly six characters; the SM-5 guardrail
  // keeps names from ending in `-` plus six, so no other secret matches).
  const replicaArn = (s: SecretSpec, region: string) => `arn:${partition}:secretsmanager:${region}:${env.accountId}:secret:${secretName(env, s)}-??????`;
  const grantOf = (s: SecretSpec): SecretGrant => {
    const key = keyArn(s, env.region);
    return {
      secret: lit(secretArn(s)),
      key: key ? lit(key) : undefined,
      regions: [env.region, ...(s.replicas ?? [])],
      replicas: (s.replicas ?? []).map((region) => {
        const k = keyArn(s, region);
        return { region, secret: lit(replicaArn(s, region)), key: k ? lit(k) : undefined };
      }),
    };
  };
  const principals = secretPrincipals(env, partition, (groupKey) => rotationFunctionName(env, groupKey));
  const secrets: SecretPlan[] = env.secrets.map((s) => {
    const name = secretName(env, s);
    const arn = secretArn(s);
    const readers = readersOf(s);
    const shared = grantees(readers);
    const rotTags = rotationTags(env, s, byId);
    const r = s.rotation;
    const plan: SecretPlan = {
      id: s.id,
      tfId: tfId(s),
      spec: s,
      name,
      description: s.description,
      arn,
      category: s.category,
      keyId: s.awsManagedKey ? undefined : `key-${s.category}`,
      kmsKeyArn: keyArn(s, env.region),
      regions: [env.region, ...(s.replicas ?? [])],
      replicas: (s.replicas ?? []).map((region) => ({ region, kmsKeyArn: keyArn(s, region) })),
      recoveryWindowDays: s.recoveryWindowDays ?? env.recoveryWindowDays,
      value: plannedValue(s),
      jsonKeys: jsonKeys(s),
      binary: isBinary(s),
      tags: { Service: s.service, Component: s.component, Category: s.category, ...rotTags, ...(s.tags ?? {}) },
      rotationTags: rotTags,
      readers,
      access: principals.get(s.id)!,
      // Deny by default: only the principals the catalog names read, write or manage the secret.
      resourcePolicy: doc({
        subject: `secret ${name} (${env.name})`,
        what: 'its resource policy',
        document: secretResourcePolicy({
          secret: lit(arn),
          replicas: (s.replicas ?? []).map((region) => lit(replicaArn(s, region))),
          accountId: env.accountId,
          crossAccount: shared,
          ...principals.get(s.id)!,
        }),
        limit: POLICY_LIMITS.secretResourcePolicy,
        limitSource: SIZE_PAGES.secret,
        fix: 'share with fewer accounts, or with an organization',
        secretId: s.id,
      }),
      rotation: r
        ? {
            functionKey: rotationGroupKey(r),
            functionName: rotationFunctionName(env, rotationGroupKey(r)),
            schedule: {
              afterDays: r.schedule.afterDays,
              expression: r.schedule.expression,
              window: r.schedule.window,
              // Database logins must exist with the first value before the first rotation (README: bootstrap).
              rotateImmediately: r.schedule.rotateImmediately ?? r.kind === 'generated',
            },
          }
        : undefined,
    };
    return plan;
  });

  // Readers: same-account roles get an inline policy; other accounts get managed policies to attach.
  const readerSecrets = new Map<string, SecretSpec[]>();
  for (const s of env.secrets) for (const n of s.readers ?? []) readerSecrets.set(n, [...(readerSecrets.get(n) ?? []), s]);
  const readers: ReaderPlan[] = [];
  for (const [name, granted] of readerSecrets) {
    const resolved = resolveReader(env, partition, name);
    if (resolved.kind === 'unknown') continue;
    const grants = granted.map(grantOf);
    const subject = `reader ${name} (${env.name})`;
    const fix = 'share fewer secrets with this reader, or group them into JSON secrets';
    const base = { name, reader: env.readers[name], resolved, secretIds: granted.map((s) => s.id) };
    if (resolved.kind === 'iam-role') {
      const document = doc({ subject, what: "the role's inline policy", document: readPolicy(grants, { describe: true }), limit: POLICY_LIMITS.iamInlinePoliciesPerRole, limitSource: SIZE_PAGES.iam, fix });
      readers.push({ ...base, inlinePolicy: { roleName: resolved.roleName, policyName: `${PROJECT}-${prefix}-secrets`, document } });
    } else {
      const consumerPolicies = splitReadGrants(grants, POLICY_LIMITS.iamManagedPolicy, { describe: true }).map((part) =>
        doc({ subject, what: 'a consumer policy (a managed policy in their account)', document: readPolicy(part, { describe: true }), limit: POLICY_LIMITS.iamManagedPolicy, limitSource: SIZE_PAGES.iam, fix }),
      );
      readers.push({ ...base, consumerPolicies, outputName: `consumer_policies_${tfSafe(name)}` });
    }
  }

  // ECS services: an execution role for injected secrets, a task role for run-time reads.
  const services = new Map<string, { inject: Array<{ secret: SecretSpec; env: string; jsonKey?: string }>; runtime: SecretSpec[]; repositories: string[] }>();
  for (const s of env.secrets) {
    for (const a of s.ecs ?? []) {
      const svc = services.get(a.service) ?? { inject: [], runtime: [], repositories: [] };
      for (const r of a.repositories ?? []) if (!svc.repositories.includes(r)) svc.repositories.push(r);
      for (const i of a.inject ?? []) svc.inject.push({ secret: s, env: i.env, jsonKey: i.jsonKey });
      if (a.runtime && !svc.runtime.includes(s)) svc.runtime.push(s);
      services.set(a.service, svc);
    }
  }
  const ecsServices: EcsServicePlan[] = [...services].map(([service, svc]) => {
    const rolePrefix = `${prefix}-${service}`;
    const subject = `ECS service ${service} (${env.name})`;
    const fix = "split the service's secrets across fewer, larger JSON secrets";
    const trustPolicy = doc({ subject, what: 'the trust policy', document: ecsTrustPolicy(env.accountId, env.region), limit: POLICY_LIMITS.iamTrustPolicy, limitSource: SIZE_PAGES.iam, fix: 'report this as a bug' });
    const names = ecsRoleNames(rolePrefix);
    const logGroupName = ecsLogGroupName(rolePrefix);
    const repositories = svc.repositories.length > 0 ? svc.repositories : [service];
    return {
      service,
      rolePrefix,
      trustPolicy,
      logGroupName,
      repositories,
      // Always: ECS needs it to pull the image and write logs, even when nothing is injected.
      executionRole: {
        name: names.execution,
        description: `ECS task execution role of ${rolePrefix}: pulls its image, writes its logs, injects secrets at start-up`,
        policyName: 'start-tasks',
        policy: doc({
          subject,
          what: "the execution role's inline policy",
          document: ecsExecutionPolicy({ accountId: env.accountId, region: env.region, repositories, logGroupName, inject: svc.inject.map((i) => grantOf(i.secret)) }),
          limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
          limitSource: SIZE_PAGES.iam,
          fix,
        }),
        secretIds: [...new Set(svc.inject.map((i) => i.secret.id))],
      },
      taskRole:
        svc.runtime.length > 0
          ? {
              name: names.task,
              description: `ECS task role of ${rolePrefix}: reads secrets at run time`,
              policyName: 'read-secrets',
              policy: doc({ subject, what: "the task role's inline policy", document: readPolicy(svc.runtime.map(grantOf), { describe: true }), limit: POLICY_LIMITS.iamInlinePoliciesPerRole, limitSource: SIZE_PAGES.iam, fix }),
              secretIds: svc.runtime.map((s) => s.id),
            }
          : undefined,
      containerSecrets: svc.inject.map((i) => ({ name: i.env, valueFrom: valueFrom(secretArn(i.secret), i.jsonKey), secretId: i.secret.id, ...(i.jsonKey !== undefined ? { jsonKey: i.jsonKey } : {}) })),
      outputName: `ecs_${tfSafe(service)}`,
    };
  });

  // Rotation: one function per handler and strategy, with the secrets it rotates and reads.
  const groups = new Map<string, SecretSpec[]>();
  for (const s of env.secrets) if (s.rotation) groups.set(rotationGroupKey(s.rotation), [...(groups.get(rotationGroupKey(s.rotation)) ?? []), s]);
  const rotationFunctions: RotationFunctionPlan[] = [...groups].map(([key, rotated]) => {
    const first = rotated[0].rotation!;
    const handler = handlerOf(first);
    const strategy = first.kind === 'database' ? first.strategy : undefined;
    const functionName = rotationFunctionName(env, key);
    const adminSecretIds: string[] = [];
    const databases: Array<{ port: number; cidrs: string[]; securityGroupIds: string[] }> = [];
    const seenTargets = new Set<string>();
    for (const s of rotated) {
      const r = s.rotation!;
      if (r.kind !== 'database') continue;
      if (r.adminSecret && !adminSecretIds.includes(r.adminSecret)) adminSecretIds.push(r.adminSecret);
      // One egress rule per (port, target): EC2 refuses a duplicate rule. An entry stays (maybe
      // empty) per secret, so rule ids do not shift when a secret's targets repeat another's.
      const port = databasePort(s);
      const fresh = (kind: string, targets: readonly string[]) => [...new Set(targets)].filter((t) => !seenTargets.has(`${kind}:${port}:${t}`) && !!seenTargets.add(`${kind}:${port}:${t}`));
      databases.push({ port, cidrs: fresh('cidr', r.databaseCidrs ?? []), securityGroupIds: fresh('sg', r.databaseSecurityGroupIds ?? []) });
    }
    const minimumTls: TlsMode | undefined = strategy ? weakestTls(rotated.map((s) => (s.rotation?.kind === 'database' ? (s.rotation.tls ?? 'verify-full') : 'verify-full'))) : undefined;
    const environment: Record<string, string> = strategy && minimumTls ? { [STRATEGY_ENV]: strategy, [MIN_TLS_ENV]: minimumTls, NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE } : {};
    const logGroupName = `/aws/lambda/${functionName}`;
    const logGroupArn = `arn:${partition}:logs:${env.region}:${env.accountId}:log-group:${logGroupName}`;
    const subject = `rotation function ${key} (${env.name})`;
    const admins = adminSecretIds.filter((id) => byId.has(id)).map((id) => grantOf(byId.get(id)!));
    return {
      key,
      functionName,
      description: `Secrets Manager rotation (${environment[STRATEGY_ENV] ?? 'generated values'})`,
      roleName: rotationRoleName(functionName),
      handler,
      strategy,
      secretIds: rotated.map((s) => s.id),
      adminSecretIds,
      environment,
      minimumTls,
      logGroupName,
      logGroupArn,
      logRetentionDays: env.logRetentionDays,
      trustPolicy: doc({ subject, what: 'the trust policy', document: lambdaTrustPolicy(env.accountId), limit: POLICY_LIMITS.iamTrustPolicy, limitSource: SIZE_PAGES.iam, fix: 'report this as a bug' }),
      rolePolicy: doc({
        subject,
        what: "the rotation role's inline policy",
        document: rotationRolePolicy({ region: env.region, accountId: env.accountId, namePrefix: prefix, functionName, secrets: rotated.map(grantOf), adminSecrets: admins }, logGroupArn, !!env.network),
        limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
        limitSource: SIZE_PAGES.iam,
        fix: 'rotate fewer secrets with this strategy in one environment',
      }),
      bulkInvokeSourceArn: rotated.length > MAX_PER_SECRET_PERMISSIONS ? `arn:${partition}:secretsmanager:${env.region}:${env.accountId}:secret:${prefix}/*` : undefined,
      vpc: env.network ? { vpcId: env.network.vpcId, subnetIds: [...env.network.subnetIds], securityGroupName: `${functionName}-sg`, databases } : undefined,
    };
  });

  const endpoint = env.network
    ? {
        vpcId: env.network.vpcId,
        subnetIds: [...env.network.subnetIds],
        clientCidrs: [...(env.network.endpointClientCidrs ?? [])],
        clientSecurityGroupIds: [...(env.network.endpointClientSecurityGroupIds ?? [])],
        create: env.network.createSecretsManagerEndpoint ?? true,
        policy: doc({ subject: `Secrets Manager endpoint (${env.name})`, what: 'the endpoint policy', document: endpointPolicy([env.accountId], env.region), limit: POLICY_LIMITS.vpcEndpointPolicy, limitSource: SIZE_PAGES.endpoint, fix: 'report this as a bug' }),
      }
    : undefined;

  const topicName = `${prefix}-secrets-alerts`;
  const topicArn = `arn:${partition}:sns:${env.region}:${env.accountId}:${topicName}`;
  const ruleNames = {
    rotationFailed: `${prefix}-secrets-rotation-failed`,
    deniedReads: `${prefix}-secrets-denied-reads`,
    keyAnomalies: `${prefix}-secrets-key-anomalies`,
    keyAliases: `${prefix}-secrets-key-aliases`,
    secretChanges: `${prefix}-secrets-secret-changes`,
  };
  // The state-backend stack's rules for its key publish to this topic too (stateKeyRuleName).
  const stateRuleNames = [`${prefix}-secrets-state-key-anomalies`, `${prefix}-secrets-state-key-aliases`];
  const ruleArns = [...Object.values(ruleNames), ...stateRuleNames].map((n) => `arn:${partition}:events:${env.region}:${env.accountId}:rule/${n}`);
  // Replica keys and replicas live in other Regions, whose events reach only that Region's bus.
  const forwardFromRegions = [...new Set([...keys.flatMap((k) => k.replicaRegions), ...env.secrets.flatMap((s) => s.replicas ?? [])])].filter((r) => r !== env.region).sort();
  const primaryBus = `arn:${partition}:events:${env.region}:${env.accountId}:event-bus/default`;
  const secretIdPrefixes = [
    `${prefix}/`,
    ...[env.region, ...forwardFromRegions].map((r) => `arn:${partition}:secretsmanager:${r}:${env.accountId}:secret:${prefix}/`),
    // Names kept from before (`name` overrides) need their own prefixes.
    ...secrets.filter((s) => !s.name.startsWith(`${prefix}/`)).flatMap((s) => [s.name, ...[env.region, ...forwardFromRegions].map((r) => `arn:${partition}:secretsmanager:${r}:${env.accountId}:secret:${s.name}`)]),
  ];

  // Rotation functions deploy only code our Signer profile signed (modules/code-signing.ts).
  const artifactsBucket = `${PROJECT}-artifacts-${env.accountId}-${env.region}`;
  const codeSigning: CodeSigningPlan | undefined =
    rotationFunctions.length > 0
      ? {
          bucket: artifactsBucket,
          profileName: `${PROJECT}_${prefix}_rotation`.replace(/-/g, '_'),
          signatureValidityMonths: 12,
          noncurrentVersionDays: 90,
          key: makeKey({
            id: 'key-artifacts',
            category: 'artifacts',
            alias: `alias/${PROJECT}/${prefix}/artifacts`,
            description: 'Lambda artifacts (unsigned uploads and signed code)',
            replicaRegions: [],
            deletionWindowDays: env.keyDeletionWindowDays,
            useVia: ['s3'],
            readers: [],
            grantees: [],
            services: [],
            tags: resourceTags,
          }),
          bucketPolicy: doc({
            subject: `artifacts bucket ${artifactsBucket} (${env.name})`,
            what: 'the bucket policy',
            document: tlsOnlyBucketPolicy(`arn:${partition}:s3:::${artifactsBucket}`),
            limit: POLICY_LIMITS.s3BucketPolicy,
            limitSource: SIZE_PAGES.s3,
            fix: 'report this as a bug',
          }),
        }
      : undefined;

  const plan: EnvironmentPlan = {
    environment: env.name,
    catalog: env,
    accountId: env.accountId,
    region: env.region,
    partition,
    namePrefix: prefix,
    deployRoleArn: env.deployRoleArn,
    breakGlass: { roleName: env.breakGlass.roleName, roleArn: `arn:${partition}:iam::${env.accountId}:role/${env.breakGlass.roleName}`, ...(env.breakGlass.description !== undefined ? { description: env.breakGlass.description } : {}) },
    defaultTags: defaultTags(env),
    resourceTags,
    stateKey: `${PROJECT}/${env.name}/terraform.tfstate`,
    stateBackend: stateBackendFor(env),
    keys,
    monitoringKey,
    ...(codeSigning ? { codeSigning } : {}),
    secrets,
    readers,
    rotationFunctions,
    ecsServices,
    endpoint,
    monitoring: {
      topicName,
      topicArn,
      topicPolicy: doc({ subject: `alerts topic ${topicName} (${env.name})`, what: 'the topic policy', document: alertTopicPolicy(topicArn, env.accountId, ruleArns), limit: POLICY_LIMITS.snsTopicPolicy, limitSource: SIZE_PAGES.sns, fix: 'report this as a bug' }),
      ruleNames,
      // Every key the stack creates: the secrets keys (with their replicas) and the monitoring key.
      // Every key this stack creates: the secret keys, the monitoring key and the artifacts key.
      watchedKeyIds: [...keys.map((k) => k.id), monitoringKey.id, ...(codeSigning ? [codeSigning.key.id] : [])],
      aliasNames: [...keys.map((k) => k.alias), monitoringKey.alias, ...(codeSigning ? [codeSigning.key.alias] : [])],
      secretIdPrefixes,
      forward:
        forwardFromRegions.length > 0
          ? {
              regions: forwardFromRegions,
              busArn: primaryBus,
              roleName: `${prefix}-secrets-events-forward`,
              trustPolicy: doc({ subject: `event forwarding (${env.name})`, what: 'the trust policy', document: eventsTrustPolicy(env.accountId), limit: POLICY_LIMITS.iamTrustPolicy, limitSource: SIZE_PAGES.iam, fix: 'report this as a bug' }),
              rolePolicy: doc({ subject: `event forwarding (${env.name})`, what: "the forwarding role's inline policy", document: eventsForwardPolicy(primaryBus), limit: POLICY_LIMITS.iamInlinePoliciesPerRole, limitSource: SIZE_PAGES.iam, fix: 'report this as a bug' }),
            }
          : undefined,
      rotationFunctionNames: rotationFunctions.map((f) => f.functionName),
      alertEmail: env.alertEmail,
    },
    documents,
  };
  return deepFreeze(plan);
}

/** Freezes a plan and everything it holds (the catalog included: a plan never changes). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

export type { DeepReadonly };
