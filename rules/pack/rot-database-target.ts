import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-DATABASE-TARGET',
  explanation: "The rotation function's security group must reach the database; with no CIDR or security group it reaches nothing.",
  fact: { limit: 'security groups deny egress that no rule allows', page: 'Amazon VPC User Guide: Security group rules' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind === 'database' && (r.databaseCidrs ?? []).length + (r.databaseSecurityGroupIds ?? []).length === 0) {
        yield onSecret(
          s,
          "no databaseCidrs or databaseSecurityGroupIds: the function's security group would reach nothing",
          'name the database address (e.g. "10.0.1.5/32") or its security group',
        );
      }
    }
  },
});
