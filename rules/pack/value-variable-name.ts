import { onSecret, rule } from '../rule';
import { DEPLOY_TIME_NAME, deployTimeNames } from '../values';

export default rule({
  id: 'VALUE-VARIABLE-NAME',
  explanation: 'Deploy-time values are named in the GitHub environment secret DEPLOY_TIME_VALUES by simple names the values step accepts.',
  fact: {
    limit: 'names: letters, digits and "_", starting with a letter or "_", at most 128 characters (tools/ci/values.cjs)',
    page: 'docs/values.md (DEPLOY_TIME_VALUES)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const name of deployTimeNames(s.value)) {
        if (!DEPLOY_TIME_NAME.test(name)) {
          yield onSecret(
            s,
            `DEPLOY_TIME_VALUES name "${name}" (for a deploy-time value) is not a name of letters, digits and "_" starting with a letter`,
            'use letters, digits and "_", starting with a letter (value.variable or the deployTime key)',
          );
        }
      }
    }
  },
});
