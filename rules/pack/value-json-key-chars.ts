import { onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-JSON-KEY-CHARS',
  explanation: 'JSON keys with "." or ":" (or empty ones) break ECS valueFrom (arn:key:stage:version) and dynamic references; deploy-time keys also name Terraform variables.',
  fact: { limit: 'valueFrom is <secret-arn>:<json-key>:<version-stage>:<version-id>', page: 'Amazon ECS Developer Guide: Pass Secrets Manager secrets through environment variables' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const k of s.jsonKeys ?? []) {
        if (k === '' || /[.:]/.test(k) || /\s/.test(k)) yield onSecret(s, `JSON key "${k}" ${k === '' ? 'is empty' : 'contains "." , ":" or white space'}, which breaks ECS valueFrom and Terraform variable names`, `rename it, e.g. "${k.replace(/[.:\s]+/g, '_') || 'value'}"`);
      }
    }
  },
});
