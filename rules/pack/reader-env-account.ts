import { rule } from '../rule';

export default rule({
  id: 'READER-ENV-ACCOUNT',
  explanation: 'A secret is never shared with the account of another environment (production data never reaches dev or staging).',
  fact: { limit: 'environment isolation by account', page: 'AWS Whitepaper: Organizing Your AWS Environment Using Multiple Accounts' },
  scope: 'app',
  *check({ plans }) {
    const envOf = new Map(plans.map((p) => [p.accountId, p.environment]));
    for (const p of plans) {
      for (const r of p.readers) {
        if (r.resolved.kind !== 'account') continue;
        const other = envOf.get(r.resolved.accountId);
        if (other !== undefined && other !== p.environment)
          yield {
            environment: p.environment,
            name: `reader ${r.name}`,
            message: `shares ${p.environment} secrets with account ${r.resolved.accountId}, the ${other} environment's account`,
            fix: `share with an application account, not the ${other} account`,
          };
      }
    }
  },
});
