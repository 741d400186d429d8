/**
 * The inventory written next to each stack (cdktf.out/stacks/<env>/inventory.json): what the
 * environment contains, for reviewers who never read code. Written from the plan only.
 */
import type { EnvironmentPlan } from '../plan/types';

export function inventoryOf(plan: EnvironmentPlan): Record<string, unknown> {
  const keyAlias = new Map([...plan.keys].map((k) => [k.id, k.alias]));
  return {
    environment: plan.environment,
    account: plan.accountId,
    region: plan.region,
    secrets: plan.secrets.map((p) => {
      const s = p.spec;
      return {
        id: p.id,
        name: p.name,
        category: p.category,
        key: p.keyId ? keyAlias.get(p.keyId) : 'aws/secretsmanager',
        value: s.value.kind === 'external' ? `external (${s.value.format})` : s.value.kind,
        replicas: p.replicas.map((r) => r.region),
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
        jsonKeys: p.jsonKeys ?? null,
        recoveryWindowDays: p.recoveryWindowDays,
      };
    }),
  };
}
