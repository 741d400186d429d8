import { on, onSecret, rule } from '../rule';

export default rule({
  id: 'NET-RESOURCE-ID',
  explanation:
    'VPC, subnet and security group ids (database and endpoint-client groups) have the form vpc-/subnet-/sg- followed by 8 or 17 hex digits, each listed once.',
  fact: { limit: 'resource ids: <prefix>-<8 or 17 hexadecimal characters>', page: 'Amazon EC2 User Guide: Resource IDs' },
  *check({ plan }) {
    const id = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
    const n = plan.catalog.network;
    if (n) {
      if (!id('vpc').test(n.vpcId))
        yield on('network', `vpcId "${n.vpcId}" is not a VPC id`, 'use the id shown by `aws ec2 describe-vpcs` (vpc-...)');
      for (const s of n.subnetIds)
        if (!id('subnet').test(s))
          yield on('network', `subnet "${s}" is not a subnet id`, 'use ids shown by `aws ec2 describe-subnets` (subnet-...)');
      for (const s of new Set(n.subnetIds.filter((x, i) => n.subnetIds.indexOf(x) !== i)))
        yield on('network', `subnet ${s} is listed twice`, 'list each subnet once');
      // Each client security group becomes one ingress rule on the endpoint's group; EC2 refuses a duplicate.
      const clients = n.endpointClientSecurityGroupIds ?? [];
      for (const sg of clients)
        if (!id('sg').test(sg))
          yield on(
            'network',
            `endpointClientSecurityGroupIds entry "${sg}" is not a security group id`,
            "use the client's security group id (sg-...), as `aws ec2 describe-security-groups` shows it",
          );
      for (const sg of new Set(clients.filter((x, i) => clients.indexOf(x) !== i)))
        yield on(
          'network',
          `endpointClientSecurityGroupIds lists ${sg} twice`,
          'list each security group once (EC2 refuses a duplicate security group rule)',
        );
    }
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database') continue;
      for (const sg of r.databaseSecurityGroupIds ?? [])
        if (!id('sg').test(sg))
          yield onSecret(
            s,
            `databaseSecurityGroupIds entry "${sg}" is not a security group id`,
            "use the database's security group id (sg-...)",
          );
    }
  },
});
