import { on, onSecret, rule } from '../rule';

export default rule({
  id: 'TAG-COUNT',
  explanation: "A resource has at most 50 tags, and the provider's default_tags count with its own tags.",
  fact: {
    limit: '50 user tags per resource (default_tags included)',
    page: 'Tagging AWS resources: tag naming limits and requirements; Terraform AWS provider: default_tags',
  },
  *check({ plan }) {
    const defaults = Object.keys(plan.defaultTags);
    const union = (own: readonly string[]) => new Set([...defaults, ...own]).size;
    const base = union(Object.keys(plan.resourceTags));
    if (base > 50)
      yield on(
        'tags',
        `the provider's default tags and the resource tags add up to ${base} tags on every resource; AWS allows 50`,
        "drop tags from the environment's tags",
      );
    for (const s of plan.secrets) {
      const n = union(Object.keys(s.tags));
      if (n > 50 && base <= 50)
        yield onSecret(
          s,
          `would carry ${n} tags (${defaults.length} default tags, ${Object.keys(s.tags).length} of its own, counted once per key); AWS allows 50`,
          `drop ${n - 50} tag(s) from the secret or the environment`,
        );
    }
  },
});
