/** What the rules across environments share: which plans to compare, and hosts that are the same database everywhere. */
import type { EnvironmentPlan } from '../plan/types';
import { parseCidr, networkOf } from './support';

/** Pairs of environments in different accounts (ACCT-SHARED reports the same-account case). */
export function otherEnvironments(plans: readonly EnvironmentPlan[], p: EnvironmentPlan): EnvironmentPlan[] {
  return plans.filter((o) => o !== p && o.environment !== p.environment && o.accountId !== p.accountId);
}

/** Address ranges that mean a different machine in every VPC: private, shared, link-local and loopback (RFC 1918, 6598, 3927, 1122). */
const PER_VPC_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'].map(
  (c) => parseCidr(c)!,
);
/** DNS names private to a network: single labels and special-use or private-zone suffixes (RFC 6761, RFC 6762, RFC 8375; EC2's `ec2.internal`). */
const PER_VPC_SUFFIXES = ['.internal', '.local', '.localdomain', '.lan', '.home.arpa', '.intranet', '.corp', '.private', '.localhost'];

/**
 * True when a (normalised) host names the same machine from every account: a public IP or a
 * name in the public DNS (an RDS endpoint, a company domain). Private addresses and private-zone
 * names may name a different database in each VPC, so they are never compared across accounts.
 */
export function isGlobalHost(host: string): boolean {
  const ip = parseCidr(`${host}/32`);
  if (ip) return !PER_VPC_RANGES.some((r) => networkOf({ address: ip.address, prefix: r.prefix }) === networkOf(r));
  if (host.includes(':')) return !/^(f[cd]|fe[89ab]|::1$)/i.test(host);
  return host.includes('.') && !PER_VPC_SUFFIXES.some((s) => host.endsWith(s));
}
