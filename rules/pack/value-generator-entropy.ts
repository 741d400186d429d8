import { onSecret, rule } from '../rule';
import { MIN_ENTROPY_BITS } from '../../lambdas/rotation/contract';
import { characterTypes, generators } from '../values';

export default rule({
  id: 'VALUE-GENERATOR-ENTROPY',
  explanation: 'A generated value carries at least 96 bits of entropy (a 6-character signing key does not).',
  fact: {
    limit: '96 bits: length x log2(alphabet size)',
    page: "NIST SP 800-63B / OWASP: secret strength (the project's floor, shared with the rotation functions)",
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const [field, rules] of generators(s.value)) {
        const alphabet = characterTypes(rules.excludePunctuation)
          .map(([, c]) => c)
          .join('');
        const n = [...alphabet].filter((c) => !(rules.excludeCharacters ?? '').includes(c)).length;
        const bits = n < 2 ? 0 : rules.length * Math.log2(n);
        if (n >= 2 && rules.length >= 1 && bits < MIN_ENTROPY_BITS) {
          yield onSecret(
            s,
            `generated ${field}: ${rules.length} characters from ${n} carry ${Math.floor(bits)} bits of entropy, fewer than ${MIN_ENTROPY_BITS}`,
            `use at least ${Math.ceil(MIN_ENTROPY_BITS / Math.log2(n))} characters`,
          );
        }
      }
    }
  },
});
