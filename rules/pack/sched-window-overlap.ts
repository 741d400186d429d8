import { onSecret, rule } from '../rule';
import { rotationSchedules } from '../schedule';

export default rule({
  id: 'SCHED-WINDOW-OVERLAP',
  explanation: 'A rotation window must not reach into the next rotation window.',
  fact: {
    limit: 'for a schedule in hours, the window is at most the hours between rotations',
    page: 'Secrets Manager User Guide: Rotation schedules (Rotation windows)',
  },
  *check({ plan }) {
    for (const { s, sc, f, w } of rotationSchedules(plan)) {
      if (f && w !== undefined && w > f.minHours)
        yield onSecret(
          s,
          `window ${sc.window} is longer than the ${f.minHours} hours between two rotations`,
          `shorten the window to ${f.minHours}h or less, or rotate less often`,
        );
    }
  },
});
