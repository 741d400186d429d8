import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-ADMIN-SELF',
  explanation: 'A secret cannot be its own admin secret.',
  fact: { limit: "the admin login changes another user's password", page: 'Secrets Manager User Guide: Rotation strategies' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'database' && r.strategy !== 'single-user' && r.adminSecret === s.id)
        yield onSecret(s, 'adminSecret is the secret itself', 'use single-user, or a separate admin secret');
    }
  },
});
