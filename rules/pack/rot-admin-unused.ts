import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-ADMIN-UNUSED',
  explanation: 'Single-user rotation ignores adminSecret; naming one suggests the wrong strategy.',
  fact: { limit: 'single user rotation changes its own password', page: 'Secrets Manager User Guide: Rotation strategies' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'database' && r.strategy === 'single-user' && r.adminSecret)
        yield onSecret(s, 'single-user rotation ignores adminSecret', 'remove adminSecret or use strategy "admin"');
    }
  },
});
