import { onSecret, rule } from '../rule';
import { normalHost } from '../rotation';
import { networkOf, parseCidr } from '../support';

/** Why a host cannot take a password change from the rotation function, if it cannot. */
function unusable(host: string): { why: string; fix: string } | undefined {
  const h = normalHost(host);
  if (/\.cluster-ro-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com(\.cn)?$/.test(h)) {
    return {
      why: 'is an Aurora reader endpoint: it connects to read-only replicas, where changing a password fails',
      fix: `use the cluster (writer) endpoint: "${host.replace(/\.cluster-ro-/i, '.cluster-')}"`,
    };
  }
  const ip = parseCidr(`${h}/32`);
  const inRange = (cidr: string) =>
    ip !== undefined && networkOf({ address: ip.address, prefix: parseCidr(cidr)!.prefix }) === networkOf(parseCidr(cidr)!);
  if (h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain' || h === '::1' || inRange('127.0.0.0/8')) {
    return {
      why: 'is the loopback address: the rotation function would connect to itself, not to the database',
      fix: "write the database endpoint's DNS name or private IP address",
    };
  }
  if (h === '0.0.0.0' || h === '::')
    return { why: 'is the unspecified address, not a database', fix: "write the database endpoint's DNS name or private IP address" };
  if (inRange('169.254.0.0/16') || /^fe[89ab][0-9a-f]?:/.test(h)) {
    return {
      why: 'is a link-local address (the instance metadata service lives there), never a database the function can reach',
      fix: "write the database endpoint's DNS name or private IP address",
    };
  }
  return undefined;
}

export default rule({
  id: 'ROT-DATABASE-ENDPOINT',
  explanation:
    "A rotated database's host is a writable endpoint the rotation function can reach: not an Aurora reader endpoint (read-only), the loopback address or a link-local address.",
  fact: {
    limit:
      'the reader endpoint connects to Aurora Replicas, which are read-only; the function connects to the host in the secret from its own network interface',
    page: 'Amazon Aurora User Guide: Types of Aurora endpoints (reader endpoint); Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (s.spec.rotation?.kind !== 'database' || v.kind !== 'json' || typeof v.fields.host !== 'string') continue;
      const bad = unusable(v.fields.host);
      if (bad) yield onSecret(s, `host ${v.fields.host} ${bad.why}`, bad.fix);
    }
  },
});
