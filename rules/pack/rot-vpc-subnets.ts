import { on, rule } from '../rule';

export default rule({
  id: 'ROT-VPC-SUBNETS',
  explanation:
    'A function in a VPC (and an interface endpoint) needs subnets, 1 to 16 for a function (two Availability Zones recommended); none means rotation cannot run.',
  fact: { limit: 'VpcConfig SubnetIds: up to 16', page: 'AWS Lambda API Reference: VpcConfig' },
  *check({ plan }) {
    const n = plan.catalog.network?.subnetIds.length;
    if (n !== undefined && (plan.rotationFunctions.length > 0 || plan.endpoint?.create)) {
      if (n === 0)
        yield on(
          'network',
          `${plan.rotationFunctions.length > 0 ? 'rotation runs in the VPC' : 'the Secrets Manager endpoint needs subnets'}, but network.subnetIds is empty`,
          'list the private subnets (two Availability Zones or more) for the rotation functions and the endpoint',
        );
      else if (n > 16)
        yield on(
          'network',
          `network.subnetIds lists ${n} subnets; a Lambda VPC configuration takes at most 16`,
          'list at most 16 private subnets',
        );
    }
  },
});
