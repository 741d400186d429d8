import { on, rule } from '../rule';
import { partitionOf } from '../../plan/partitions';

export default rule({
  id: 'REGION-PARTITION',
  explanation: 'The policies this project writes name the aws partition; other partitions are refused until they are supported.',
  fact: {
    limit: 'ARNs start arn:<partition>:, and principals of another partition never match',
    page: 'IAM User Guide: IAM identifiers (ARN format)',
  },
  *check({ plan }) {
    const p = partitionOf(plan.region);
    if (p && p !== 'aws')
      yield on(
        'environment',
        `region ${plan.region} is in partition ${p}; this project writes arn:aws: ARNs into policies, which would match nothing there`,
        `deploy this environment in a region of the aws partition, or extend the policy builders for ${p}`,
      );
  },
});
