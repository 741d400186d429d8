import { rule } from '../rule';
import { otherEnvironments } from '../environments';

export default rule({
  id: 'READER-ENV-ORG',
  explanation:
    "A secret is never readable by another environment's account through an organisation reader: aws:PrincipalOrgID admits every account of the organisation, and environment accounts are members unless their catalog says otherwise.",
  fact: {
    limit: 'aws:PrincipalOrgID matches principals of every account in the organization',
    page: 'IAM User Guide: AWS global condition context keys (aws:PrincipalOrgID); AWS Whitepaper: Organizing Your AWS Environment Using Multiple Accounts',
  },
  scope: 'app',
  *check({ plans }) {
    for (const p of plans) {
      for (const r of p.readers) {
        if (r.resolved.kind !== 'organization') continue;
        const org = r.resolved.organizationId;
        for (const o of otherEnvironments(plans, p)) {
          const declared = o.catalog.organizationId;
          if (declared !== undefined && declared !== org) continue;
          yield {
            environment: p.environment,
            name: `reader ${r.name}`,
            message: `shares ${p.environment} secrets (${r.secretIds.join(', ')}) with organisation ${org}, ${declared === org ? `of which the ${o.environment} catalog says its account ${o.accountId} is a member` : `which admits the ${o.environment} account ${o.accountId} if it is a member (its catalog declares no organizationId)`}`,
            fix:
              declared === org
                ? `share with the reading accounts as account readers (name their roles) instead of the whole organisation`
                : `share with the reading accounts as account readers instead; or, if the ${o.environment} account belongs to another organisation, set organizationId in the ${o.environment} catalog`,
          };
        }
      }
    }
  },
});
