import { onSecret, rule } from '../rule';
import { engineFamily } from '../rotation';

export default rule({
  id: 'ROT-LOGIN-SHARED',
  explanation: 'Two rotated secrets for one database login rotate its password independently: each rotation invalidates the password the other secret holds.',
  fact: { limit: 'single user rotation changes the password of the user in the secret; one secret per user', page: 'Secrets Manager User Guide: Rotation strategies (single user)' },
  *check({ plan }) {
    const first = new Map<string, string>();
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      const v = s.spec.value;
      if (r?.kind !== 'database' || v.kind !== 'json' || typeof v.fields.username !== 'string' || typeof v.fields.host !== 'string') continue;
      const key = [engineFamily(r.engine), v.fields.host.toLowerCase(), String(v.fields.port ?? ''), v.fields.username].join('\u0000');
      const other = first.get(key);
      if (other !== undefined) yield onSecret(s, `rotates user ${v.fields.username} on ${v.fields.host}, as secret ${other} does: each rotation would break the other secret's password`, `keep one secret per login (read ${other} instead), or give this secret its own user`);
      else first.set(key, s.id);
    }
  },
});
