import { on, rule } from '../rule';
import { arnPartition, partitionOf } from '../../plan/partitions';

export default rule({
  id: 'ARN-PARTITION',
  explanation: "An ARN in the catalog must name the environment's own partition.",
  fact: { limit: "arn:<partition>:... must match the Region's partition", page: 'IAM User Guide: IAM identifiers (ARN format)' },
  *check({ plan }) {
    const home = partitionOf(plan.region) ?? 'aws';
    const arns: Array<[string, string]> = [];
    if (plan.deployRoleArn) arns.push(['deployRoleArn', plan.deployRoleArn]);
    for (const [field, arn] of arns) {
      const p = arnPartition(arn);
      if (p !== undefined && p !== home)
        yield on('environment', `${field} "${arn}" is in partition ${p}, but the environment is in ${home}`, `use an arn:${home}: ARN`);
    }
  },
});
