/**
 * Pure derivations from a catalog, shared by the guardrails (validate.ts) and the stack, so both
 * reason about exactly the same names, groupings and grants.
 */
import { DATABASE_PASSWORD_EXCLUDE, DEFAULT_PASSWORD_EXCLUDE } from '../../lambdas/rotation/contract';
import { KeyGrantee } from '../../modules/encryption-key';
import { NAME_PREFIX } from './project';
import { EnvironmentConfig, KeyCategory, RotationSpec, SecretSpec } from './types';

export function secretName(env: EnvironmentConfig, s: SecretSpec): string {
  return s.name ?? `${NAME_PREFIX[env.name]}/${s.service}/${s.component}/${s.type}`;
}

/** Terraform-safe id (resource names, variables, outputs). */
export function tfId(s: SecretSpec): string {
  return s.id.replace(/[^A-Za-z0-9_]/g, '_');
}

export function usesCustomerKey(s: SecretSpec): boolean {
  return !s.awsManagedKey;
}

/** Categories in use and, per category, the replica regions its key must exist in. */
export function keyPlan(env: EnvironmentConfig): Map<KeyCategory, string[]> {
  const plan = new Map<KeyCategory, string[]>();
  for (const s of env.secrets.filter(usesCustomerKey)) {
    const regions = plan.get(s.category) ?? [];
    for (const r of s.replicas ?? []) if (!regions.includes(r) && r !== env.region) regions.push(r);
    plan.set(s.category, regions.sort());
  }
  return plan;
}

export function secretRegions(env: EnvironmentConfig, s: SecretSpec): string[] {
  return [env.region, ...(s.replicas ?? [])];
}

/** Rotation functions: one per handler and strategy, each with the secrets it rotates. */
export interface RotationGroup {
  key: string;
  handler: 'postgres' | 'mysql' | 'generated';
  strategy?: string;
  secrets: SecretSpec[];
  adminSecretIds: string[];
  /** Database ports and targets the function must reach. */
  databases: Array<{ port: number; cidrs: string[]; securityGroupIds: string[] }>;
}

export function rotationHandler(r: RotationSpec): 'postgres' | 'mysql' | 'generated' {
  if (r.kind === 'generated') return 'generated';
  return r.engine === 'postgres' ? 'postgres' : 'mysql';
}

export function databasePort(s: SecretSpec): number {
  const v = s.value;
  const fromFields = v.kind === 'json' ? v.fields.port : undefined;
  if (typeof fromFields === 'number') return fromFields;
  return s.rotation?.kind === 'database' && s.rotation.engine === 'postgres' ? 5432 : 3306;
}

export function rotationFunctionName(env: EnvironmentConfig, g: Pick<RotationGroup, 'key'>): string {
  return `${NAME_PREFIX[env.name]}-secrets-rotation-${g.key}`;
}

/** Secrets sharing a handler and strategy share one rotation function. */
export function rotationGroupKey(r: RotationSpec): string {
  return r.kind === 'database' ? `${rotationHandler(r)}-${r.strategy}` : rotationHandler(r);
}

export function rotationGroups(env: EnvironmentConfig): RotationGroup[] {
  const groups = new Map<string, RotationGroup>();
  for (const s of env.secrets) {
    const r = s.rotation;
    if (!r) continue;
    const handler = rotationHandler(r);
    const strategy = r.kind === 'database' ? r.strategy : undefined;
    const key = rotationGroupKey(r);
    const g = groups.get(key) ?? { key, handler, strategy, secrets: [], adminSecretIds: [], databases: [] };
    g.secrets.push(s);
    if (r.kind === 'database') {
      if (r.adminSecret && !g.adminSecretIds.includes(r.adminSecret)) g.adminSecretIds.push(r.adminSecret);
      g.databases.push({ port: databasePort(s), cidrs: r.databaseCidrs ?? [], securityGroupIds: r.databaseSecurityGroupIds ?? [] });
    }
    groups.set(key, g);
  }
  return [...groups.values()];
}

export interface EcsServicePlan {
  service: string;
  inject: Array<{ secret: SecretSpec; env: string; jsonKey?: string }>;
  runtime: SecretSpec[];
  /** ECR repositories its images come from (the service name unless the catalog says). */
  repositories: string[];
}

export function ecsServices(env: EnvironmentConfig): EcsServicePlan[] {
  const services = new Map<string, EcsServicePlan>();
  for (const s of env.secrets) {
    for (const a of s.ecs ?? []) {
      const plan = services.get(a.service) ?? { service: a.service, inject: [], runtime: [], repositories: [] };
      for (const r of a.repositories ?? []) if (!plan.repositories.includes(r)) plan.repositories.push(r);
      for (const i of a.inject ?? []) plan.inject.push({ secret: s, env: i.env, jsonKey: i.jsonKey });
      if (a.runtime && !plan.runtime.includes(s)) plan.runtime.push(s);
      services.set(a.service, plan);
    }
  }
  return [...services.values()].map((p) => (p.repositories.length > 0 ? p : { ...p, repositories: [p.service] }));
}

/** Secrets per named reader. */
export function readerGrants(env: EnvironmentConfig): Map<string, SecretSpec[]> {
  const grants = new Map<string, SecretSpec[]>();
  for (const s of env.secrets) {
    for (const r of s.readers ?? []) grants.set(r, [...(grants.get(r) ?? []), s]);
  }
  return grants;
}

/** The JSON keys a secret is known to hold (for ECS `valueFrom` checks). */
export function jsonKeys(s: SecretSpec): string[] | undefined {
  const v = s.value;
  if (v.kind === 'json') return [...Object.keys(v.fields), ...Object.keys(v.generated ?? {}), ...(v.deployTime ?? [])];
  if (v.kind === 'external' && v.format === 'json') return v.jsonKeys;
  return undefined;
}

/** The database user a catalog declares for a secret (its JSON `username` field), if any. */
export function catalogUsername(s: SecretSpec): string | undefined {
  return s.value.kind === 'json' && typeof s.value.fields.username === 'string' ? s.value.fields.username : undefined;
}

export function isBinary(s: SecretSpec): boolean {
  return s.value.kind === 'binary-file' || (s.value.kind === 'external' && s.value.format === 'binary');
}

/** Characters left out of generated passwords; one definition with the rotation handlers. */
export function databasePassword(engine: string | undefined): { exclude: string } {
  return { exclude: engine ? DATABASE_PASSWORD_EXCLUDE : DEFAULT_PASSWORD_EXCLUDE };
}

/** Cross-account readers (accounts with their roles, organizations) as key/secret grantees. */
export function keyGrantees(env: EnvironmentConfig, readerNames: string[]): KeyGrantee[] {
  const out: KeyGrantee[] = [];
  for (const n of new Set(readerNames)) {
    const r = env.readers[n];
    if (!r || r.kind === 'iam-role') continue;
    out.push(
      r.kind === 'account'
        ? { kind: 'account', accountId: r.accountId, principalArns: r.roleNames.map((rn) => `arn:aws:iam::${r.accountId}:role/${rn}`) }
        : { kind: 'organization', organizationId: r.organizationId },
    );
  }
  return out;
}

/** Readers of a key category: everyone reading any secret under that category's key. */
export function categoryReaders(env: EnvironmentConfig, category: KeyCategory): string[] {
  return env.secrets.filter((s) => s.category === category && usesCustomerKey(s)).flatMap((s) => s.readers ?? []);
}
