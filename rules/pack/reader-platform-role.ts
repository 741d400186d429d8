import { on, rule } from '../rule';
import { roleRef } from '../../plan/arn';
import { platformRoles } from '../names';

export default rule({
  id: 'READER-PLATFORM-ROLE',
  explanation:
    'An iam-role reader never names a role the platform creates or runs as (ECS roles, rotation roles, pipeline roles): those get exactly the access their own catalog entry gives them, or none.',
  fact: {
    limit: 'role names are unique in an account regardless of case and path; the stack owns the policies of the roles it creates',
    page: 'IAM User Guide: IAM identifiers (friendly names and paths)',
  },
  *check({ plan }) {
    const roles = platformRoles(plan);
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind !== 'iam-role') continue;
      const hit = roles.get(roleRef(r.roleName).name.toLowerCase());
      if (hit) yield on(`reader ${name}`, `role ${r.roleName} is ${hit.what}`, hit.fix);
    }
  },
});
