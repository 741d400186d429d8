import { onSecret, rule } from '../rule';
import { partitionOf } from '../../plan/partitions';

export default rule({
  id: 'REGION-REPLICA-PARTITION',
  explanation: 'Secrets replicate only within their partition (aws, aws-cn, aws-us-gov, ...).',
  fact: {
    limit: 'replication works between Regions of the same partition',
    page: 'Secrets Manager User Guide: Replicate secrets across Regions',
  },
  *check({ plan }) {
    const home = partitionOf(plan.region);
    for (const s of plan.secrets) {
      for (const r of new Set(s.spec.replicas ?? [])) {
        const p = partitionOf(r);
        if (home && p && p !== home)
          yield onSecret(
            s,
            `replica region ${r} is in partition ${p}, but ${plan.region} is in ${home}`,
            `replicate to a region of the ${home} partition`,
          );
      }
    }
  },
});
