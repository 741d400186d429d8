import { onSecret, rule } from '../rule';
import { badCharacters } from '../support';

export default rule({
  id: 'SM-NAME-CHARS',
  explanation: 'Secrets Manager names take letters, digits and /_+=.@- only.',
  fact: { limit: 'Name: letters, numbers and the characters /_+=.@-', page: 'Secrets Manager API Reference: CreateSecret (Name)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const bad = badCharacters(s.name, /[A-Za-z0-9/_+=.@-]/);
      if (bad)
        yield onSecret(
          s,
          `name "${s.name}" contains ${bad}; allowed are letters, digits and /_+=.@-`,
          'replace those characters, e.g. with "-"',
        );
    }
  },
});
