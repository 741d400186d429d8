import { onSecret, rule } from '../rule';
import { ephemeralNames, variableNames } from '../values';

export default rule({
  id: 'VALUE-VARIABLE-COLLIDE',
  explanation: 'Two values that derive the same Terraform variable or ephemeral resource name would crash cdktf or share one value.',
  fact: { limit: 'variable and resource names are unique in a module', page: 'Terraform language: Input Variables / Ephemeral resources' },
  *check({ plan }) {
    const owners = new Map<string, string>();
    for (const s of plan.secrets) {
      const names = [...variableNames(s.value), ...(s.value.kind === 'none' ? [] : [`${s.tfId}_value_version`])];
      for (const n of [...names, ...ephemeralNames(s.tfId, s.value).map((e) => `ephemeral.${e}`)]) {
        const other = owners.get(n);
        if (other !== undefined) yield onSecret(s, `its Terraform name "${n}" is also derived for secret ${other === s.id ? 'itself (two keys differ only in case)' : `"${other}"`}`, 'rename the variable or the JSON key so the names differ in more than case');
        else owners.set(n, s.id);
      }
    }
  },
});
