import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-SUFFIX',
  explanation: 'A name ending in "-" and six characters is confused with the random suffix Secrets Manager appends to ARNs.',
  fact: {
    limit: 'do not end a secret name with a hyphen followed by six characters',
    page: 'Secrets Manager API Reference: CreateSecret (Name)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (/-[A-Za-z0-9]{6}$/.test(s.name))
        yield onSecret(
          s,
          `name "${s.name}" ends with "-" and six characters, like the random ARN suffix, so partial-ARN lookups become ambiguous`,
          'change the last segment, e.g. "api-key" instead of "key-abc123"',
        );
    }
  },
});
