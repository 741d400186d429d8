import { on, rule } from '../rule';

export default rule({
  id: 'ROT-VPC-SUBNETS',
  explanation: 'A function in a VPC needs 1 to 16 subnets (two Availability Zones recommended); none means rotation cannot run.',
  fact: { limit: 'VpcConfig SubnetIds: up to 16', page: 'AWS Lambda API Reference: VpcConfig' },
  *check({ plan }) {
    const n = plan.catalog.network?.subnetIds.length;
    if (n !== undefined && plan.rotationFunctions.length > 0) {
      if (n === 0) yield on('network', 'rotation runs in the VPC, but network.subnetIds is empty', 'list the private subnets (two Availability Zones or more) for the rotation functions and the endpoint');
      else if (n > 16) yield on('network', `network.subnetIds lists ${n} subnets; a Lambda VPC configuration takes at most 16`, 'list at most 16 private subnets');
    }
  },
});
