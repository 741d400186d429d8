import { rule } from '../rule';

export default rule({
  id: 'ACCT-SHARED',
  explanation: 'Each environment has its own AWS account; two environments in one account share keys, state and blast radius.',
  fact: {
    limit: 'one account per environment (multi-account strategy)',
    page: 'AWS Whitepaper: Organizing Your AWS Environment Using Multiple Accounts',
  },
  scope: 'app',
  *check({ plans }) {
    const first = new Map<string, string>();
    for (const p of plans) {
      const other = first.get(p.accountId);
      if (other !== undefined && other !== p.environment)
        yield {
          environment: p.environment,
          name: 'environment',
          message: `account ${p.accountId} is also the ${other} account`,
          fix: `give ${p.environment} its own account`,
        };
      else first.set(p.accountId, p.environment);
    }
  },
});
