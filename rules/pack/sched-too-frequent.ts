import { onSecret, rule } from '../rule';
import { rotationSchedules } from '../schedule';

export default rule({
  id: 'SCHED-TOO-FREQUENT',
  explanation: 'Secrets Manager rotates at most every four hours; ranges, steps and lists count towards the real frequency.',
  fact: { limit: 'rotate as often as every four hours', page: 'Secrets Manager User Guide: Rotation schedules' },
  *check({ plan }) {
    for (const { s, sc, f } of rotationSchedules(plan)) {
      if (f && f.minHours < 4)
        yield onSecret(
          s,
          `"${sc.expression ?? `${sc.afterDays} days`}" rotates ${f.minHours} hour(s) apart at its closest; Secrets Manager allows every 4 hours at most`,
          'rotate at most every 4 hours, e.g. "rate(4 hours)" or "cron(0 */4 * * ? *)"',
        );
    }
  },
});
