/** The VPC endpoint policy builder: pure, no cdktf (computed by plan/network.ts). */
import { secretsUnder } from '../arn';
import { policy, type PolicyDocument } from '../policy';
import { ROTATION_SECRET_ACTIONS } from './rotation';

/**
 * The endpoint policy: only principals of our own accounts, only on secrets of our own
 * accounts. A stolen credential of another account cannot use our endpoint to reach its own
 * secrets (data exfiltration path), and our principals cannot reach foreign secrets.
 */
export function endpointPolicy(accountIds: string[], region: string, partition: string): PolicyDocument {
  return policy([
    {
      Sid: 'OwnAccountsOwnSecrets',
      Effect: 'Allow',
      Principal: '*',
      // What rotation functions call (readers need a subset of it).
      Action: [...ROTATION_SECRET_ACTIONS],
      Resource: accountIds.map((a) => secretsUnder({ partition, region, accountId: a }, '')),
      Condition: { StringEquals: { 'aws:PrincipalAccount': accountIds } },
    },
    {
      // GetRandomPassword has no resource; it is allowed for our principals only.
      Sid: 'RandomPasswordsForOwnAccounts',
      Effect: 'Allow',
      Principal: '*',
      Action: 'secretsmanager:GetRandomPassword',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': accountIds } },
    },
  ]);
}

/** The broadest IPv4 client range the endpoint admits: a subnet of clients, never a VPC or more. */
export const MIN_ENDPOINT_CLIENT_PREFIX = 24;

/**
 * Client CIDRs the endpoint must refuse: not an IPv4 CIDR, or broader than a /24. A pair such as
 * 0.0.0.0/1 + 128.0.0.0/1 is the whole Internet without ever writing 0.0.0.0/0.
 */
export function broadClientCidrs(cidrs: readonly string[]): string[] {
  return cidrs.filter((c) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(c);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) return true;
    const prefix = Number(m[5]);
    return prefix < MIN_ENDPOINT_CLIENT_PREFIX || prefix > 32;
  });
}
