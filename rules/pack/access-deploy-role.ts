import { on, rule } from '../rule';

export default rule({
  id: 'ACCESS-DEPLOY-ROLE',
  explanation:
    "Every secret's deny-by-default resource policy names the deploy role as its only manager, so an environment with secrets must name it.",
  fact: {
    limit: 'a Deny in a resource policy applies to every principal not exempted, administrators included',
    page: 'IAM User Guide: Policy evaluation logic (explicit deny)',
  },
  *check({ plan }) {
    if (plan.secrets.length > 0 && !plan.deployRoleArn) {
      yield on(
        'environment',
        "no deployRoleArn: every secret's resource policy names the deploy role as its only manager",
        'set deployRoleArn to the role Terraform runs as',
      );
    }
  },
});
