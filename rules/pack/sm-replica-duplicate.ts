import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-REPLICA-DUPLICATE',
  explanation: 'A region listed twice as a replica is refused by ReplicateSecretToRegions.',
  fact: { limit: 'each replica Region once', page: 'Secrets Manager API Reference: ReplicateSecretToRegions' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const rs = s.spec.replicas ?? [];
      for (const r of new Set(rs.filter((x, i) => rs.indexOf(x) !== i)))
        yield onSecret(s, `replica region ${r} is listed twice`, 'list each region once');
    }
  },
});
