import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-NETWORK',
  explanation: 'Database rotation runs in the VPC next to the database; the environment needs a network.',
  fact: {
    limit: 'a Lambda function reaches private databases only with a VPC configuration',
    page: 'AWS Lambda Developer Guide: Giving Lambda functions access to resources in an Amazon VPC',
  },
  *check({ plan }) {
    if (!plan.catalog.network) {
      for (const s of plan.secrets) {
        if (s.spec.rotation?.kind === 'database')
          yield onSecret(
            s,
            'database rotation runs in the VPC, but the environment has no network',
            'declare network.vpcId and network.subnetIds',
          );
      }
    }
  },
});
