import { on, onSecret, rule } from '../rule';
import { formatAddress, networkOf, parseCidr } from '../support';
import { cidrsOf } from '../network';

export default rule({
  id: 'NET-CIDR',
  explanation: 'Database and endpoint-client CIDRs are IPv4 network addresses (host bits zero), as security group rules require.',
  fact: {
    limit: 'cidr_ipv4: a valid IPv4 CIDR network address',
    page: 'Amazon VPC User Guide: Security group rules; Terraform AWS provider: aws_vpc_security_group_egress_rule (cidr_ipv4)',
  },
  *check({ plan }) {
    for (const [c, where, secretId] of cidrsOf(plan)) {
      const parsed = parseCidr(c);
      const report = (message: string, fix: string) => (secretId ? onSecret({ id: secretId }, message, fix) : on('network', message, fix));
      if (!parsed) yield report(`${where} "${c}" is not an IPv4 CIDR`, 'write an address and prefix length, e.g. "10.0.1.5/32"');
      else if (networkOf(parsed) !== parsed.address)
        yield report(
          `${where} "${c}" has host bits set`,
          `use the network address "${formatAddress(networkOf(parsed))}/${parsed.prefix}", or "/32" for one host`,
        );
    }
    // Each CIDR becomes one ingress rule on the endpoint's security group; EC2 refuses a duplicate.
    const clients = plan.catalog.network?.endpointClientCidrs ?? [];
    for (const c of new Set(clients.filter((x, i) => clients.indexOf(x) !== i)))
      yield on('network', `endpointClientCidrs lists "${c}" twice`, 'list each CIDR once (EC2 refuses a duplicate security group rule)');
  },
});
