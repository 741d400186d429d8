/**
 * The systems from the reference documents, as catalog fragments. Each environment catalog
 * calls these with its own decisions (replicas, readers, schedules), so the shape of a system
 * is written once and what differs per environment is visible in that environment's file.
 */
import type { EcsAccess, RotationSchedule, SecretSpec } from './types';

export interface PlatformOptions {
  /** Hostname of the platform PostgreSQL (RDS) instance. */
  dbHost: string;
  replicas?: string[];
  /** Readers of the application database credentials (never of the master). */
  appReaders?: string[];
  datadogReaders?: string[];
  oauthReaders?: string[];
  gatewayKeyReaders?: string[];
  rotation: RotationSchedule;
  databaseSecurityGroupIds: string[];
}

/**
 * The production reference's platform secrets. Deliberate departure: the reference shares the
 * database master password with the application accounts. We keep the master private to the
 * rotation function and share an application login instead, rotated with alternating users
 * driven by the master, so applications never hold superuser credentials.
 */
export function platformSecrets(o: PlatformOptions): SecretSpec[] {
  const dbFields = { engine: 'postgres', host: o.dbHost, port: 5432, dbname: 'platform' };
  return [
    {
      id: 'platform_db_master',
      service: 'platform',
      component: 'postgres',
      type: 'master-credentials',
      description: 'Platform PostgreSQL master login; used only by the rotation function',
      category: 'database',
      // Single-user rotation logs in with the current password, so the first one is the
      // database's own (DEPLOY_TIME_VALUES), never a generated one nobody could set on it.
      value: { kind: 'json', fields: { ...dbFields, username: 'platform_admin' }, deployTime: ['password'] },
      rotation: {
        kind: 'database',
        engine: 'postgres',
        strategy: 'single-user',
        schedule: o.rotation,
        databaseSecurityGroupIds: o.databaseSecurityGroupIds,
      },
      replicas: o.replicas,
    },
    {
      id: 'platform_db_app',
      service: 'platform',
      component: 'postgres',
      type: 'app-credentials',
      description: 'Platform PostgreSQL application login (alternating users, driven by the master)',
      category: 'database',
      value: { kind: 'json', fields: { ...dbFields, username: 'platform_app' }, generated: { password: {} } },
      rotation: {
        kind: 'database',
        engine: 'postgres',
        strategy: 'alternating-users',
        adminSecret: 'platform_db_master',
        schedule: o.rotation,
        databaseSecurityGroupIds: o.databaseSecurityGroupIds,
      },
      replicas: o.replicas,
      readers: o.appReaders,
    },
    {
      id: 'datadog_api_key',
      service: 'monitoring',
      component: 'datadog',
      type: 'api-key',
      description: 'Datadog API key, issued by Datadog and supplied at deploy time',
      category: 'api-keys',
      value: { kind: 'deploy-time' },
      noRotationReason: 'Issued by Datadog; rotate it in Datadog, then raise its value version',
      readers: o.datadogReaders,
    },
    {
      id: 'oauth_client_secret',
      service: 'app',
      component: 'oauth',
      type: 'client_secret',
      description: 'OAuth client secret, issued by the identity provider and supplied at deploy time',
      category: 'api-keys',
      value: { kind: 'deploy-time' },
      noRotationReason: 'Issued by the identity provider; rotate it there, then raise its value version',
      readers: o.oauthReaders,
    },
    {
      id: 'api_gateway_key',
      service: 'service',
      component: 'api-gateway',
      type: 'key',
      description: 'Service account key for the API gateway, generated and rotated by us',
      category: 'service-accounts',
      value: { kind: 'external', format: 'text' },
      rotation: { kind: 'generated', format: 'base64url', length: 48, schedule: { afterDays: 90 } },
      readers: o.gatewayKeyReaders,
    },
  ];
}

export interface MyAppOptions {
  /** Private IP of the MySQL instance on EC2 (10.0.1.5 in the reference). */
  mysqlHost: string;
  rotation: RotationSchedule;
  adminRotation: RotationSchedule;
}

/**
 * The MySQL-on-EC2 application, rotated through the reference's "separate admin user"
 * alternative, so a compromised application login is not the credential that rotates it.
 * Correction to the reference: `GRANT ALTER USER ON *.*` is not valid MySQL (there is no such
 * privilege) and single-user rotation needs no grant at all, since a user may always change its
 * own password; granting CREATE USER instead, as the reference suggests for 5.7, would let the
 * application change every account's password.
 */
export function myAppSecrets(o: MyAppOptions): SecretSpec[] {
  const fields = { engine: 'mysql', host: o.mysqlHost, port: 3306, dbname: 'myapp_db' };
  return [
    {
      id: 'myapp_db',
      service: 'myapp',
      component: 'mysql',
      type: 'credentials',
      description: 'MySQL credentials of myapp (EC2), rotated through the rotation admin',
      category: 'database',
      value: { kind: 'json', fields: { ...fields, username: 'myapp_user' }, generated: { password: {} } },
      rotation: {
        kind: 'database',
        engine: 'mysql',
        strategy: 'admin',
        adminSecret: 'myapp_rotation_admin',
        schedule: o.rotation,
        databaseCidrs: [`${o.mysqlHost}/32`],
      },
      ecs: [{ service: 'myapp', runtime: true }],
    },
    {
      id: 'myapp_rotation_admin',
      service: 'myapp',
      component: 'mysql',
      type: 'rotation-admin',
      description: 'MySQL rotation admin of myapp; the only login allowed to change myapp_user',
      category: 'database',
      value: { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'port', 'username', 'password'] },
      rotation: {
        kind: 'database',
        engine: 'mysql',
        strategy: 'single-user',
        schedule: o.adminRotation,
        databaseCidrs: [`${o.mysqlHost}/32`],
      },
    },
  ];
}

export interface TicketOptions {
  dbHost: string;
  rotation: RotationSchedule;
  databaseSecurityGroupIds: string[];
  ecs?: { api: string; worker: string };
}

/**
 * The service ticket system: database master, application login, JWT signing key, JSON app config.
 *
 * Correction to the reference (seed "AWS Secrets Manager Integration"): it hands the ECS tasks the
 * Aurora master password (`db-master-password`), so whoever compromises the API controls the whole
 * cluster. Here the master is read only by the rotation functions; the API gets an application
 * login (`tickets_app`), rotated with alternating users driven by the master, as the platform
 * database does. The API reads it at run time, so a rotation needs no task restart.
 */
export function ticketSystemSecrets(o: TicketOptions): SecretSpec[] {
  const api = o.ecs?.api ?? 'ticket-api';
  const worker = o.ecs?.worker ?? 'ticket-worker';
  const dbFields = { engine: 'postgres', host: o.dbHost, port: 5432, dbname: 'tickets' };
  const dbAccess: EcsAccess[] = [{ service: api, runtime: true }];
  return [
    {
      id: 'ticket_db_master',
      service: 'ticket-system',
      component: 'postgres',
      type: 'master-credentials',
      description: 'Ticket system PostgreSQL (Aurora) master login; used only by the rotation functions',
      category: 'database',
      // The master's current password (DEPLOY_TIME_VALUES); its first rotation replaces it.
      value: { kind: 'json', fields: { ...dbFields, username: 'tickets_admin' }, deployTime: ['password'] },
      rotation: {
        kind: 'database',
        engine: 'postgres',
        strategy: 'single-user',
        schedule: o.rotation,
        databaseSecurityGroupIds: o.databaseSecurityGroupIds,
      },
    },
    {
      id: 'ticket_db_app',
      service: 'ticket-system',
      component: 'postgres',
      type: 'app-credentials',
      description: 'Ticket system PostgreSQL (Aurora) application login (alternating users, driven by the master)',
      category: 'database',
      value: { kind: 'json', fields: { ...dbFields, username: 'tickets_app' }, generated: { password: {} } },
      rotation: {
        kind: 'database',
        engine: 'postgres',
        strategy: 'alternating-users',
        adminSecret: 'ticket_db_master',
        schedule: o.rotation,
        databaseSecurityGroupIds: o.databaseSecurityGroupIds,
      },
      ecs: dbAccess,
    },
    {
      id: 'ticket_jwt_signing_key',
      service: 'ticket-system',
      component: 'auth',
      type: 'jwt-signing-key',
      description: 'JWT signing key; generated once, rotated only with a coordinated key roll-over',
      category: 'application',
      value: { kind: 'generated', generator: { length: 64, format: 'alphanumeric' } },
      noRotationReason: 'Rotating a JWT signing key invalidates live sessions; roll it over with a coordinated key-set release',
      ecs: [{ service: api, inject: [{ env: 'JWT_SECRET' }] }],
    },
    {
      id: 'ticket_app_config',
      service: 'ticket-system',
      component: 'app',
      type: 'config',
      description: 'Ticket system application configuration (JSON)',
      category: 'application',
      value: {
        kind: 'json',
        fields: {},
        generated: {
          REDIS_PASSWORD: { length: 40, format: 'alphanumeric' },
          ENCRYPTION_KEY: { length: 64, format: 'alphanumeric' },
          WEBHOOK_SECRET: { length: 48, format: 'alphanumeric' },
        },
        deployTime: ['SMTP_PASSWORD', 'CLOUDFLARE_TOKEN', 'API_KEY'],
      },
      noRotationReason: 'Mixes third-party tokens (SMTP, Cloudflare, API) rotated at their issuers; raise its value version to rewrite',
      ecs: [
        {
          service: api,
          inject: [
            { env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' },
            { env: 'SMTP_PASSWORD', jsonKey: 'SMTP_PASSWORD' },
            { env: 'CLOUDFLARE_TOKEN', jsonKey: 'CLOUDFLARE_TOKEN' },
          ],
        },
        { service: worker, runtime: true },
      ],
    },
  ];
}
