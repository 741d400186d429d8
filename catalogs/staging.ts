import { ACCOUNTS } from './project';
import { myAppSecrets, platformSecrets, ticketSystemSecrets } from './systems';
import type { EnvironmentConfig } from './types';

/**
 * Staging mirrors production's shape (replication, rotation, cross-account reads) so that every
 * production mechanism is exercised before it ships, but it shares only with the staging
 * application account and the monitoring account, never with partners.
 */
export const staging: EnvironmentConfig = {
  name: 'staging',
  accountId: ACCOUNTS.staging,
  region: 'us-east-1',
  deployRoleArn: `arn:aws:iam::${ACCOUNTS.staging}:role/secrets-platform-deploy`,
  breakGlass: { roleName: 'secrets-platform-break-glass', description: 'Assumed only through the audited emergency-access procedure' },
  owner: 'platform-team',
  costCenter: 'platform-security',
  recoveryWindowDays: 14,
  keyDeletionWindowDays: 14,
  logRetentionDays: 365,
  alertEmail: 'platform-alerts@example.com',
  network: {
    vpcId: 'vpc-0b1b2c3d4e5f60001',
    subnetIds: ['subnet-0b1b2c3d4e5f60011', 'subnet-0b1b2c3d4e5f60012'],
    // The ECS services that read secrets at run time or at start-up, by security group: never the
    // VPC's whole range (which would admit every workload in it).
    endpointClientSecurityGroupIds: ['sg-0b1b2c3d4e5f60031', 'sg-0b1b2c3d4e5f60032', 'sg-0b1b2c3d4e5f60033'],
  },
  readers: {
    'app-accounts': { kind: 'account', accountId: ACCOUNTS.stagingApps, roleNames: ['secrets-reader'] },
    monitoring: { kind: 'account', accountId: ACCOUNTS.monitoring, roleNames: ['datadog-forwarder'] },
  },
  secrets: [
    ...platformSecrets({
      dbHost: 'platform-db.staging.internal.example.com',
      replicas: ['us-west-2'],
      appReaders: ['app-accounts'],
      datadogReaders: ['monitoring'],
      oauthReaders: ['app-accounts'],
      gatewayKeyReaders: ['app-accounts'],
      rotation: { afterDays: 7, window: '3h' },
      databaseSecurityGroupIds: ['sg-0b1b2c3d4e5f60021'],
    }),
    ...myAppSecrets({
      mysqlHost: '10.1.1.5',
      rotation: { afterDays: 5, window: '4h' },
      adminRotation: { afterDays: 30, window: '4h' },
    }),
    ...ticketSystemSecrets({
      dbHost: 'tickets.cluster-def456.us-east-1.rds.amazonaws.com',
      rotation: { afterDays: 7, window: '3h' },
      databaseSecurityGroupIds: ['sg-0b1b2c3d4e5f60022'],
    }),
  ],
};
