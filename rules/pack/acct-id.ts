import { on, rule } from '../rule';
import { ACCOUNT_ID } from '../support';

export default rule({
  id: 'ACCT-ID',
  explanation: 'An AWS account id is 12 digits.',
  fact: { limit: 'account ID: 12 digits', page: 'AWS Account Management Reference: View AWS account identifiers' },
  *check({ plan }) {
    if (!ACCOUNT_ID.test(plan.accountId))
      yield on(
        'environment',
        `account id "${plan.accountId}" is not 12 digits`,
        'use the 12-digit AWS account id (keep leading zeros: write it as a string)',
      );
  },
});
