import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-MANAGED-KEY-SHARED',
  explanation: 'Another account cannot decrypt a secret under the AWS-managed key aws/secretsmanager.',
  fact: {
    limit: 'cross-account access requires a customer managed key',
    page: 'Secrets Manager User Guide: Access AWS Secrets Manager secrets from a different account',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.spec.awsManagedKey && s.readers.some((r) => r.kind === 'account' || r.kind === 'organization')) {
        yield onSecret(
          s,
          'is shared with another account but uses the AWS-managed key, which other accounts cannot use',
          "remove awsManagedKey so the secret uses the category's customer-managed key",
        );
      }
    }
  },
});
