import { on, rule } from '../rule';
import { ACCOUNT_ID } from '../support';

export default rule({
  id: 'READER-ACCOUNT-ID',
  explanation: 'A reader account id is 12 digits.',
  fact: { limit: 'account ID: 12 digits', page: 'AWS Account Management Reference: View AWS account identifiers' },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind === 'account' && !ACCOUNT_ID.test(r.accountId))
        yield on(`reader ${name}`, `account id "${r.accountId}" is not 12 digits`, 'use the 12-digit AWS account id');
    }
  },
});
