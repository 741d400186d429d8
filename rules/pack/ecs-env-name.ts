import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-ENV-NAME',
  explanation: 'An injected secret becomes an environment variable, whose name is letters, digits and "_" and does not start with a digit.',
  fact: {
    limit: "container secrets: name is the environment variable's name",
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const a of s.spec.ecs ?? [])
        for (const i of a.inject ?? []) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(i.env))
            yield onSecret(
              s,
              `${a.service}: "${i.env}" is not a valid environment variable name`,
              `use letters, digits and "_", e.g. "${
                i.env
                  .replace(/[^A-Za-z0-9_]/g, '_')
                  .replace(/^(\d)/, '_$1')
                  .toUpperCase() || 'API_KEY'
              }"`,
            );
        }
    }
  },
});
