/** Facts about database secrets shared by the rotation rules. */
import type { SecretPlan } from '../plan/types';

/** Keys of a database login (Secrets Manager User Guide: JSON structure of secrets). */
export const DATABASE_KEYS = ['engine', 'host', 'username', 'password'];

/** mysql and mariadb share a driver and a rotation handler. */
export const engineFamily = (engine: string) =>
  engine === 'mariadb' || engine === 'mysql' || engine === 'aurora-mysql'
    ? 'mysql'
    : engine === 'aurora-postgresql' || engine === 'postgres'
      ? 'postgres'
      : engine;

/** The engine a secret is for: its rotation's engine, else its JSON `engine` field. */
export function secretEngine(s: SecretPlan): string | undefined {
  const r = s.spec.rotation;
  if (r?.kind === 'database') return r.engine;
  const v = s.spec.value;
  return v.kind === 'json' && typeof v.fields.engine === 'string' ? v.fields.engine : undefined;
}

/** Default ports of the engine families (Amazon RDS User Guide: default ports; MySQL 3306, PostgreSQL 5432). */
export const DEFAULT_PORT: Readonly<Record<string, number>> = { mysql: 3306, postgres: 5432 };

/** The clone user of alternating-users rotation (lambdas/rotation/database.ts CLONE_SUFFIX; a test keeps them equal). */
export const CLONE_SUFFIX = '_clone';

/** A host as DNS compares it: case-insensitive, and a trailing dot (the root) names the same host (RFC 4343; RFC 1034 3.1). */
export const normalHost = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');

/** A database a secret connects to: engine family, normalised host, port (the engine's default when omitted). */
export interface DatabaseAddress {
  readonly family: string;
  readonly host: string;
  readonly port: number;
}

/** Where a database secret connects, from its catalog fields (undefined when its host is not in the catalog). */
export function databaseAddress(s: SecretPlan): DatabaseAddress | undefined {
  const engine = secretEngine(s);
  const v = s.spec.value;
  if (!engine || v.kind !== 'json' || typeof v.fields.host !== 'string' || v.fields.host.trim() === '') return undefined;
  const family = engineFamily(engine);
  const port = typeof v.fields.port === 'number' ? v.fields.port : DEFAULT_PORT[family];
  return { family, host: normalHost(v.fields.host), port };
}

/** The logins a rotated database secret owns: its user, and with alternating users both `<user>` and `<user>_clone`. */
export function ownedLogins(s: SecretPlan): string[] {
  const r = s.spec.rotation;
  const v = s.spec.value;
  if (r?.kind !== 'database' || v.kind !== 'json' || typeof v.fields.username !== 'string') return [];
  const user = v.fields.username;
  if (r.strategy !== 'alternating-users') return [user];
  const base = user.endsWith(CLONE_SUFFIX) ? user.slice(0, -CLONE_SUFFIX.length) : user;
  return [base, base + CLONE_SUFFIX];
}

export const addressText = (a: DatabaseAddress) => `${a.host}:${a.port}`;

/** Default master users: RDS for PostgreSQL `postgres`, RDS for MySQL and MariaDB `admin`, self-managed MySQL `root`. */
const DEFAULT_MASTERS = new Set(['postgres', 'admin', 'root', 'rdsadmin']);
/** Words by which a catalog calls a login a master (in its type or component). */
const MASTER_WORDS = new Set(['master', 'admin', 'root', 'superuser']);

/**
 * Why a database secret is a master login, from what the catalog says about it: its type or
 * component says master/admin/root/superuser, or its user is an engine's default superuser.
 * Undefined for any other secret.
 */
export function isMasterLogin(s: SecretPlan): string | undefined {
  if (!secretEngine(s)) return undefined;
  const words = (t: string) => t.toLowerCase().split(/[^a-z0-9]+/);
  const named = [s.spec.type, s.spec.component].find((t) => words(t).some((w) => MASTER_WORDS.has(w)));
  if (named !== undefined) return `is a master login (the catalog calls it "${named}")`;
  const v = s.spec.value;
  const user = v.kind === 'json' && typeof v.fields.username === 'string' ? v.fields.username : undefined;
  if (user !== undefined && DEFAULT_MASTERS.has(user.toLowerCase())) return `logs in as ${user}, an engine's default superuser`;
  return undefined;
}
