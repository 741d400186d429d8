import { on, rule } from '../rule';
import { createdRoles } from '../names';

export default rule({
  id: 'IAM-ROLE-UNIQUE',
  explanation:
    'IAM role names are unique in an account regardless of case; two derived roles (or one and an existing role we name) must differ in more than case.',
  fact: {
    limit: 'role names are unique within the account and not case sensitive',
    page: 'IAM User Guide: IAM identifiers (friendly names are case-insensitive)',
  },
  *check({ plan }) {
    // A reader naming a created role is READER-PLATFORM-ROLE's case: its fix is the reader's, not a rename.
    const seen = new Map<string, string>([[plan.breakGlass.roleName.toLowerCase(), `the break-glass role ${plan.breakGlass.roleName}`]]);
    for (const [role, source] of createdRoles(plan)) {
      const other = seen.get(role.toLowerCase());
      const fix = source.startsWith('ECS service')
        ? 'rename the ECS service so the derived role names differ'
        : 'rename the break-glass role';
      if (other !== undefined) yield on(source, `IAM role "${role}" collides with ${other} (IAM ignores case)`, fix);
      else seen.set(role.toLowerCase(), source);
    }
  },
});
