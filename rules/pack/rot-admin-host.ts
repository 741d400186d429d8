import { onSecret, rule } from '../rule';
import { addressText, databaseAddress } from '../rotation';

export default rule({
  id: 'ROT-ADMIN-HOST',
  explanation:
    "The admin secret of a rotation logs in to the same database (host and port, normalised) as the login it rotates; an admin of another server cannot change this login's password.",
  fact: {
    limit:
      "the rotation function connects with the admin (superuser) secret to the database in the rotated secret and changes the user's password there",
    page: 'Secrets Manager User Guide: Rotation strategies (alternating users; single user with a superuser)',
  },
  *check({ plan }) {
    const byId = new Map(plan.secrets.map((s) => [s.id, s]));
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database' || r.strategy === 'single-user' || !r.adminSecret || r.adminSecret === s.id) continue;
      const admin = byId.get(r.adminSecret);
      const mine = databaseAddress(s);
      const theirs = admin && databaseAddress(admin);
      // Engines are ROT-ADMIN-ENGINE's; an external admin secret keeps its host out of the catalog.
      if (!mine || !theirs || mine.family !== theirs.family) continue;
      if (mine.host !== theirs.host || mine.port !== theirs.port) {
        yield onSecret(
          s,
          `admin secret ${r.adminSecret} logs in to ${addressText(theirs)}, but this login lives on ${addressText(mine)}`,
          `name the admin secret of ${addressText(mine)} as adminSecret (or correct the host or port of one of them)`,
        );
      }
    }
  },
});
