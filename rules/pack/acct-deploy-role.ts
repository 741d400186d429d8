import { on, rule } from '../rule';

export default rule({
  id: 'ACCT-DEPLOY-ROLE',
  explanation: "The deploy role is an IAM role of the environment's own account.",
  fact: {
    limit: "arn:<partition>:iam::<account>:role/<name>; the provider's allowed_account_ids refuses any other account",
    page: 'Terraform AWS provider: assume_role / allowed_account_ids',
  },
  *check({ plan }) {
    const arn = plan.deployRoleArn;
    if (arn !== undefined) {
      const m = /^arn:[a-z-]+:iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/.exec(arn);
      if (!m) yield on('environment', `deployRoleArn "${arn}" is not an IAM role ARN`, `write arn:aws:iam::${plan.accountId}:role/<name>`);
      else if (m[1] !== plan.accountId)
        yield on(
          'environment',
          `deployRoleArn is in account ${m[1]}, not this environment's account ${plan.accountId}`,
          `use the deploy role of account ${plan.accountId}`,
        );
    }
  },
});
