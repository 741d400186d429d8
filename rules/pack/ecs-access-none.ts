import { onSecret, rule } from '../rule';

export default rule({
  id: 'ECS-ACCESS-NONE',
  explanation:
    'An ecs entry that neither injects the secret nor reads it at run time grants the service nothing, though the catalog reads as if it did.',
  fact: {
    limit: 'the task execution role reads injected secrets; the task role reads secrets the application fetches',
    page: 'Amazon ECS Developer Guide: Amazon ECS task execution IAM role / Amazon ECS task IAM role',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const a of s.spec.ecs ?? []) {
        if ((a.inject ?? []).length === 0 && !a.runtime)
          yield onSecret(
            s,
            `ECS service ${a.service} is listed but neither injects the secret nor reads it at run time, so it gets no access`,
            'add runtime: true (read with the SDK) or inject: [{ env: "NAME" }], or remove the entry',
          );
      }
    }
  },
});
