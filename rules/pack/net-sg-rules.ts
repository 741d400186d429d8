import { on, rule } from '../rule';

export default rule({
  id: 'NET-SG-RULES',
  explanation: 'A security group has at most 60 inbound and 60 outbound rules (default quota).',
  fact: {
    limit: '60 inbound and 60 outbound rules per security group',
    page: 'Amazon VPC User Guide: Amazon VPC quotas (Security groups)',
  },
  *check({ plan }) {
    for (const f of plan.rotationFunctions) {
      const egress = (f.vpc?.databases ?? []).reduce((n, d) => n + d.cidrs.length + d.securityGroupIds.length, 0) + (plan.endpoint ? 1 : 0);
      if (egress > 60)
        yield on(
          `rotation function ${f.key}`,
          `its security group would need ${egress} outbound rules; the default quota is 60`,
          'reach the databases through fewer security groups or wider (still private) CIDRs',
        );
    }
    if (plan.endpoint) {
      const ingress = plan.endpoint.clientCidrs.length + plan.endpoint.clientSecurityGroupIds.length + plan.rotationFunctions.length;
      if (ingress > 60)
        yield on(
          'network',
          `the endpoint's security group would need ${ingress} inbound rules; the default quota is 60`,
          'group endpointClientCidrs into fewer, wider CIDRs, or let clients share fewer security groups',
        );
    }
  },
});
