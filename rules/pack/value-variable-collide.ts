import { onSecret, rule } from '../rule';
import { deployTimeNames } from '../values';

export default rule({
  id: 'VALUE-VARIABLE-COLLIDE',
  explanation: 'Two deploy-time values that derive the same DEPLOY_TIME_VALUES name would be written with one value.',
  fact: {
    limit: 'names in a JSON object are unique (one value per name)',
    page: 'RFC 8259 (JSON), section 4; docs/values.md (DEPLOY_TIME_VALUES)',
  },
  *check({ plan }) {
    const owners = new Map<string, string>();
    for (const s of plan.secrets) {
      for (const n of deployTimeNames(s.value)) {
        const other = owners.get(n);
        if (other !== undefined)
          yield onSecret(
            s,
            `its DEPLOY_TIME_VALUES name "${n}" is also derived for secret ${other === s.id ? 'itself (two keys differ only in case or punctuation)' : `"${other}"`}`,
            'rename value.variable or the JSON key so the names differ',
          );
        else owners.set(n, s.id);
      }
    }
  },
});
