import { onSecret, rule } from '../rule';
import { closest } from '../../catalogs/parse';

export default rule({
  id: 'ROT-ADMIN-UNKNOWN',
  explanation: 'adminSecret names a secret of the same catalog.',
  fact: {
    limit: 'the rotation function reads the admin secret by name from the same account',
    page: 'Secrets Manager User Guide: Rotation strategies',
  },
  *check({ plan }) {
    const ids = new Set(plan.secrets.map((s) => s.id));
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'database' && r.adminSecret && !ids.has(r.adminSecret)) {
        const guess = closest(r.adminSecret, [...ids]);
        yield onSecret(
          s,
          `adminSecret "${r.adminSecret}" is not a secret of this environment`,
          guess ? `did you mean "${guess}"?` : 'use the id of a secret in this catalog',
        );
      }
    }
  },
});
