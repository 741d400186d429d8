/**
 * Fixture catalogs for tests that need particular secrets. Nothing here reads catalogs/: a team
 * edits those, and a test that needs "a replicated database login shared with another account"
 * builds one here instead of finding it in the examples. Builders give a valid entry of each kind
 * with realistic defaults; `teamCatalogs()` is a small three-environment team that uses every
 * feature once (each kind of value, reader, rotation strategy and engine, ECS injection and
 * run-time reads, replicas, a network), so the invariants of ./invariants.ts are never vacuous.
 */
import type { EnvironmentConfig, EnvironmentName, RotationSchedule, SecretSpec } from '../../catalogs/types';
import { NAME_PREFIX } from '../../catalogs/project';
import { FEATURES } from './features';
import { scaledEnvironment } from '../../tools/bench/catalog';

/** Accounts of the fixture organisation (none of them is an account of catalogs/). */
export const FIXTURE_ACCOUNTS = {
  dev: '210000000001',
  staging: '210000000002',
  production: '210000000003',
  apps: '210000000011',
  partner: '210000000022',
  monitoring: '210000000033',
} as const;
export const FIXTURE_ORG = 'o-fixture0001';
/** The organisation of dev and staging (declared only where the schema takes organizationId). */
export const FIXTURE_NONPROD_ORG = 'o-fixture0002';

/** Distinct network ids per environment (hex, as EC2 writes them). */
function networkIds(name: EnvironmentName) {
  const n = { dev: 'd', staging: 'e', production: 'f' }[name];
  const id = (kind: string, i: number) => `${kind}-0${n}${n}${n}0000000000${i.toString(16).padStart(3, '0')}`;
  return {
    vpc: id('vpc', 1),
    subnets: [id('subnet', 0x11), id('subnet', 0x12)],
    clientSgs: [id('sg', 0x31), id('sg', 0x32)],
    dbSgs: [id('sg', 0x21), id('sg', 0x22)],
  };
}

/** A valid, empty environment of the fixture organisation: add secrets and readers. */
export function environment(name: EnvironmentName, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  const accountId = FIXTURE_ACCOUNTS[name];
  const ids = networkIds(name);
  const windows = { dev: 7, staging: 14, production: 30 }[name];
  return {
    name,
    accountId,
    region: 'us-east-1',
    deployRoleArn: `arn:aws:iam::${accountId}:role/secrets-platform-deploy`,
    breakGlass: { roleName: 'secrets-platform-break-glass' },
    owner: 'payments-team',
    costCenter: `payments-${name}`,
    recoveryWindowDays: windows,
    keyDeletionWindowDays: name === 'production' ? 30 : windows,
    logRetentionDays: 365,
    network: { vpcId: ids.vpc, subnetIds: ids.subnets, endpointClientSecurityGroupIds: ids.clientSgs },
    readers: {},
    secrets: [],
    ...(FEATURES.organizationId ? { organizationId: name === 'production' ? FIXTURE_ORG : FIXTURE_NONPROD_ORG } : {}),
    ...overrides,
  } as EnvironmentConfig;
}

/** The database security groups of an environment's fixture network. */
export const databaseSecurityGroups = (name: EnvironmentName) => networkIds(name).dbSgs;

type Extra = Partial<SecretSpec>;
const NO_ROTATION = 'Issued by the vendor and rolled in its console; the value version is raised after';

/** A text value supplied at deploy time (a vendor's API key). */
export function apiKey(id: string, service: string, extra: Extra = {}): SecretSpec {
  return {
    id,
    service,
    component: 'vendor',
    type: 'api-key',
    description: `${service} vendor API key`,
    category: 'api-keys',
    value: { kind: 'deploy-time' },
    noRotationReason: NO_ROTATION,
    ...extra,
  };
}

/** A value generated once at apply time and never rotated (a signing key rolled by hand). */
export function generatedValue(id: string, service: string, extra: Extra = {}): SecretSpec {
  return {
    id,
    service,
    component: 'auth',
    type: 'signing-key',
    description: `${service} token signing key`,
    category: 'application',
    value: { kind: 'generated', generator: { length: 64, format: 'alphanumeric' } },
    noRotationReason: 'Rolling it invalidates sessions; rolled with a coordinated key-set release',
    ...extra,
  };
}

/** An externally set text value that the generated rotation function regenerates. */
export function rotatedToken(id: string, service: string, extra: Extra = {}, schedule: RotationSchedule = { afterDays: 30 }): SecretSpec {
  return {
    id,
    service,
    component: 'webhook',
    type: 'signing-hmac',
    description: `${service} webhook signing secret`,
    category: 'service-accounts',
    value: { kind: 'external', format: 'text' },
    rotation: { kind: 'generated', format: 'base64url', length: 48, schedule },
    ...extra,
  };
}

export interface LoginOptions {
  engine?: 'postgres' | 'mysql' | 'mariadb';
  host: string;
  username: string;
  strategy?: 'single-user' | 'admin' | 'alternating-users';
  adminSecret?: string;
  schedule?: RotationSchedule;
  databaseSecurityGroupIds?: string[];
  databaseCidrs?: string[];
  dbname?: string;
  tls?: 'verify-full' | 'require' | 'disabled';
  tlsReason?: string;
}

/**
 * A rotated database login (JSON with engine, host, port, ...). Its first password is supplied at
 * deploy time for single-user rotation (which logs in with it), generated for the admin and
 * alternating strategies (whose first rotation sets it through the admin secret).
 */
export function databaseLogin(id: string, service: string, type: string, o: LoginOptions, extra: Extra = {}): SecretSpec {
  const engine = o.engine ?? 'postgres';
  const port = engine === 'postgres' ? 5432 : 3306;
  const password = (o.strategy ?? 'single-user') === 'single-user' ? { deployTime: ['password'] } : { generated: { password: {} } };
  return {
    id,
    service,
    component: engine,
    type,
    description: `${service} ${engine} login ${o.username}`,
    category: 'database',
    value: {
      kind: 'json',
      fields: { engine, host: o.host, port, dbname: o.dbname ?? service.replace(/-/g, '_'), username: o.username },
      ...password,
    },
    rotation: {
      kind: 'database',
      engine,
      strategy: o.strategy ?? 'single-user',
      ...(o.adminSecret ? { adminSecret: o.adminSecret } : {}),
      schedule: o.schedule ?? { afterDays: 30 },
      ...(o.databaseSecurityGroupIds ? { databaseSecurityGroupIds: o.databaseSecurityGroupIds } : {}),
      ...(o.databaseCidrs ? { databaseCidrs: o.databaseCidrs } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.tlsReason ? { tlsReason: o.tlsReason } : {}),
    },
    ...extra,
  };
}

/** A rotation admin set by an operator (external JSON with the database keys), rotated single-user. */
export function externalAdmin(
  id: string,
  service: string,
  o: Omit<LoginOptions, 'host' | 'username' | 'strategy' | 'adminSecret'>,
  extra: Extra = {},
): SecretSpec {
  const engine = o.engine ?? 'mysql';
  return {
    id,
    service,
    component: engine,
    type: 'rotation-admin',
    description: `${service} ${engine} rotation admin`,
    category: 'database',
    value: { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'port', 'username', 'password'] },
    rotation: {
      kind: 'database',
      engine,
      strategy: 'single-user',
      schedule: o.schedule ?? { afterDays: 30 },
      ...(o.databaseSecurityGroupIds ? { databaseSecurityGroupIds: o.databaseSecurityGroupIds } : {}),
      ...(o.databaseCidrs ? { databaseCidrs: o.databaseCidrs } : {}),
    },
    ...extra,
  };
}

/** A JSON configuration: literal fields, generated keys and deploy-time keys. */
export function jsonConfig(id: string, service: string, extra: Extra = {}): SecretSpec {
  return {
    id,
    service,
    component: 'app',
    type: 'config',
    description: `${service} application configuration`,
    category: 'application',
    value: {
      kind: 'json',
      fields: { region: 'us-east-1', featureFlags: 'checkout-v2' },
      generated: { CACHE_PASSWORD: { length: 40, format: 'alphanumeric' } },
      deployTime: ['SMTP_PASSWORD'],
    },
    noRotationReason: 'Mixes vendor tokens rotated at their issuers; raise its value version to rewrite',
    ...extra,
  };
}

/** The fixture secret's name, derived as the platform documents it (`<prefix>/<service>/<component>/<type>`). */
export function fixtureName(env: Pick<EnvironmentConfig, 'name'>, s: Pick<SecretSpec, 'name' | 'service' | 'component' | 'type'>): string {
  return s.name ?? `${NAME_PREFIX[env.name]}/${s.service}/${s.component}/${s.type}`;
}

/**
 * A small team in three environments. Production: a PostgreSQL master and its alternating-users
 * application login (replicated to us-west-2 and, the master, eu-west-1; shared with the apps account, read at run time by
 * ECS `orders-api`), a MySQL login rotated through an operator-set admin (admin strategy, CIDR
 * target), a MariaDB login under single-user rotation, a deploy-time vendor key shared with the
 * partner and an IAM-role reader, a rotated webhook secret shared with its organisation, a
 * generated signing key injected into ECS, a JSON config injected by key, an external binary, an
 * AWS-managed-key secret, a name override and catalog tags. Staging mirrors it without the
 * partner and the organisation; dev shares nothing, replicates nothing and holds a binary value
 * from a file.
 */
export function teamCatalogs(): EnvironmentConfig[] {
  return (['dev', 'staging', 'production'] as const).map((name) => {
    const prod = name === 'production';
    const shared = name !== 'dev';
    const sgs = databaseSecurityGroups(name);
    const host = (h: string) => `${h}.${name}.db.example.internal`;
    const schedule: RotationSchedule = name === 'dev' ? { afterDays: 1 } : { afterDays: 30, window: '3h' };
    const readers: EnvironmentConfig['readers'] = { reports: { kind: 'iam-role', roleName: 'orders-reports-lambda' } };
    if (shared) readers.apps = { kind: 'account', accountId: FIXTURE_ACCOUNTS.apps, roleNames: ['orders-reader', 'batch-reader'] };
    if (prod) {
      readers.partner = { kind: 'account', accountId: FIXTURE_ACCOUNTS.partner, roleNames: ['partner-gateway'] };
      // Production's own organisation only: another environment's accounts are not in it.
      readers.org = { kind: 'organization', organizationId: FIXTURE_ORG };
    }
    const secrets: SecretSpec[] = [
      databaseLogin(
        'orders_db_master',
        'orders',
        'master-credentials',
        { host: host('orders'), username: 'orders_admin', schedule, databaseSecurityGroupIds: [sgs[0]] },
        { replicas: prod ? ['us-west-2', 'eu-west-1'] : shared ? ['us-west-2'] : undefined },
      ),
      databaseLogin(
        'orders_db_app',
        'orders',
        'app-credentials',
        {
          host: host('orders'),
          username: 'orders_app',
          strategy: 'alternating-users',
          adminSecret: 'orders_db_master',
          schedule,
          databaseSecurityGroupIds: [sgs[0]],
        },
        {
          replicas: shared ? ['us-west-2'] : undefined,
          readers: shared ? ['apps'] : undefined,
          ecs: [{ service: 'orders-api', runtime: true }],
        },
      ),
      externalAdmin('billing_db_admin', 'billing', { engine: 'mysql', databaseCidrs: ['10.40.1.5/32'] }),
      databaseLogin(
        'billing_db',
        'billing',
        'credentials',
        {
          engine: 'mysql',
          host: '10.40.1.5',
          username: 'billing_app',
          strategy: 'admin',
          adminSecret: 'billing_db_admin',
          databaseCidrs: ['10.40.1.5/32'],
          schedule: { afterDays: 7, window: '4h' },
        },
        { ecs: [{ service: 'billing-worker', runtime: true }] },
      ),
      databaseLogin(
        'ledger_db',
        'ledger',
        'credentials',
        { engine: 'mariadb', host: host('ledger'), username: 'ledger_app', databaseSecurityGroupIds: [sgs[1]] },
        { tags: { DataClass: 'financial' } },
      ),
      apiKey('payments_api_key', 'payments', {
        readers: prod ? ['partner', 'reports'] : ['reports'],
        ...(name === 'staging' ? { recoveryWindowDays: 30 } : {}),
      }),
      rotatedToken('webhook_secret', 'payments', { readers: prod ? ['org'] : undefined }),
      generatedValue('session_key', 'orders', { ecs: [{ service: 'orders-api', inject: [{ env: 'SESSION_KEY' }] }] }),
      jsonConfig('orders_config', 'orders', {
        ecs: [
          {
            service: 'orders-api',
            inject: [
              { env: 'SMTP_PASSWORD', jsonKey: 'SMTP_PASSWORD' },
              { env: 'CACHE_PASSWORD', jsonKey: 'CACHE_PASSWORD' },
            ],
          },
          { service: 'orders-worker', runtime: true },
        ],
      }),
      { ...apiKey('metrics_key', 'metrics'), awsManagedKey: true, name: `${NAME_PREFIX[name]}/legacy/metrics-key` },
    ];
    if (prod) {
      secrets.push({
        id: 'edge_tls_key',
        service: 'edge',
        component: 'tls',
        type: 'private-key',
        description: 'TLS private key (DER), uploaded by an operator',
        category: 'service-accounts',
        value: { kind: 'external', format: 'binary' },
        noRotationReason: 'Renewed with its certificate; uploaded with --secret-binary',
      });
    }
    if (name === 'dev') {
      secrets.push({
        id: 'partner_ca',
        service: 'partner',
        component: 'mtls',
        type: 'ca-certificates',
        description: 'Partner sandbox CA (DER), binary from a file',
        category: 'service-accounts',
        value: { kind: 'binary-file', path: 'fixtures/dev-partner-ca.der' },
      });
    }
    return environment(name, { readers, secrets, ...(shared ? { alertEmail: 'payments-alerts@example.com' } : {}) });
  });
}

/** One environment of `teamCatalogs()`. */
export function teamEnvironment(name: EnvironmentName): EnvironmentConfig {
  return teamCatalogs().find((e) => e.name === name)!;
}

/**
 * Shapes the team does not have, each a valid catalog set of its own: a VPC that already has a
 * Secrets Manager endpoint, an environment without a network (no database rotation; a generated
 * rotation of one JSON key), endpoint
 * clients by CIDR, more than 40 secrets under one rotation function (the bulk permission form),
 * and the smallest environment there is.
 */
export function fixtureVariants(): Record<string, EnvironmentConfig[]> {
  const staging = environment('staging');
  const sgs = databaseSecurityGroups('staging');
  return {
    'existing endpoint': [
      {
        ...staging,
        // Where the schema takes it, the existing endpoint's security group (and then no client lists).
        network: FEATURES.existingEndpoint
          ? ({
              vpcId: staging.network!.vpcId,
              subnetIds: staging.network!.subnetIds,
              createSecretsManagerEndpoint: false,
              existingEndpointSecurityGroupId: 'sg-0eee00000000000a1',
            } as EnvironmentConfig['network'])
          : { ...staging.network!, createSecretsManagerEndpoint: false },
        secrets: [
          databaseLogin(
            'db',
            'shop',
            'credentials',
            { host: 'shop.staging.db.example.internal', username: 'shop_app', databaseSecurityGroupIds: [sgs[0]] },
            { ecs: [{ service: 'shop-api', runtime: true }] },
          ),
        ],
      },
    ],
    'no network': [
      environment('production', {
        network: undefined,
        readers: { partner: { kind: 'account', accountId: FIXTURE_ACCOUNTS.partner, roleNames: ['partner-gateway'] } },
        secrets: [
          rotatedToken('hook', 'shop', { readers: ['partner'] }),
          apiKey('vendor', 'shop'),
          // A generated rotation of one JSON key: the values step writes the first JSON, the rotation renews the key.
          jsonConfig('cfg', 'shop', {
            ecs: [{ service: 'shop-web', inject: [{ env: 'SMTP_PASSWORD', jsonKey: 'SMTP_PASSWORD' }] }],
            rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'CACHE_PASSWORD', schedule: { afterDays: 30 } },
            noRotationReason: undefined,
          }),
        ],
      }),
    ],
    'endpoint clients by CIDR': [
      environment('dev', {
        network: {
          ...environment('dev').network!,
          endpointClientSecurityGroupIds: undefined,
          endpointClientCidrs: ['10.20.1.0/24', '10.20.2.0/26'],
        },
        secrets: [
          databaseLogin(
            'db',
            'shop',
            'credentials',
            { engine: 'mysql', host: '10.20.3.7', username: 'shop', databaseCidrs: ['10.20.3.0/24'] },
            { ecs: [{ service: 'shop-api', runtime: true }] },
          ),
          databaseLogin('legacy_db', 'legacy', 'credentials', {
            engine: 'mariadb',
            host: '10.20.4.9',
            username: 'legacy',
            databaseCidrs: ['10.20.4.9/32'],
            tls: 'require',
          }),
        ],
      }),
    ],
    'over 40 rotated secrets': [
      environment('staging', {
        secrets: Array.from({ length: 41 }, (_, i) => rotatedToken(`token_${i}`, `tenant${i}`)),
      }),
    ],
    'one secret': [environment('dev', { network: undefined, secrets: [apiKey('only', 'tiny')] })],
  };
}

/** The bench's large production-like environment (tools/bench/catalog.ts) with fixture settings and readers. */
export function scaledFixture(count: number): EnvironmentConfig {
  return scaledEnvironment(
    count,
    environment('production', {
      readers: {
        partner: { kind: 'account', accountId: FIXTURE_ACCOUNTS.partner, roleNames: ['partner-gateway'] },
        'app-accounts': { kind: 'account', accountId: FIXTURE_ACCOUNTS.apps, roleNames: ['orders-reader'] },
      },
    }),
  );
}
