import { onSecret, rule } from '../rule';
import { PARTITIONS, partitionOf } from '../../plan/partitions';
import { closest } from '../../catalogs/parse';

export default rule({
  id: 'REGION-REPLICA-UNKNOWN',
  explanation: 'A replica region must be a region AWS has launched.',
  fact: {
    limit: 'Regions listed in the AWS SDK endpoint partitions',
    page: 'AWS General Reference: Regions and Zones (and @aws-sdk partitions data)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const r of new Set(s.spec.replicas ?? [])) {
        if (partitionOf(r)) continue;
        const guess = closest(
          r,
          PARTITIONS.flatMap((p) => p.regions),
        );
        yield onSecret(
          s,
          `replica region "${r}" is not an AWS region`,
          guess ? `did you mean "${guess}"?` : 'use a region such as us-west-2',
        );
      }
    }
  },
});
