import { on, rule } from '../rule';
import { createdRoles } from '../names';

export default rule({
  id: 'IAM-ROLE-UNIQUE',
  explanation: 'IAM role names are unique in an account regardless of case; two derived roles (or one and an existing role we name) must differ in more than case.',
  fact: { limit: 'role names are unique within the account and not case sensitive', page: 'IAM User Guide: IAM identifiers (friendly names are case-insensitive)' },
  *check({ plan }) {
    const seen = new Map<string, string>();
    const existing = [plan.breakGlass.roleName, ...plan.readers.flatMap((r) => (r.resolved.kind === 'iam-role' ? [r.resolved.roleName] : []))];
    for (const e of existing) seen.set(e.toLowerCase(), `existing role ${e}`);
    for (const [role, source] of createdRoles(plan)) {
      const other = seen.get(role.toLowerCase());
      if (other !== undefined) yield on(source, `IAM role "${role}" collides with ${other} (IAM ignores case)`, 'rename the ECS service so the derived role names differ');
      else seen.set(role.toLowerCase(), source);
    }
  },
});
