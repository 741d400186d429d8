import { on, rule } from '../rule';
import { MAX_MANAGED_POLICIES_PER_ROLE } from '../../plan/policies/access';

export default rule({
  id: 'POLICY-CONSUMER-COUNT',
  explanation: "A role attaches at most 10 managed policies, so a reader's consumer policies must fit in 10.",
  fact: { limit: 'managed policies attached to a role: 10 (default quota)', page: 'IAM and AWS STS quotas' },
  *check({ plan }) {
    for (const r of plan.readers) {
      const n = r.consumerPolicies?.length ?? 0;
      if (n > MAX_MANAGED_POLICIES_PER_ROLE)
        yield on(
          `reader ${r.name}`,
          `the consumer managed policies a reading role attaches would be ${n} policies; AWS allows ${MAX_MANAGED_POLICIES_PER_ROLE}`,
          'share fewer secrets with this reader, or group them into JSON secrets',
        );
    }
  },
});
