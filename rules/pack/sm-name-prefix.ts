import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-PREFIX',
  explanation:
    "Every secret name starts with the environment's prefix, which the rotation permissions, the endpoint and reviewers rely on.",
  fact: {
    limit: 'names <prefix>/...; the bulk rotation policy grants secret:<prefix>/*',
    page: 'IAM User Guide: Secrets Manager resource ARNs in policies (wildcard resources)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (!s.name.startsWith(`${plan.namePrefix}/`))
        yield onSecret(
          s,
          `name "${s.name}" is outside this environment's prefix "${plan.namePrefix}/"`,
          `start the name with "${plan.namePrefix}/" (or drop the name override)`,
        );
    }
  },
});
