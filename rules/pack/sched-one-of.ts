import { onSecret, rule } from '../rule';

export default rule({
  id: 'SCHED-ONE-OF',
  explanation: 'A rotation schedule is either a number of days or an expression, not both and not neither.',
  fact: { limit: 'AutomaticallyAfterDays or ScheduleExpression, but not both', page: 'Secrets Manager API Reference: RotationRulesType' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const sc = s.spec.rotation?.schedule;
      if (!sc) continue;
      const both = sc.afterDays !== undefined && sc.expression !== undefined;
      if (both || (sc.afterDays === undefined && sc.expression === undefined))
        yield onSecret(
          s,
          both ? 'schedule sets both afterDays and expression' : 'schedule sets neither afterDays nor expression',
          'set exactly one of schedule.afterDays or schedule.expression',
        );
    }
  },
});
