import { isProduction, on, rule } from '../rule';

export default rule({
  id: 'KMS-DELETION-WINDOW',
  explanation: 'A KMS key waits 7 to 30 days before deletion; production waits 30.',
  fact: { limit: 'PendingWindowInDays: 7-30', page: 'AWS KMS API Reference: ScheduleKeyDeletion' },
  *check({ plan }) {
    const kd = plan.catalog.keyDeletionWindowDays;
    if (!Number.isInteger(kd) || kd < 7 || kd > 30 || (isProduction(plan) && kd !== 30)) {
      yield on(
        'environment',
        `key deletion window ${kd} days (7..30, 30 in production)`,
        isProduction(plan) ? 'set keyDeletionWindowDays to 30' : 'set keyDeletionWindowDays between 7 and 30',
      );
    }
  },
});
