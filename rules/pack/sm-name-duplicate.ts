import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-DUPLICATE',
  explanation: 'A secret name is unique in an account and region.',
  fact: {
    limit: 'secret names are unique per account and Region',
    page: 'Secrets Manager API Reference: CreateSecret (ResourceExistsException)',
  },
  *check({ plan }) {
    const seen = new Map<string, string>();
    for (const s of plan.secrets) {
      const other = seen.get(s.name);
      if (other !== undefined && other !== s.id)
        yield onSecret(s, `name "${s.name}" is also used by secret id "${other}"`, 'give each secret a distinct service/component/type');
      else seen.set(s.name, s.id);
    }
  },
});
