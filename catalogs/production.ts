import { ACCOUNTS } from './project';
import { myAppSecrets, platformSecrets, ticketSystemSecrets } from './systems';
import type { EnvironmentConfig } from './types';

/**
 * Production: every system, customer-managed keys per category, database secrets replicated to
 * us-west-2 for disaster recovery, shared with the application, monitoring and partner accounts.
 */
export const production: EnvironmentConfig = {
  name: 'production',
  accountId: ACCOUNTS.production,
  region: 'us-east-1',
  deployRoleArn: `arn:aws:iam::${ACCOUNTS.production}:role/secrets-platform-deploy`,
  breakGlass: { roleName: 'secrets-platform-break-glass', description: 'Assumed only through the audited emergency-access procedure' },
  owner: 'platform-team',
  costCenter: 'platform-security',
  recoveryWindowDays: 30,
  keyDeletionWindowDays: 30,
  logRetentionDays: 365,
  alertEmail: 'platform-alerts@example.com',
  network: {
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012', 'subnet-0a1b2c3d4e5f60013'],
    // The ECS services that read secrets at run time or at start-up, by security group: never the
    // VPC's whole range (which would admit every workload in it).
    endpointClientSecurityGroupIds: ['sg-0a1b2c3d4e5f60031', 'sg-0a1b2c3d4e5f60032', 'sg-0a1b2c3d4e5f60033'],
  },
  readers: {
    'app-accounts': { kind: 'account', accountId: ACCOUNTS.appPrimary, roleNames: ['secrets-reader'] },
    'app-accounts-secondary': { kind: 'account', accountId: ACCOUNTS.appSecondary, roleNames: ['secrets-reader'] },
    monitoring: { kind: 'account', accountId: ACCOUNTS.monitoring, roleNames: ['datadog-forwarder'] },
    partner: { kind: 'account', accountId: ACCOUNTS.partner, roleNames: ['partner-gateway-client'] },
  },
  secrets: [
    ...platformSecrets({
      dbHost: 'platform-db.prod.internal.example.com',
      replicas: ['us-west-2'],
      appReaders: ['app-accounts', 'app-accounts-secondary'],
      datadogReaders: ['monitoring'],
      oauthReaders: ['app-accounts', 'app-accounts-secondary'],
      gatewayKeyReaders: ['app-accounts', 'app-accounts-secondary', 'partner'],
      rotation: { afterDays: 30, window: '3h' },
      databaseSecurityGroupIds: ['sg-0a1b2c3d4e5f60021'],
    }),
    ...myAppSecrets({
      mysqlHost: '10.0.1.5',
      rotation: { afterDays: 5, window: '4h' },
      adminRotation: { afterDays: 30, window: '4h' },
    }),
    ...ticketSystemSecrets({
      dbHost: 'tickets.cluster-abc123.us-east-1.rds.amazonaws.com',
      rotation: { afterDays: 30, window: '3h' },
      databaseSecurityGroupIds: ['sg-0a1b2c3d4e5f60022'],
    }),
    {
      id: 'edge_tls_private_key',
      service: 'edge',
      component: 'tls',
      type: 'private-key',
      description: 'TLS private key (binary DER); uploaded by an operator with --secret-binary, never via Terraform',
      category: 'service-accounts',
      value: { kind: 'external', format: 'binary' },
      noRotationReason: 'Renewed with its certificate by the edge team; uploaded with --secret-binary',
    },
  ],
};
