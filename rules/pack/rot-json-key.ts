import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-JSON-KEY',
  explanation: 'The JSON key a generated rotation regenerates must be a key of the secret.',
  fact: {
    limit: 'rotation rewrites one key of the JSON and keeps the others',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'generated' && r.jsonKey !== undefined && !s.jsonKeys?.includes(r.jsonKey)) {
        yield onSecret(
          s,
          `jsonKey "${r.jsonKey}" is not a key of this secret`,
          s.jsonKeys ? `use one of: ${s.jsonKeys.join(', ')}` : 'drop jsonKey: the secret is not JSON',
        );
      }
    }
  },
});
