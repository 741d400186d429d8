import { onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-JSON-EMPTY',
  explanation: 'A JSON value with no keys writes "{}", which no reader can use.',
  fact: { limit: 'a JSON secret holds at least one key', page: 'Secrets Manager User Guide: JSON structure of secrets' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.spec.value.kind === 'json' && (s.jsonKeys ?? []).length === 0)
        yield onSecret(s, 'JSON value declares no keys', 'add fields, generated or deployTime keys, or use kind "external"');
    }
  },
});
