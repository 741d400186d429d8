import { onSecret, rule } from '../rule';
import { networkOf, parseCidr } from '../support';

export default rule({
  id: 'ROT-DATABASE-REACH',
  explanation:
    "When the host is an IP address and the database is named by CIDRs only, one of them must contain it, or the function's security group blocks the connection.",
  fact: { limit: 'security groups allow only the outbound traffic their rules name', page: 'Amazon VPC User Guide: Security group rules' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      const v = s.spec.value;
      if (r?.kind !== 'database' || v.kind !== 'json' || typeof v.fields.host !== 'string') continue;
      if ((r.databaseSecurityGroupIds ?? []).length > 0) continue;
      const host = parseCidr(`${v.fields.host}/32`);
      const cidrs = (r.databaseCidrs ?? []).map(parseCidr);
      if (!host || cidrs.length === 0 || cidrs.some((c) => !c)) continue;
      const inside = cidrs.some((c) => c && networkOf({ address: host.address, prefix: c.prefix }) === networkOf(c));
      if (!inside)
        yield onSecret(
          s,
          `host ${v.fields.host} is outside databaseCidrs ${(r.databaseCidrs ?? []).join(', ')}: the rotation function could not reach it`,
          `add "${v.fields.host}/32" to databaseCidrs, or correct the host`,
        );
    }
  },
});
