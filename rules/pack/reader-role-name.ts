import { on, rule } from '../rule';
import { IAM_NAME, IAM_ROLE_NAME_MAX } from '../support';

export default rule({
  id: 'READER-ROLE-NAME',
  explanation: 'Reader roles are exact IAM role names: no wildcards (which would admit every role) and no ARNs.',
  fact: { limit: 'RoleName: 1-64 characters, [\\w+=,.@-]', page: 'IAM API Reference: CreateRole; IAM User Guide: IAM identifiers' },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      const roles = r.kind === 'account' ? r.roleNames : r.kind === 'iam-role' ? [r.roleName] : [];
      for (const role of roles) {
        if (role.startsWith('arn:')) yield on(`reader ${name}`, `role "${role}" is an ARN`, `give the role name only (e.g. "${role.split('/').pop()}"); the account is the reader's`);
        else if (/[*?]/.test(role)) yield on(`reader ${name}`, `role "${role}" is a wildcard, which would let every matching role read`, 'name each reading role exactly');
        else if (!IAM_NAME.test(role) || role.length > IAM_ROLE_NAME_MAX) yield on(`reader ${name}`, `role "${role}" is not an IAM role name (1-64 of letters, digits and +=,.@_-)`, 'use the role\'s name as IAM shows it (without its path)');
      }
    }
  },
});
