import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-JSON-WHOLE',
  explanation: 'Generated rotation of a JSON secret without jsonKey would replace the whole JSON with one random string.',
  fact: {
    limit: 'rotation writes the whole SecretString unless told which key to regenerate',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'generated' && r.jsonKey === undefined && s.jsonKeys !== undefined)
        yield onSecret(
          s,
          'generated rotation of a JSON secret has no jsonKey: it would overwrite every key with one random string',
          `set rotation.jsonKey to the key to regenerate (one of: ${s.jsonKeys.join(', ') || 'none declared'})`,
        );
    }
  },
});
