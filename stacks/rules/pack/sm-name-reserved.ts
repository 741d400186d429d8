import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-RESERVED',
  explanation: 'Names starting with aws/ belong to secrets that AWS services manage.',
  fact: { limit: 'the aws/ prefix is reserved for AWS-managed secrets', page: 'Secrets Manager User Guide: Secrets managed by other AWS services' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (/^aws\//i.test(s.name)) yield onSecret(s, `name "${s.name}" starts with "aws/", the prefix of secrets AWS services manage`, `start the name with "${plan.namePrefix}/"`);
    }
  },
});
