import { onSecret, rule } from '../rule';
import { DATABASE_KEYS } from '../rotation';

export default rule({
  id: 'ROT-ADMIN-FIELDS',
  explanation: 'The admin secret holds a whole login: engine, host, username, password.',
  fact: {
    limit: 'the JSON structure of database credentials',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    const byId = new Map(plan.secrets.map((s) => [s.id, s]));
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database' || r.strategy === 'single-user' || !r.adminSecret || r.adminSecret === s.id) continue;
      const admin = byId.get(r.adminSecret);
      if (admin && !DATABASE_KEYS.every((f) => admin.jsonKeys?.includes(f)))
        yield onSecret(
          s,
          `admin secret ${r.adminSecret} lacks ${DATABASE_KEYS.filter((f) => !admin.jsonKeys?.includes(f)).join('/')} keys`,
          'declare those keys on the admin secret',
        );
    }
  },
});
