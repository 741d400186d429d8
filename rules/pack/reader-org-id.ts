import { on, rule } from '../rule';
import { ORGANIZATION_ID } from '../support';

export default rule({
  id: 'READER-ORG-ID',
  explanation: 'An organization id is o- followed by 10 to 32 lowercase letters or digits.',
  fact: { limit: 'OrganizationId: ^o-[a-z0-9]{10,32}$', page: 'AWS Organizations API Reference: Organization (Id)' },
  *check({ plan }) {
    for (const [name, r] of Object.entries(plan.catalog.readers)) {
      if (r.kind === 'organization' && !ORGANIZATION_ID.test(r.organizationId))
        yield on(
          `reader ${name}`,
          `"${r.organizationId}" is not an organization id`,
          'use the id shown by `aws organizations describe-organization` (o-...)',
        );
    }
  },
});
