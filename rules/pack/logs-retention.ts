import { on, rule } from '../rule';
import { LOG_RETENTION_DAYS } from '../support';

export default rule({
  id: 'LOGS-RETENTION',
  explanation: 'CloudWatch Logs accepts only its listed retention periods.',
  fact: {
    limit: 'retentionInDays: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    page: 'Amazon CloudWatch Logs API Reference: PutRetentionPolicy',
  },
  *check({ plan }) {
    const days = plan.catalog.logRetentionDays;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
      const next = LOG_RETENTION_DAYS.find((d) => d >= days) ?? 3653;
      yield on(
        'environment',
        `logRetentionDays ${days} is not a retention CloudWatch Logs accepts`,
        `use ${next} (allowed: ${LOG_RETENTION_DAYS.join(', ')})`,
      );
    }
  },
});
