import { rule } from '../rule';
import { policySize } from '../../plan/policy';

export default rule({
  id: 'POLICY-SIZE',
  explanation: "Each policy document, measured as written (ARNs at full length, no whitespace), fits AWS's size limit for its kind.",
  fact: {
    limit:
      'IAM inline 10,240 / managed 6,144 / trust 2,048; KMS key policy 32,768; secret resource policy 20,480; endpoint 20,480; SNS 30,720 characters',
    page: 'IAM and AWS STS quotas; AWS KMS quotas; Secrets Manager quotas; AWS PrivateLink quotas; Amazon SNS quotas',
  },
  *check({ plan }) {
    for (const d of plan.documents) {
      const size = policySize(d.document);
      if (size > d.limit)
        yield {
          ...(d.secretId ? { secretId: d.secretId } : { name: d.subject }),
          message: `${d.what} would be ${size} characters; AWS allows ${d.limit} (${d.limitSource})`,
          fix: d.fix,
        };
    }
  },
});
