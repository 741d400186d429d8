import { onSecret, rule } from '../rule';
import { closest } from '../../catalogs/parse';

export default rule({
  id: 'READER-UNKNOWN',
  explanation: "A secret's readers are declared under the environment's readers.",
  fact: {
    limit: 'readers resolve to accounts, organizations or roles',
    page: 'Secrets Manager User Guide: Access AWS Secrets Manager secrets from a different account',
  },
  *check({ plan }) {
    const declared = Object.keys(plan.catalog.readers);
    for (const s of plan.secrets) {
      for (const r of s.readers) {
        if (r.kind !== 'unknown') continue;
        const guess = closest(r.name, declared);
        yield onSecret(
          s,
          `reader "${r.name}" is not declared in this environment`,
          guess ? `did you mean "${guess}"?` : `declare it under readers, or use one of: ${declared.join(', ') || '(none declared)'}`,
        );
      }
    }
  },
});
