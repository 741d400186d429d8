import { on, rule } from '../rule';
import { roleRef } from '../../plan/arn';

export default rule({
  id: 'ACCESS-BREAK-GLASS',
  explanation:
    'The break-glass role is its own role, used only in emergencies: not the deploy role (which would read every value in every run) and not a reader.',
  fact: {
    limit: 'emergency access through a separate, audited role, apart from everyday deployment roles',
    page: 'AWS Well-Architected Framework, Security Pillar: SEC03-BP03 Establish emergency access process',
  },
  *check({ plan }) {
    const bg = plan.breakGlass.roleName.toLowerCase();
    const deployName = /:role\/(?:.*\/)?([^/]+)$/.exec(plan.deployRoleArn ?? '')?.[1];
    if (deployName !== undefined && deployName.toLowerCase() === bg) {
      yield on(
        'break-glass role',
        `the break-glass role ${plan.breakGlass.roleName} is the deploy role, so every deployment could read every secret's value`,
        'name a separate break-glass role, assumed only through the emergency-access procedure',
      );
    }
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind === 'iam-role' && roleRef(r.roleName).name.toLowerCase() === bg)
        yield on(
          `reader ${name}`,
          `reader role ${r.roleName} is the break-glass role, which must not be an everyday reader`,
          'read through another role; keep the break-glass role for emergencies',
        );
    }
  },
});
