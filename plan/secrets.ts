/** Secrets: names, estimated ARNs, keys per Region, values, tags, readers and resource policies. */
import { rulesToTags, TAG } from '../lambdas/rotation/contract';
import type { SecretSpec } from '../catalogs/types';
import { estimatedSecretArn, replicaSecretArn } from './arn';
import { grantees, namedReaders, type PlanContext, SIZE_PAGES } from './context';
import {
  catalogUsername,
  isBinary,
  jsonKeys,
  passwordRules,
  rotationFunctionName,
  rotationGroupKey,
  secretName,
  tfId,
  writtenByValuesStep,
} from './derive';
import { POLICY_LIMITS } from './policy';
import { type SecretGrant, secretResourcePolicy } from './policies/access';
import { ROTATION_FUNCTION_TAG } from './policies/rotation';
import { secretPrincipals } from './secret-access';
import type { KeyPlan, PlannedValue, SecretPlan, ValueSource } from './types';
import { valueTags } from './values';

/** Where each secret and its key are, in every Region: what policies name. */
export class SecretAddresses {
  private readonly keyByCategory: Map<string, KeyPlan>;

  constructor(
    private readonly ctx: PlanContext,
    keys: readonly KeyPlan[],
  ) {
    this.keyByCategory = new Map(keys.map((k) => [k.category, k]));
  }

  arn(s: SecretSpec): string {
    return estimatedSecretArn(this.ctx.scope, secretName(this.ctx.env, s));
  }

  replicaArn(s: SecretSpec, region: string): string {
    return replicaSecretArn(this.ctx.scope, secretName(this.ctx.env, s), region);
  }

  keyArn(s: SecretSpec, region: string): string | undefined {
    return s.awsManagedKey ? undefined : this.keyByCategory.get(s.category)?.arnByRegion[region];
  }

  /** The secret, its replicas and their keys, as one reader's grant. */
  grant(s: SecretSpec): SecretGrant {
    const region = this.ctx.env.region;
    return {
      secret: this.arn(s),
      key: this.keyArn(s, region),
      regions: [region, ...(s.replicas ?? [])],
      replicas: (s.replicas ?? []).map((r) => ({ region: r, secret: this.replicaArn(s, r), key: this.keyArn(s, r) })),
    };
  }
}

/** The name a deploy-time value has in DEPLOY_TIME_VALUES: the catalog's, or `<id>_value` / `<id>_<key>` in lower case. */
export function deployTimeName(s: SecretSpec, key?: string): string {
  const v = s.value;
  if (key === undefined) return (v.kind === 'deploy-time' ? v.variable : undefined) ?? `${tfId(s)}_value`;
  // As it always was (the names teams already hold); a key that makes no simple name is refused (VALUE-VARIABLE-NAME).
  return `${tfId(s)}_${key}`.toLowerCase();
}

/**
 * Who writes the value (V2-V4). A generated rotation of a value nobody else writes creates the
 * first value itself (rotate at once). Otherwise the values step writes it; for a database login
 * it then starts the first rotation, which sets a password nobody has seen on the database (the
 * admin and alternating strategies) or replaces the one a person supplied (single user).
 */
function plannedValue(s: SecretSpec): PlannedValue {
  const v = s.value;
  const r = s.rotation;
  const engine = r?.kind === 'database' ? r.engine : undefined;
  const version = 'version' in v ? (v.version ?? 1) : 1;
  const rotateAfterWrite = r?.kind === 'database';
  switch (v.kind) {
    case 'external':
      return { kind: 'none', firstValue: r?.kind === 'generated' ? 'rotation' : 'operator' };
    case 'deploy-time':
      return { kind: 'text', version, rotateAfterWrite, source: { deployTime: deployTimeName(s) } };
    case 'generated':
      // The rotation's own generator writes the first value; the values step has nothing to do.
      if (!writtenByValuesStep(s)) return { kind: 'none', firstValue: 'rotation' };
      return { kind: 'text', version, rotateAfterWrite, source: { generate: passwordRules(v.generator) } };
    case 'json': {
      const fieldEngine = engine ?? (typeof v.fields.engine === 'string' ? v.fields.engine : undefined);
      const keys: Record<string, ValueSource> = {};
      for (const [k, literal] of Object.entries(v.fields)) keys[k] = { literal };
      for (const [k, rules] of Object.entries(v.generated ?? {})) keys[k] = { generate: passwordRules(rules, fieldEngine) };
      for (const k of v.deployTime ?? []) keys[k] = { deployTime: deployTimeName(s, k) };
      return { kind: 'json', version, rotateAfterWrite, keys };
    }
    case 'binary-file':
      return { kind: 'binary-file', version, rotateAfterWrite: false, file: v.path };
  }
}

/** Tags of a rotated secret: its function (for the bulk IAM form) and the settings its handler reads. */
function rotationTags(ctx: PlanContext, s: SecretSpec): Record<string, string> {
  const r = s.rotation;
  if (!r) return {};
  const tags: Record<string, string> = { [ROTATION_FUNCTION_TAG]: rotationFunctionName(ctx.env, rotationGroupKey(r)) };
  if (r.kind === 'generated') {
    Object.assign(tags, rulesToTags({ format: r.format, length: r.length, excludeCharacters: r.excludeCharacters, jsonKey: r.jsonKey }));
  } else {
    const admin = r.adminSecret ? ctx.byId.get(r.adminSecret) : undefined;
    if (admin) tags[TAG.adminSecret] = secretName(ctx.env, admin);
    if (r.tls && r.tls !== 'verify-full') tags[TAG.tls] = r.tls;
    // Pins the user, so whoever can write the value cannot point rotation at another login.
    const username = catalogUsername(s);
    if (username) tags[TAG.username] = username;
  }
  return tags;
}

export function planSecrets(ctx: PlanContext, at: SecretAddresses): SecretPlan[] {
  const { env, scope } = ctx;
  const principals = secretPrincipals(env, scope.partition, (groupKey) => rotationFunctionName(env, groupKey));
  return env.secrets.map((s) => {
    const name = secretName(env, s);
    const arn = at.arn(s);
    const readers = ctx.readersOf(s);
    const rotTags = rotationTags(ctx, s);
    const r = s.rotation;
    const value = plannedValue(s);
    return {
      id: s.id,
      tfId: tfId(s),
      spec: s,
      name,
      description: s.description,
      arn,
      category: s.category,
      keyId: s.awsManagedKey ? undefined : `key-${s.category}`,
      kmsKeyArn: at.keyArn(s, env.region),
      regions: [env.region, ...(s.replicas ?? [])],
      replicas: (s.replicas ?? []).map((region) => ({ region, kmsKeyArn: at.keyArn(s, region) })),
      recoveryWindowDays: s.recoveryWindowDays ?? env.recoveryWindowDays,
      value,
      jsonKeys: jsonKeys(s),
      binary: isBinary(s),
      // The value version last: a catalog tag may not override it (TAG-RESERVED-VALUE).
      tags: { Service: s.service, Component: s.component, Category: s.category, ...rotTags, ...(s.tags ?? {}), ...valueTags(value) },
      rotationTags: rotTags,
      readers,
      access: principals.get(s.id)!,
      // Deny by default: only the principals the catalog names read, write or manage the secret.
      resourcePolicy: ctx.doc({
        subject: `secret ${name} (${env.name})`,
        what: 'its resource policy',
        document: secretResourcePolicy({
          partition: scope.partition,
          secret: arn,
          replicas: (s.replicas ?? []).map((region) => at.replicaArn(s, region)),
          accountId: env.accountId,
          crossAccount: grantees(readers),
          namedReaders: namedReaders(readers),
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
              // Only when rotation writes the first value; the values step starts a database's first rotation.
              rotateImmediately: value.kind === 'none' && value.firstValue === 'rotation',
            },
          }
        : undefined,
    };
  });
}
