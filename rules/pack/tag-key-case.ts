import { on, onSecret, rule } from '../rule';

export default rule({
  id: 'TAG-KEY-CASE',
  explanation:
    'Tag keys that differ only in case are one key to IAM: as default tags they fail every IAM role at apply, and on a secret two such keys are one condition key to aws:ResourceTag.',
  fact: {
    limit:
      'IAM tag keys are not case-sensitive (a request with Environment and environment fails); condition key names are not case-sensitive',
    page: 'IAM User Guide: Tagging IAM resources (Rules for tagging: case sensitivity); IAM JSON policy elements: Condition',
  },
  *check({ plan }) {
    // Default tags reach every resource, IAM roles included: the built-in ones first, then the catalog's.
    const defaults = new Map<string, string>();
    for (const k of Object.keys(plan.defaultTags)) {
      const other = defaults.get(k.toLowerCase());
      if (other !== undefined && other !== k)
        yield on(
          'tags',
          `environment tag "${k}" differs from the tag "${other}" only in case; IAM reads them as one key and refuses every role the stack creates`,
          `remove "${k}" (the platform sets "${other}")`,
        );
      else defaults.set(k.toLowerCase(), k);
    }
    for (const s of plan.secrets) {
      const mine = Object.keys(s.spec.tags ?? {});
      // The tags the platform puts on the secret (Service, Component, Category, rotation settings).
      const own = new Map(
        Object.keys(s.tags)
          .filter((k) => !mine.includes(k))
          .map((k) => [k.toLowerCase(), k]),
      );
      for (const k of mine) {
        const other = defaults.get(k.toLowerCase()) ?? own.get(k.toLowerCase());
        if (other !== undefined && other !== k)
          yield onSecret(
            s,
            `tag "${k}" differs from the tag "${other}" only in case; policies read both as one condition key`,
            `use "${other}" (or remove "${k}")`,
          );
        else own.set(k.toLowerCase(), k);
      }
    }
  },
});
