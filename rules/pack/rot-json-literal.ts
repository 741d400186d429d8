import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-JSON-LITERAL',
  explanation:
    'A generated rotation regenerates a secret key of the JSON (a generated or external one), never a literal field written from the catalog such as a host or region.',
  fact: {
    limit: 'rotation rewrites one key of the JSON and keeps the others',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      const v = s.spec.value;
      if (r?.kind !== 'generated' || r.jsonKey === undefined || v.kind !== 'json' || !Object.hasOwn(v.fields, r.jsonKey)) continue;
      const secretKeys = Object.keys(v.generated ?? {});
      yield onSecret(
        s,
        `rotation would replace the literal field "${r.jsonKey}" (written from the catalog, not a secret) with random characters`,
        secretKeys.length > 0
          ? `rotate one of the generated keys: ${secretKeys.join(', ')}`
          : `move "${r.jsonKey}" to value.generated, or rotate another key`,
      );
    }
  },
});
