import { onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-JSON-KEY-TWICE',
  explanation: 'A JSON key declared twice (in fields, generated or deployTime) has one value only; the others are lost.',
  fact: { limit: 'JSON object keys are unique', page: 'RFC 8259 (JSON), section 4; Secrets Manager stores the JSON text as given' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind !== 'json') continue;
      const keys = [...Object.keys(v.fields), ...Object.keys(v.generated ?? {}), ...(v.deployTime ?? [])];
      const dup = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
      if (dup.length > 0)
        yield onSecret(
          s,
          `JSON key(s) ${dup.join(', ')} are declared more than once`,
          'declare each key in one of fields, generated or deployTime',
        );
    }
  },
});
