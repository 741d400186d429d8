import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-ENV-DUPLICATE',
  explanation: 'Two injected secrets with one variable name in one service: one silently wins (or the task definition is refused).',
  fact: {
    limit: 'environment variable names are unique in a container definition',
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables',
  },
  *check({ plan }) {
    for (const e of plan.ecsServices) {
      const first = new Map<string, string>();
      for (const c of e.containerSecrets) {
        const other = first.get(c.name);
        if (other !== undefined)
          yield onSecret(
            { id: c.secretId },
            `${e.service} injects ${c.name} twice (also from secret ${other})`,
            'give each injected variable its own name',
          );
        else first.set(c.name, c.secretId);
      }
    }
  },
});
