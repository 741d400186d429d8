import type { EnvironmentPlan } from '../plan/types';

/** Every CIDR the catalog names, with where it is and the secret it belongs to. */
export function cidrsOf(plan: EnvironmentPlan): Array<[string, string, string | undefined]> {
  const out: Array<[string, string, string | undefined]> = (plan.catalog.network?.endpointClientCidrs ?? []).map((c) => [
    c,
    'endpointClientCidrs entry',
    undefined,
  ]);
  for (const s of plan.secrets) {
    const r = s.spec.rotation;
    if (r?.kind === 'database') for (const c of r.databaseCidrs ?? []) out.push([c, 'databaseCidrs entry', s.id]);
  }
  return out;
}
