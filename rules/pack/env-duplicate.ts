import { rule } from '../rule';

export default rule({
  id: 'ENV-DUPLICATE',
  explanation: 'Two catalogs for one environment would write one stack twice.',
  fact: { limit: 'one stack per environment name', page: 'CDK for Terraform: Stacks' },
  scope: 'app',
  *check({ plans }) {
    const seen = new Set<string>();
    for (const p of plans) {
      if (seen.has(p.environment))
        yield {
          environment: p.environment,
          name: 'environment',
          message: `environment ${p.environment} is declared twice`,
          fix: 'keep one catalog per environment',
        };
      seen.add(p.environment);
    }
  },
});
