import { on, rule } from '../rule';

export default rule({
  id: 'NET-ENDPOINT-NO-CLIENTS',
  explanation:
    "An endpoint with private DNS takes every Secrets Manager call in its VPC: when the catalog has ECS services or same-account reader roles but admits no client, their reads time out at the endpoint's security group.",
  fact: {
    limit:
      'with private DNS the Regional Secrets Manager name resolves to the endpoint for the whole VPC; its security group drops traffic from sources no rule admits',
    page: 'AWS PrivateLink Guide: Access an AWS service using an interface VPC endpoint (private DNS, security groups)',
  },
  *check({ plan }) {
    const e = plan.endpoint;
    if (!e || !e.create || e.clientSecurityGroupIds.length + e.clientCidrs.length > 0) return;
    const consumers = [
      ...plan.ecsServices.map((s) => `ECS service ${s.service}`),
      ...plan.readers.filter((r) => r.resolved.kind === 'iam-role').map((r) => `reader ${r.name}`),
    ];
    if (consumers.length === 0) return;
    yield on(
      'network',
      `the endpoint this stack creates has private DNS and admits no client, so ${consumers.join(', ')} would time out reading secrets from this VPC`,
      'name their security groups in network.endpointClientSecurityGroupIds (or exact CIDRs of /24 or narrower in endpointClientCidrs)',
    );
  },
});
