import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-REPLICA-PRIMARY',
  explanation: 'A replica in the primary region is refused by Secrets Manager.',
  fact: { limit: 'replica Regions differ from the primary Region', page: 'Secrets Manager User Guide: Replicate secrets across Regions' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if ((s.spec.replicas ?? []).includes(plan.region))
        yield onSecret(s, `replica region ${plan.region} is the primary region`, 'remove it, or choose another region');
    }
  },
});
