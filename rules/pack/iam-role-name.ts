import { on, rule } from '../rule';
import { badCharacters, IAM_NAME, IAM_ROLE_NAME_MAX } from '../support';
import { createdRoles } from '../names';

export default rule({
  id: 'IAM-ROLE-NAME',
  explanation: 'Derived IAM role names (ECS execution/task roles, rotation roles) are at most 64 characters of [A-Za-z0-9+=,.@_-].',
  fact: { limit: 'RoleName: 1-64 characters, [\\w+=,.@-]', page: 'IAM API Reference: CreateRole; IAM and AWS STS quotas' },
  *check({ plan }) {
    for (const [role, source] of createdRoles(plan)) {
      // Only an ECS service name is the catalog's; rotation role names are derived from fixed parts.
      const ecs = source.startsWith('ECS service');
      if (role.length > IAM_ROLE_NAME_MAX)
        yield on(
          source,
          `IAM role name "${role}" is ${role.length} characters; IAM allows 64`,
          ecs
            ? 'shorten the service name (the role is named <prefix>-<service>-ecs-execution)'
            : 'report this as a bug (rotation role names are derived)',
        );
      else if (!IAM_NAME.test(role))
        yield on(
          source,
          `IAM role name "${role}" contains ${badCharacters(role, /[\w+=,.@-]/)}`,
          ecs ? 'use letters, digits and + = , . @ _ - in service names' : 'report this as a bug (rotation role names are derived)',
        );
    }
  },
});
