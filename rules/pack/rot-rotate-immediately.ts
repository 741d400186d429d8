import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-ROTATE-IMMEDIATELY',
  explanation:
    'Who writes the first value decides whether rotation starts at creation; a catalog setting that says otherwise would rotate an empty secret or leave one empty.',
  fact: {
    limit: 'RotateSecret with RotateImmediately runs the rotation at once; without it, the first rotation waits for the schedule',
    page: 'Secrets Manager API Reference: RotateSecret (RotateImmediately); docs/values.md',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const asked = s.spec.rotation?.schedule.rotateImmediately;
      const decided = s.rotation?.schedule.rotateImmediately;
      if (asked === undefined || decided === undefined || asked === decided) continue;
      if (asked) {
        yield onSecret(
          s,
          "rotateImmediately is true, but the values step writes the first value after apply (and starts a database's first rotation itself); rotating at creation would run on an empty secret",
          'remove rotateImmediately',
        );
      } else {
        yield onSecret(
          s,
          'rotateImmediately is false, but only its rotation writes this value; the secret would stay empty until the first scheduled rotation',
          'remove rotateImmediately (rotation writes the first value at creation)',
        );
      }
    }
  },
});
