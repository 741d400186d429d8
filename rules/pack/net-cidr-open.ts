import { on, onSecret, rule } from '../rule';
import { parseCidr } from '../support';
import { cidrsOf } from '../network';

export default rule({
  id: 'NET-CIDR-OPEN',
  explanation: '0.0.0.0/0 opens the database port or the endpoint to every address; name the database or the clients.',
  fact: { limit: 'least privilege for security group rules', page: 'Amazon VPC User Guide: Security group rules (best practices)' },
  *check({ plan }) {
    for (const [c, where, secretId] of cidrsOf(plan)) {
      const parsed = parseCidr(c);
      if (!parsed || parsed.prefix !== 0) continue;
      const message = `${where} "${c}" admits every address`;
      const fix = 'name the database host ("10.0.1.5/32") or the clients\' subnets';
      yield secretId ? onSecret({ id: secretId }, message, fix) : on('network', message, fix);
    }
  },
});
