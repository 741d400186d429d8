import { on, rule } from '../rule';
import { roleRef } from '../../plan/arn';

export default rule({
  id: 'READER-ROLE-DUPLICATE',
  explanation:
    'Two iam-role readers naming one role make one principal two readers: the secret and key policies name it once, while the report and the access diff would show two grants that cannot be withdrawn apart.',
  fact: {
    limit: "a policy names a principal by its ARN, once; the reader name is only the catalog's label",
    page: 'IAM JSON policy elements: Principal',
  },
  *check({ plan }) {
    const first = new Map<string, string>();
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind !== 'iam-role') continue;
      const key = roleRef(r.roleName).name.toLowerCase();
      const other = first.get(key);
      if (other !== undefined)
        yield on(
          `reader ${name}`,
          `names role ${r.roleName}, which reader ${other} already names; one role would be two readers whose grants cannot be withdrawn apart`,
          `use reader ${other} for both secrets' readers and remove ${name}`,
        );
      else first.set(key, name);
    }
  },
});
