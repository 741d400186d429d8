import { on, rule } from '../rule';
import { roleRef } from '../../plan/arn';

export default rule({
  id: 'READER-ROLE-DUPLICATE',
  explanation: 'Two iam-role readers naming one role would attach two inline policies of one name to it, each apply overwriting the other.',
  fact: { limit: 'an inline policy is identified by role name and policy name; PutRolePolicy replaces a policy of the same name', page: 'IAM API Reference: PutRolePolicy' },
  *check({ plan }) {
    const first = new Map<string, string>();
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind !== 'iam-role') continue;
      const key = roleRef(r.roleName).name.toLowerCase();
      const other = first.get(key);
      if (other !== undefined) yield on(`reader ${name}`, `names role ${r.roleName}, which reader ${other} already names; the stack would write its inline policy twice and one reader's grants would be lost`, `use reader ${other} for both secrets' readers and remove ${name}`);
      else first.set(key, name);
    }
  },
});
