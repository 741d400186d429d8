import { onSecret, rule } from '../rule';

export default rule({
  id: 'CAT-ID-DUPLICATE',
  explanation: 'Two secrets with one id would be one resource in Terraform; cdktf stops with a construct error.',
  fact: { limit: 'ids are unique in an environment', page: 'CDK for Terraform: Constructs (unique construct ids)' },
  *check({ plan }) {
    const seen = new Set<string>();
    for (const s of plan.secrets) {
      if (seen.has(s.id)) yield onSecret(s, `id "${s.id}" is used twice`, 'give each secret its own id');
      seen.add(s.id);
    }
  },
});
