import { onSecret, rule } from '../rule';

export default rule({
  id: 'ACCESS-MASTER-READERS',
  explanation: 'No application holds master credentials: a secret that drives another login\'s rotation is read by rotation functions only, never by a reader or an ECS service.',
  fact: { limit: 'a master (CREATEROLE, or CREATE USER) login controls every login of the database', page: 'Secrets Manager User Guide: Rotation by alternating users' },
  *check({ plan }) {
    const adminIds = new Set(plan.rotationFunctions.flatMap((f) => f.adminSecretIds));
    for (const s of plan.secrets.filter((x) => adminIds.has(x.id))) {
      const holders = [...(s.spec.readers ?? []).map((r) => `reader ${r}`), ...(s.spec.ecs ?? []).map((a) => `ECS service ${a.service}`)];
      if (holders.length > 0) {
        yield onSecret(s, `drives the rotation of other logins, yet ${holders.join(', ')} would read it`, 'give applications an application login rotated with alternating users (adminSecret pointing at this one) and remove readers/ecs from the master');
      }
    }
  },
});
