import { onSecret, rule } from '../rule';
import { engineFamily } from '../rotation';

export default rule({
  id: 'ROT-ENGINE-MISMATCH',
  explanation: "The rotation engine and the secret's engine field must agree (mysql and mariadb are one family).",
  fact: {
    limit: 'engine field of the database credentials JSON',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      const v = s.spec.value;
      if (r?.kind !== 'database' || v.kind !== 'json' || typeof v.fields.engine !== 'string') continue;
      if (engineFamily(v.fields.engine) !== engineFamily(r.engine))
        yield onSecret(s, `rotation engine ${r.engine} differs from the secret's engine field ${v.fields.engine}`, 'make them agree');
    }
  },
});
