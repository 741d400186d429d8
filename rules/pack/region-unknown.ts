import { on, rule } from '../rule';
import { PARTITION_SOURCE, PARTITIONS, partitionOf } from '../../plan/partitions';
import { closest } from '../../catalogs/parse';

export default rule({
  id: 'REGION-UNKNOWN',
  explanation: "The environment's region must be a region AWS has launched (from the SDK's partition data).",
  fact: {
    limit: 'Regions listed in the AWS SDK endpoint partitions',
    page: 'AWS General Reference: Regions and Zones (and @aws-sdk partitions data)',
  },
  *check({ plan }) {
    if (!partitionOf(plan.region)) {
      const guess = closest(
        plan.region,
        PARTITIONS.flatMap((p) => p.regions),
      );
      yield on(
        'environment',
        `region "${plan.region}" is not an AWS region (known: ${PARTITION_SOURCE})`,
        guess ? `did you mean "${guess}"?` : 'use a region such as us-east-1',
      );
    }
  },
});
