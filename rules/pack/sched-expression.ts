import { onSecret, rule } from '../rule';
import { scheduleOf } from '../schedule';

export default rule({
  id: 'SCHED-EXPRESSION',
  explanation:
    'Schedule expressions follow Secrets Manager\'s rate() and cron() grammar (minutes 0, year *, one "?" of the two day fields).',
  fact: {
    limit: 'rate(Value hour|hours|day|days); cron(0 Hours Day-of-month Month Day-of-week *)',
    page: 'Secrets Manager User Guide: Rotation schedules (Schedule expressions)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const sc = s.spec.rotation?.schedule;
      if (!sc || sc.afterDays !== undefined) continue;
      const { error } = scheduleOf(sc);
      if (error) yield onSecret(s, error.message, error.fix);
    }
  },
});
