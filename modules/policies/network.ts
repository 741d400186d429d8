/** The VPC endpoint policy builder: pure, no cdktf (see stacks/plan). */
import { policy, PolicyDocument } from '../policy';
import { ROTATION_SECRET_ACTIONS } from './rotation';

/**
 * The endpoint policy: only principals of our own accounts, only on secrets of our own
 * accounts. A stolen credential of another account cannot use our endpoint to reach its own
 * secrets (data exfiltration path), and our principals cannot reach foreign secrets.
 */
export function endpointPolicy(accountIds: string[], region: string): PolicyDocument {
  return policy([
    {
      Sid: 'OwnAccountsOwnSecrets',
      Effect: 'Allow',
      Principal: '*',
      // What rotation functions call (readers need a subset of it).
      Action: [...ROTATION_SECRET_ACTIONS],
      Resource: accountIds.map((a) => `arn:aws:secretsmanager:${region}:${a}:secret:*`),
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
