import { on, rule } from '../rule';
import { roleRef } from '../../plan/arn';
import { IAM_NAME, IAM_PATH, IAM_PATH_MAX, IAM_ROLE_NAME_MAX } from '../support';

export default rule({
  id: 'READER-ROLE-NAME',
  explanation:
    'Reader roles are exact IAM role names, optionally after their IAM path (service-role/reader): no wildcards (which would admit every matching role) and no ARNs.',
  fact: {
    limit: 'RoleName: 1-64 characters, [\\w+=,.@-]; Path: 1-512 characters, / or /<printable ASCII>/; the role ARN is role/<path><name>',
    page: 'IAM API Reference: CreateRole; IAM User Guide: IAM identifiers (friendly names and paths)',
  },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      const roles = r.kind === 'account' ? r.roleNames : r.kind === 'iam-role' ? [r.roleName] : [];
      for (const role of roles) {
        const { name: roleName, path } = roleRef(role);
        if (role.startsWith('arn:'))
          yield on(
            `reader ${name}`,
            `role "${role}" is an ARN`,
            `give the role's path and name only (e.g. "${role.replace(/^arn:[^:]*:iam::\d*:role\//, '')}"); the account is the reader's`,
          );
        // ArnLike reads * and ? as wildcards, in the path as in the name.
        else if (/[*?]/.test(role))
          yield on(
            `reader ${name}`,
            `role "${role}" is a wildcard, which would let every matching role read`,
            'name each reading role exactly',
          );
        else if (!IAM_NAME.test(roleName) || roleName.length > IAM_ROLE_NAME_MAX)
          yield on(
            `reader ${name}`,
            `role "${role}" does not end in an IAM role name (1-64 of letters, digits and +=,.@_-)`,
            'write the role as IAM shows it: its name, after its path if it has one (service-role/my-role)',
          );
        else if (path !== '/' && (!IAM_PATH.test(path) || path.length > IAM_PATH_MAX))
          yield on(
            `reader ${name}`,
            `role "${role}" has path "${path}", which is not an IAM path (printable ASCII between slashes, at most 512 characters)`,
            'write the path as IAM shows it, e.g. service-role/my-role',
          );
      }
    }
  },
});
