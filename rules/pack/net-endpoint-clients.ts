import { on, rule } from '../rule';
import { broadClientCidrs, MIN_ENDPOINT_CLIENT_PREFIX } from '../../plan/policies/network';

export default rule({
  id: 'NET-ENDPOINT-CLIENTS',
  explanation:
    'The Secrets Manager endpoint admits named clients only: their security groups, or exact CIDRs of /24 or narrower, never a VPC range or halves of the Internet (0.0.0.0/1 + 128.0.0.0/1).',
  fact: {
    limit: `endpoint client CIDRs /${MIN_ENDPOINT_CLIENT_PREFIX} or narrower`,
    page: 'AWS PrivateLink guide: Control access to VPC endpoints using security groups',
  },
  *check({ plan }) {
    const broad = broadClientCidrs(plan.catalog.network?.endpointClientCidrs ?? []);
    if (broad.length > 0) {
      yield on(
        'network',
        `endpoint client CIDRs ${broad.join(', ')} are broader than /${MIN_ENDPOINT_CLIENT_PREFIX} (or not IPv4 CIDRs)`,
        "name the clients' security groups in network.endpointClientSecurityGroupIds, or exact CIDRs of /24 or narrower",
      );
    }
  },
});
