import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-BINARY',
  explanation: 'ECS injects SecretString only; a binary secret cannot be injected.',
  fact: {
    limit: 'ECS secrets take the SecretString',
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const a of s.spec.ecs ?? [])
        if ((a.inject ?? []).length > 0 && s.binary)
          yield onSecret(s, `ECS cannot inject binary secret into ${a.service}`, 'read it at run time (runtime: true) instead');
    }
  },
});
