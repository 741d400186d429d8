import { onSecret, rule } from '../rule';
import { scheduleOf } from '../schedule';
import type { SecretPlan } from '../../plan/types';

/** The JSON keys a rotation rewrites (undefined: the whole value). */
function rotatedKeys(r: NonNullable<SecretPlan['spec']['rotation']>): readonly string[] | undefined {
  if (r.kind === 'generated') return r.jsonKey === undefined ? undefined : [r.jsonKey];
  return r.strategy === 'alternating-users' ? ['username', 'password'] : ['password'];
}

const every = (hours: number) =>
  !Number.isFinite(hours) ? 'rarely' : hours % 24 === 0 ? `every ${hours / 24} day(s)` : `every ${hours} hour(s)`;

export default rule({
  id: 'ECS-INJECT-ROTATED',
  explanation:
    'A value ECS injects is read once, at task start; injecting a value that rotates (database password, alternating users, generated value) leaves running tasks with dead credentials unless the catalog says why no task outlives it.',
  fact: {
    limit:
      'injected secrets are read when the task starts; a new value needs new tasks (alternating users keeps the previous login one rotation longer)',
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables; Secrets Manager User Guide: Rotation strategies',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (!r) continue;
      const keys = rotatedKeys(r);
      const hours = scheduleOf(r.schedule).frequency?.minHours ?? Infinity;
      for (const a of s.spec.ecs ?? []) {
        const hit = (a.inject ?? []).filter((i) => i.jsonKey === undefined || keys === undefined || keys.includes(i.jsonKey));
        if (hit.length === 0) continue;
        const reason = (a.rotatedInjectionReason ?? '').trim();
        if (reason.length >= 20) continue;
        const what = hit.map((i) => i.env).join(', ');
        const life =
          r.kind === 'generated'
            ? `the generated rotation replaces it ${every(hours)}`
            : r.strategy === 'alternating-users'
              ? `alternating users rotates it ${every(hours)} and the previous login stops working at the rotation after, so a task can hold a dead login ${every(hours).replace('every', 'after as little as')}`
              : `${r.strategy} rotation changes the password ${every(hours)}, at once`;
        yield onSecret(
          s,
          `${a.service} injects ${what} at task start, but ${life}; running tasks keep the old value${reason ? ' (rotatedInjectionReason is under 20 characters)' : ''}`,
          `read it at run time (ecs runtime: true, with the rotation-aware client); if no task of ${a.service} outlives the value, say why in rotatedInjectionReason (20+ characters)`,
        );
      }
    }
  },
});
