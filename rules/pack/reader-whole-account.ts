import { on, rule } from '../rule';

export default rule({
  id: 'READER-WHOLE-ACCOUNT',
  explanation: 'Cross-account access names the reading roles, never a whole account.',
  fact: { limit: 'principals pinned with aws:PrincipalArn', page: 'IAM User Guide: AWS global condition context keys (aws:PrincipalArn)' },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind === 'account' && r.roleNames.length === 0)
        yield on(
          `reader ${name}`,
          'grants a whole account; cross-account access must name specific roles',
          'list the reading roles in roleNames',
        );
    }
  },
});
