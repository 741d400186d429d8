import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-JSON-KEY',
  explanation: 'An injected JSON key must be a key of the secret (ECS fails the task start otherwise).',
  fact: {
    limit: 'valueFrom <arn>:<json-key>:: requires the key to exist',
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const a of s.spec.ecs ?? [])
        for (const i of a.inject ?? []) {
          if (i.jsonKey === undefined) continue;
          if (!s.jsonKeys)
            yield onSecret(
              s,
              `${a.service} injects JSON key ${i.jsonKey}, but the secret is not JSON`,
              'drop jsonKey to inject the whole value',
            );
          else if (!s.jsonKeys.includes(i.jsonKey))
            yield onSecret(s, `${a.service} injects unknown JSON key "${i.jsonKey}"`, `use one of: ${s.jsonKeys.join(', ')}`);
        }
    }
  },
});
