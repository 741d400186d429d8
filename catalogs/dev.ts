import { ACCOUNTS } from './project';
import { myAppSecrets, platformSecrets, ticketSystemSecrets } from './systems';
import type { EnvironmentConfig } from './types';

/**
 * Dev: the same systems so that rotation and injection are exercised early, but nothing is
 * replicated or shared with another account (production data never meets dev), short
 * recovery windows, and a binary value from a file, which dev alone may keep in state.
 */
export const dev: EnvironmentConfig = {
  name: 'dev',
  accountId: ACCOUNTS.dev,
  region: 'us-east-1',
  deployRoleArn: `arn:aws:iam::${ACCOUNTS.dev}:role/secrets-platform-deploy`,
  breakGlass: { roleName: 'secrets-platform-break-glass', description: 'Assumed only through the audited emergency-access procedure' },
  owner: 'platform-team',
  costCenter: 'platform-dev',
  recoveryWindowDays: 7,
  keyDeletionWindowDays: 7,
  logRetentionDays: 365,
  network: {
    vpcId: 'vpc-0c1b2c3d4e5f60001',
    subnetIds: ['subnet-0c1b2c3d4e5f60011', 'subnet-0c1b2c3d4e5f60012'],
    // The ECS services that read secrets at run time or at start-up, by security group: never the
    // VPC's whole range (which would admit every workload in it).
    endpointClientSecurityGroupIds: ['sg-0c1b2c3d4e5f60031', 'sg-0c1b2c3d4e5f60032', 'sg-0c1b2c3d4e5f60033'],
  },
  readers: {
    'ticket-lambda': { kind: 'iam-role', roleName: 'ticket-notifier-lambda' },
  },
  secrets: [
    ...platformSecrets({
      dbHost: 'platform-db.dev.internal.example.com',
      rotation: { afterDays: 1 },
      databaseSecurityGroupIds: ['sg-0c1b2c3d4e5f60021'],
    }),
    ...myAppSecrets({
      mysqlHost: '10.2.1.5',
      rotation: { afterDays: 5, window: '4h' },
      adminRotation: { afterDays: 30, window: '4h' },
    }),
    ...ticketSystemSecrets({
      dbHost: 'tickets.cluster-ghi789.us-east-1.rds.amazonaws.com',
      rotation: { afterDays: 1 },
      databaseSecurityGroupIds: ['sg-0c1b2c3d4e5f60022'],
    }).map((s) => (s.id === 'ticket_app_config' ? { ...s, readers: ['ticket-lambda'] } : s)),
    {
      id: 'partner_ca_bundle',
      service: 'partner',
      component: 'mtls',
      type: 'ca-certificates',
      description: 'Partner sandbox CA (DER) for mTLS; binary from a file, dev only',
      category: 'service-accounts',
      value: { kind: 'binary-file', path: 'fixtures/dev-partner-ca.der' },
    },
  ],
};
