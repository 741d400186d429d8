import { rule } from '../rule';
import type { EnvironmentPlan } from '../../plan/types';
import { otherEnvironments } from '../environments';

/** Every VPC, subnet and security group id an environment's catalog names, with where. */
function networkIds(p: EnvironmentPlan): Map<string, string> {
  const out = new Map<string, string>();
  const n = p.catalog.network;
  if (n) {
    out.set(n.vpcId, 'network.vpcId');
    for (const s of n.subnetIds) out.set(s, 'network.subnetIds');
    for (const sg of n.endpointClientSecurityGroupIds ?? []) out.set(sg, 'network.endpointClientSecurityGroupIds');
    if (n.existingEndpointSecurityGroupId) out.set(n.existingEndpointSecurityGroupId, 'network.existingEndpointSecurityGroupId');
  }
  for (const s of p.secrets) {
    const r = s.spec.rotation;
    if (r?.kind === 'database')
      for (const sg of r.databaseSecurityGroupIds ?? []) out.set(sg, `databaseSecurityGroupIds of secret ${s.id}`);
  }
  return out;
}

export default rule({
  id: 'NET-ENV-ID',
  explanation:
    "A VPC, subnet or security group belongs to one account: an id that another environment's catalog also names is that environment's network.",
  fact: {
    limit: 'VPCs, subnets and security groups are resources of one account (resource ids are unique); one account per environment',
    page: 'Amazon EC2 User Guide: Resource IDs; AWS Whitepaper: Organizing Your AWS Environment Using Multiple Accounts',
  },
  scope: 'app',
  *check({ plans }) {
    const ids = new Map(plans.map((p) => [p, networkIds(p)]));
    for (const p of plans) {
      for (const o of otherEnvironments(plans, p)) {
        const theirs = ids.get(o)!;
        for (const [id, where] of ids.get(p)!) {
          if (!theirs.has(id)) continue;
          yield {
            environment: p.environment,
            name: 'network',
            message: `${where} names ${id}, which the ${o.environment} catalog names too (${theirs.get(id)}): it belongs to one of the two accounts`,
            fix: `use the id of ${p.environment}'s own ${id.split('-')[0] === 'sg' ? 'security group' : id.split('-')[0]} in account ${p.accountId}`,
          };
        }
      }
    }
  },
});
