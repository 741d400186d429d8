import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-DESCRIPTION-LENGTH',
  explanation: 'A secret description is at most 2,048 characters.',
  fact: { limit: 'Description: 0-2048 characters', page: 'Secrets Manager API Reference: CreateSecret (Description)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.description.length > 2048)
        yield onSecret(
          s,
          `description is ${s.description.length} characters; Secrets Manager allows 2048`,
          'shorten the description; keep long explanations in the README',
        );
    }
  },
});
