import { onSecret, rule } from '../rule';

export default rule({
  id: 'SCHED-DAYS-RANGE',
  explanation: 'afterDays is a whole number of days from 1 to 1,000.',
  fact: { limit: 'AutomaticallyAfterDays: 1-1000', page: 'Secrets Manager API Reference: RotationRulesType' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const d = s.spec.rotation?.schedule.afterDays;
      if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > 1000))
        yield onSecret(s, `afterDays ${d} is not a whole number from 1 to 1000`, 'use a whole number of days from 1 to 90');
    }
  },
});
