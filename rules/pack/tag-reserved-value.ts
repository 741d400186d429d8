import { on, onSecret, rule } from '../rule';

const reserved = (k: string) => /^secrets-platform:/i.test(k);

export default rule({
  id: 'TAG-RESERVED-VALUE',
  explanation:
    'Tags under secrets-platform: tell the values step which value version Terraform applied and which it wrote; a catalog tag must not set them.',
  fact: { limit: "the values step decides from the secret's tags alone (DescribeSecret)", page: 'docs/values.md (value versions)' },
  *check({ plan }) {
    for (const k of Object.keys(plan.catalog.tags ?? {})) {
      if (reserved(k))
        yield on(
          'tags',
          `environment tag "${k}" would reach every secret as a default tag and is reserved for the values step`,
          'rename the tag',
        );
    }
    for (const s of plan.secrets) {
      for (const k of Object.keys(s.spec.tags ?? {})) {
        if (reserved(k))
          yield onSecret(
            s,
            `catalog tag "${k}" is reserved for the values step`,
            'remove the tag; raise value.version to write a new value',
          );
      }
    }
  },
});
