import { onSecret, rule } from '../rule';
import { engineFamily, secretEngine } from '../rotation';

export default rule({
  id: 'ROT-ADMIN-ENGINE',
  explanation: 'The admin secret must log in to the same kind of database as the secret it rotates.',
  fact: {
    limit: "the admin login connects with the rotated secret's engine driver",
    page: 'Secrets Manager User Guide: Rotation strategies',
  },
  *check({ plan }) {
    const byId = new Map(plan.secrets.map((s) => [s.id, s]));
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database' || !r.adminSecret) continue;
      const admin = byId.get(r.adminSecret);
      const adminEngine = admin ? secretEngine(admin) : undefined;
      if (adminEngine && engineFamily(adminEngine) !== engineFamily(r.engine))
        yield onSecret(
          s,
          `admin secret ${r.adminSecret} is for ${adminEngine}, but this secret rotates on ${r.engine}`,
          `name the ${r.engine} admin secret`,
        );
    }
  },
});
