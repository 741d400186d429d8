/** Facts about database secrets shared by the rotation rules. */
import type { SecretPlan } from '../plan/types';

/** Keys of a database login (Secrets Manager User Guide: JSON structure of secrets). */
export const DATABASE_KEYS = ['engine', 'host', 'username', 'password'];

/** mysql and mariadb share a driver and a rotation handler. */
export const engineFamily = (engine: string) => (engine === 'mariadb' || engine === 'mysql' || engine === 'aurora-mysql' ? 'mysql' : engine === 'aurora-postgresql' || engine === 'postgres' ? 'postgres' : engine);

/** The engine a secret is for: its rotation's engine, else its JSON `engine` field. */
export function secretEngine(s: SecretPlan): string | undefined {
  const r = s.spec.rotation;
  if (r?.kind === 'database') return r.engine;
  const v = s.spec.value;
  return v.kind === 'json' && typeof v.fields.engine === 'string' ? v.fields.engine : undefined;
}
