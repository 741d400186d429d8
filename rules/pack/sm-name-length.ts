import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-LENGTH',
  explanation: 'A secret name is 1 to 512 characters.',
  fact: { limit: 'Name: 1-512 characters', page: 'Secrets Manager API Reference: CreateSecret (Name)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.name.length < 1 || s.name.length > 512)
        yield onSecret(
          s,
          `name is ${s.name.length} characters; Secrets Manager allows 1 to 512`,
          'shorten the service/component/type parts (or the name override)',
        );
    }
  },
});
