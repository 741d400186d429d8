import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-MANAGED-KEY-REPLICA',
  explanation: 'Replicas of a secret under the AWS-managed key use aws/secretsmanager in their region, outside our key policies.',
  fact: {
    limit: 'replicas are encrypted with the KMS key given per Region (default aws/secretsmanager)',
    page: 'Secrets Manager User Guide: Replicate secrets across Regions',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.spec.awsManagedKey && s.replicas.length > 0)
        yield onSecret(
          s,
          'replicas would use aws/secretsmanager in their region',
          'remove awsManagedKey so replicas use the category key in their region',
        );
    }
  },
});
