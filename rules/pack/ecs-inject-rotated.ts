import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-INJECT-ROTATED',
  explanation: 'A password injected at task start goes stale when single-user or admin rotation changes it; running tasks keep the old one.',
  fact: { limit: 'injected values are read once, when the task starts', page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables (rotation needs a new deployment)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database' || r.strategy === 'alternating-users') continue;
      for (const a of s.spec.ecs ?? []) if ((a.inject ?? []).length > 0) yield onSecret(s, `${a.service} injects a password that ${r.strategy} rotation invalidates; running tasks keep the old one`, 'read it at run time (runtime: true), or use alternating-users rotation');
    }
  },
});
