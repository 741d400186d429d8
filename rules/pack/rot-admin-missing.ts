import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-ADMIN-MISSING',
  explanation: 'The admin and alternating-users strategies log in with an admin secret.',
  fact: { limit: 'alternating users and admin rotation need a superuser secret', page: 'Secrets Manager User Guide: Rotation strategies' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'database' && r.strategy !== 'single-user' && !r.adminSecret)
        yield onSecret(s, `strategy ${r.strategy} needs adminSecret`, 'name the catalog id of the admin (master) secret');
    }
  },
});
