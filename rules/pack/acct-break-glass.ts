import { on, rule } from '../rule';
import { IAM_NAME, IAM_ROLE_NAME_MAX } from '../support';

export default rule({
  id: 'ACCT-BREAK-GLASS',
  explanation: 'The break-glass role is named by its IAM role name (no ARN, no wildcard), up to 64 characters.',
  fact: { limit: 'RoleName: 1-64 characters, [\\w+=,.@-]', page: 'IAM API Reference: CreateRole' },
  *check({ plan }) {
    const n = plan.breakGlass.roleName;
    if (n.startsWith('arn:'))
      yield on('break-glass role', `roleName "${n}" is an ARN`, "give the role name only; the account is the environment's");
    else if (/[*?]/.test(n)) yield on('break-glass role', `roleName "${n}" is a wildcard`, 'name exactly one role');
    else if (!IAM_NAME.test(n) || n.length > IAM_ROLE_NAME_MAX)
      yield on(
        'break-glass role',
        `roleName "${n}" is not an IAM role name (1-64 of letters, digits and +=,.@_-)`,
        "use the role's name as IAM shows it",
      );
  },
});
