import { onSecret, rule } from '../rule';
import { DEPLOY_TIME_NAME, variableNames } from '../values';

export default rule({
  id: 'VALUE-DEPLOY-NAME',
  explanation: 'Each deploy-time value is carried by name in CI\'s DEPLOY_TIME_VALUES mapping, whose names are ASCII letters, digits and "_" (at most 128, not starting with a digit): a deploy-time key that derives another name cannot be supplied.',
  fact: { limit: 'DEPLOY_TIME_VALUES names: [A-Za-z_][A-Za-z0-9_]{0,127}; GitHub secret names: letters, digits and "_" only', page: 'docs/pipeline.md and tools/ci/values.cjs (values job input); GitHub Docs: Using secrets in GitHub Actions (naming your secrets)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const name of variableNames(s.value)) {
        if (DEPLOY_TIME_NAME.test(name)) continue;
        const suggestion = name.normalize('NFKD').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1').slice(0, 128);
        yield onSecret(s, `deploy-time value "${name}" is not a name CI's DEPLOY_TIME_VALUES can carry (ASCII letters, digits and "_", at most 128, not starting with a digit)`, `rename the deployTime key or value.variable so the name is e.g. "${suggestion || 'value'}"`);
      }
    }
  },
});
