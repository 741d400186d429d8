import { onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-JSON-KEY-CHARS',
  explanation:
    'A JSON key that ECS injects has no ".", ":" or white space and is not empty: valueFrom splits on ":" and ECS refuses the others. Keys read at run time with the SDK may hold any character.',
  fact: {
    limit: 'valueFrom is <secret-arn>:<json-key>:<version-stage>:<version-id>',
    page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const seen = new Set<string>();
      for (const a of s.spec.ecs ?? [])
        for (const i of a.inject ?? []) {
          const k = i.jsonKey;
          if (k === undefined || seen.has(k) || !(k === '' || /[.:\s]/.test(k))) continue;
          seen.add(k);
          yield onSecret(
            s,
            `${a.service} injects JSON key "${k}", which ${k === '' ? 'is empty' : 'contains ".", ":" or white space'}: ECS cannot name it in valueFrom`,
            `rename the key (e.g. "${k.replace(/[.:\s]+/g, '_') || 'value'}") or read the secret at run time (runtime: true)`,
          );
        }
    }
  },
});
