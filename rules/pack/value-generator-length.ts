import { onSecret, rule } from '../rule';
import { generators } from '../values';

export default rule({
  id: 'VALUE-GENERATOR-LENGTH',
  explanation: 'GetRandomPassword makes passwords of 1 to 4,096 characters, and excludes at most 4,096 characters.',
  fact: { limit: 'PasswordLength 1-4096; ExcludeCharacters 0-4096 characters', page: 'Secrets Manager API Reference: GetRandomPassword' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const [field, rules] of generators(s.value)) {
        if (!Number.isInteger(rules.length) || rules.length < 1 || rules.length > 4096)
          yield onSecret(s, `generated ${field} length ${rules.length} is outside 1..4096`, 'choose a length between 16 and 4096');
        if ((rules.excludeCharacters ?? '').length > 4096)
          yield onSecret(
            s,
            `generated ${field} excludes ${rules.excludeCharacters!.length} characters; GetRandomPassword takes at most 4096`,
            'exclude fewer characters, or use format alphanumeric',
          );
      }
    }
  },
});
