import { onSecret, rule } from '../rule';
import { isMasterLogin } from '../rotation';

export default rule({
  id: 'ACCESS-MASTER-READERS',
  explanation:
    "No application holds master credentials: a database master or admin login (one that drives another login's rotation, or that the catalog calls master, admin or root, or an engine's default superuser) is read by rotation functions only, never by a reader or an ECS service.",
  fact: {
    limit: 'a master (CREATEROLE, or CREATE USER) login controls every login of the database',
    page: 'Secrets Manager User Guide: Rotation by alternating users; Amazon RDS User Guide: Master user account privileges',
  },
  *check({ plan }) {
    const adminIds = new Set(plan.rotationFunctions.flatMap((f) => f.adminSecretIds));
    for (const s of plan.secrets) {
      const why = adminIds.has(s.id) ? 'drives the rotation of other logins' : isMasterLogin(s);
      if (!why) continue;
      const holders = [...(s.spec.readers ?? []).map((r) => `reader ${r}`), ...(s.spec.ecs ?? []).map((a) => `ECS service ${a.service}`)];
      if (holders.length > 0) {
        yield onSecret(
          s,
          `${why}, yet ${holders.join(', ')} would read it`,
          'give applications their own login (a secret rotated with alternating users, adminSecret pointing at this one) and remove readers and ecs from this one',
        );
      }
    }
  },
});
