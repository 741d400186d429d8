import { onSecret, rule } from '../rule';
import { characterTypes, generators } from '../values';

export default rule({
  id: 'VALUE-GENERATOR-ALPHABET',
  explanation:
    'GetRandomPassword (as configured, one character of each included type) fails when exclusions empty a character type or the length is shorter than the number of types.',
  fact: {
    limit: 'RequireEachIncludedType: each of uppercase, lowercase, digits (and punctuation unless excluded) at least once',
    page: 'Secrets Manager API Reference: GetRandomPassword',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const [field, rules] of generators(s.value)) {
        const exclude = rules.excludeCharacters ?? '';
        const types = characterTypes(rules.excludePunctuation);
        const empty = types.filter(([, chars]) => [...chars].every((c) => exclude.includes(c))).map(([name]) => name);
        if (empty.length > 0)
          yield onSecret(
            s,
            `generated ${field} excludes every ${empty.join(' and every ')} character, but each included type must appear (the alphabet is ${empty.length === types.length ? 'empty' : 'missing a type'})`,
            'exclude fewer characters',
          );
        else if (rules.length < types.length)
          yield onSecret(
            s,
            `generated ${field} is ${rules.length} characters, fewer than the ${types.length} character types each value must contain`,
            'use a length of 16 or more',
          );
      }
    }
  },
});
