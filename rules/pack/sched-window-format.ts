import { onSecret, rule } from '../rule';
import { windowHours } from '../schedule';

export default rule({
  id: 'SCHED-WINDOW-FORMAT',
  explanation: 'A rotation window is a whole number of hours from 1h to 24h.',
  fact: {
    limit: 'Duration: e.g. 3h; windows as small as one hour, within one UTC day',
    page: 'Secrets Manager User Guide: Rotation schedules (Rotation windows)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const w = s.spec.rotation?.schedule.window;
      if (w !== undefined && windowHours(w) === undefined)
        yield onSecret(s, `window "${w}" is not 1h..24h`, 'write the window in whole hours, e.g. "3h"');
    }
  },
});
