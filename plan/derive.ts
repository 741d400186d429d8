/**
 * Small pure derivations from a catalog entry, used by the plan (plan/plan.ts) only:
 * everything else reads their results from the plan.
 */
import { DATABASE_PASSWORD_EXCLUDE, DEFAULT_PASSWORD_EXCLUDE, type HandlerName } from '../lambdas/rotation/contract';
import type { PasswordRules } from './types';
import { NAME_PREFIX } from '../catalogs/project';
import type { EnvironmentConfig, RotationSpec, SecretSpec, ValueGenerator } from '../catalogs/types';

export function secretName(env: Pick<EnvironmentConfig, 'name'>, s: SecretSpec): string {
  return s.name ?? `${NAME_PREFIX[env.name]}/${s.service}/${s.component}/${s.type}`;
}

/** Terraform-safe id (resource names, variables, outputs). */
export function tfId(s: Pick<SecretSpec, 'id'>): string {
  return s.id.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Terraform-safe form of any name (outputs). */
export function tfSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The rotation Lambda bundle that rotates a secret. */
export function handlerOf(r: RotationSpec): HandlerName {
  if (r.kind === 'generated') return 'generated';
  return r.engine === 'postgres' ? 'postgres' : 'mysql';
}

/** The rotation function of a group: `<prefix>-secrets-rotation-<group key>`. */
export function rotationFunctionName(env: Pick<EnvironmentConfig, 'name'>, groupKey: string): string {
  return `${NAME_PREFIX[env.name]}-secrets-rotation-${groupKey}`;
}

/** Group-key suffixes of the weaker TLS modes (short: the role name `<function>-role` stays within 64). */
const TLS_SUFFIX: Record<string, string> = { require: '-tlsreq', disabled: '-notls' };

/**
 * Secrets sharing a handler, strategy and TLS mode share one rotation function. The TLS mode is
 * part of the key because a function's floor (ROTATION_MIN_TLS) is the weakest mode it serves:
 * one secret with TLS off must not lower the floor of every other secret of its engine.
 */
export function rotationGroupKey(r: RotationSpec): string {
  return r.kind === 'database' ? `${handlerOf(r)}-${r.strategy}${TLS_SUFFIX[r.tls ?? 'verify-full'] ?? ''}` : handlerOf(r);
}

export function databasePort(s: SecretSpec): number {
  const v = s.value;
  const fromFields = v.kind === 'json' ? v.fields.port : undefined;
  if (typeof fromFields === 'number') return fromFields;
  return s.rotation?.kind === 'database' && s.rotation.engine === 'postgres' ? 5432 : 3306;
}

/** The JSON keys a secret is known to hold (for ECS `valueFrom` checks). */
export function jsonKeys(s: SecretSpec): string[] | undefined {
  const v = s.value;
  if (v.kind === 'json') return [...Object.keys(v.fields), ...Object.keys(v.generated ?? {}), ...(v.deployTime ?? [])];
  if (v.kind === 'external' && v.format === 'json') return [...v.jsonKeys];
  return undefined;
}

/** The database user a catalog declares for a secret (its JSON `username` field), if any. */
export function catalogUsername(s: SecretSpec): string | undefined {
  return s.value.kind === 'json' && typeof s.value.fields.username === 'string' ? s.value.fields.username : undefined;
}

export function isBinary(s: SecretSpec): boolean {
  return s.value.kind === 'binary-file' || (s.value.kind === 'external' && s.value.format === 'binary');
}

/**
 * The rules of `GetRandomPassword` in the values step for a generated value or field. Database
 * passwords leave out the characters that break connection strings (one definition with the
 * rotation handlers, lambdas/rotation/contract.ts).
 */
export function passwordRules(g: ValueGenerator | undefined, databaseEngine?: string): PasswordRules {
  const format = g?.format ?? (databaseEngine ? 'password' : 'alphanumeric');
  return {
    length: g?.length ?? 32,
    excludePunctuation: format === 'alphanumeric',
    excludeCharacters:
      g?.excludeCharacters ?? (format === 'password' ? (databaseEngine ? DATABASE_PASSWORD_EXCLUDE : DEFAULT_PASSWORD_EXCLUDE) : undefined),
  };
}

/**
 * Whether the values step writes this secret's value (docs/values.md): everything but external
 * values and values a generated rotation creates whole (its first rotation writes them).
 */
export function writtenByValuesStep(s: Pick<SecretSpec, 'value' | 'rotation'>): boolean {
  if (s.value.kind === 'external') return false;
  return !(s.value.kind === 'generated' && s.rotation?.kind === 'generated' && s.rotation.jsonKey === undefined);
}
