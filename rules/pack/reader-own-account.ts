import { on, rule } from '../rule';

export default rule({
  id: 'READER-OWN-ACCOUNT',
  explanation: 'Roles of this account read through iam-role readers, not through a cross-account grant to the own account.',
  fact: { limit: 'same-account access is granted by identity policies', page: 'IAM User Guide: Policy evaluation logic (same account)' },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind === 'account' && r.accountId === plan.accountId)
        yield on(
          `reader ${name}`,
          "names this environment's own account as a cross-account reader",
          'use an iam-role reader for roles of this account',
        );
    }
  },
});
