import { onSecret, rule } from '../rule';
import { rotationSchedules } from '../schedule';

export default rule({
  id: 'SCHED-WINDOW-MIDNIGHT',
  explanation: 'A rotation window must close by the end of its UTC day (start hour plus window at most 24).',
  fact: {
    limit: 'the rotation window must not extend into the next UTC day',
    page: 'Secrets Manager API Reference: RotationRulesType (Duration)',
  },
  *check({ plan }) {
    for (const { s, sc, f, w } of rotationSchedules(plan)) {
      if (w === undefined) continue;
      const late = f?.startHours.filter((h) => h + w > 24) ?? [];
      if (late.length > 0)
        yield onSecret(
          s,
          `window ${sc.window} opening at ${late[late.length - 1]}:00 UTC would run past midnight`,
          `start earlier or shorten the window to ${24 - late[late.length - 1]}h`,
        );
    }
  },
});
