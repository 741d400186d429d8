import { on, onSecret, rule } from '../rule';

export default rule({
  id: 'NET-RESOURCE-ID',
  explanation: 'VPC, subnet and security group ids have the form vpc-/subnet-/sg- followed by 8 or 17 hex digits.',
  fact: { limit: 'resource ids: <prefix>-<8 or 17 hexadecimal characters>', page: 'Amazon EC2 User Guide: Resource IDs' },
  *check({ plan }) {
    const id = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
    const n = plan.catalog.network;
    if (n) {
      if (!id('vpc').test(n.vpcId)) yield on('network', `vpcId "${n.vpcId}" is not a VPC id`, 'use the id shown by `aws ec2 describe-vpcs` (vpc-...)');
      for (const s of n.subnetIds) if (!id('subnet').test(s)) yield on('network', `subnet "${s}" is not a subnet id`, 'use ids shown by `aws ec2 describe-subnets` (subnet-...)');
      for (const s of new Set(n.subnetIds.filter((x, i) => n.subnetIds.indexOf(x) !== i))) yield on('network', `subnet ${s} is listed twice`, 'list each subnet once');
    }
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'database') continue;
      for (const sg of r.databaseSecurityGroupIds ?? []) if (!id('sg').test(sg)) yield onSecret(s, `databaseSecurityGroupIds entry "${sg}" is not a security group id`, 'use the database\'s security group id (sg-...)');
    }
  },
});
