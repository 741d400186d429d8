import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-RESERVED',
  explanation:
    'A name starting with aws/ reads as an AWS-owned name (aws/secretsmanager, alias/aws/...) and falls outside the environment prefix.',
  fact: {
    limit:
      'aws/ names AWS-owned resources (the AWS managed key aws/secretsmanager; KMS reserves alias/aws/); secrets that services manage carry a <service>! prefix',
    page: 'AWS KMS Developer Guide: AWS managed keys; Secrets Manager User Guide: Secrets managed by other AWS services',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (/^aws\//i.test(s.name))
        yield onSecret(
          s,
          `name "${s.name}" starts with "aws/", which reads as an AWS-owned name`,
          `start the name with "${plan.namePrefix}/"`,
        );
    }
  },
});
