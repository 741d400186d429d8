import { onSecret, rule } from '../rule';
import { RESERVED_VARIABLES, variableNames } from '../values';

export default rule({
  id: 'VALUE-VARIABLE-NAME',
  explanation: 'Deploy-time values travel through Terraform variables, whose names are identifiers and not reserved words.',
  fact: { limit: 'variable names: letters, digits, "_" and "-", starting with a letter or "_"; not source, version, providers, count, for_each, lifecycle, depends_on, locals', page: 'Terraform language: Input Variables (Declaring an input variable)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const name of variableNames(s.value)) {
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) || RESERVED_VARIABLES.includes(name)) {
          yield onSecret(s, `Terraform variable "${name}" (for a deploy-time value) is not a valid variable name`, 'use letters, digits and "_", starting with a letter (value.variable or the deployTime key)');
        }
      }
    }
  },
});
