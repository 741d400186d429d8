import { onSecret, rule } from '../rule';
import { rotationSchedules } from '../schedule';

export default rule({
  id: 'SCHED-TOO-RARE',
  explanation:
    'Secrets rotate at least every 90 days, counting the longest gap of a cron (a yearly or monthly-restricted cron slips past it).',
  fact: {
    limit: 'rotation at least every 90 days',
    page: 'AWS Security Hub: [SecretsManager.4] Secrets Manager secrets should be rotated within a specified number of days',
  },
  *check({ plan }) {
    for (const { s, sc, f } of rotationSchedules(plan)) {
      if (!f || f.maxHours <= 90 * 24) continue;
      const what = sc.expression ?? `every ${sc.afterDays} days`;
      const gap = Number.isFinite(f.maxHours) ? `up to ${Math.round(f.maxHours / 24)} days apart` : 'at most once in four years';
      yield onSecret(
        s,
        `"${what}" rotates ${gap}; secrets must rotate at least every 90 days`,
        'rotate at least every 90 days, e.g. "rate(30 days)" or "cron(0 4 1 * ? *)"',
      );
    }
  },
});
