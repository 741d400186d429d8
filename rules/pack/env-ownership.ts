import { on, rule } from '../rule';

export default rule({
  id: 'ENV-OWNERSHIP',
  explanation:
    'Owner and CostCenter, written as tags on every resource, name someone: blank values leave resources nobody answers for and costs nobody is billed.',
  fact: {
    limit:
      'tag values may be empty (0-256 characters), so AWS accepts a blank owner; ownership and cost-allocation tags only work when filled',
    page: 'Tagging Best Practices (AWS whitepaper): cost allocation and ownership tags',
  },
  *check({ plan }) {
    const fields = { owner: plan.catalog.owner, costCenter: plan.catalog.costCenter } as const;
    for (const [field, value] of Object.entries(fields)) {
      if (value.trim() === '')
        yield on(
          'environment',
          `${field} is blank, so every resource is tagged with an empty ${field === 'owner' ? 'Owner' : 'CostCenter'}`,
          `set ${field} to the team or cost center that answers for this environment`,
        );
      else if (value !== value.trim())
        yield on(
          'environment',
          `${field} "${value}" has leading or trailing spaces, so cost reports split it from "${value.trim()}"`,
          `write ${field} as "${value.trim()}"`,
        );
    }
  },
});
