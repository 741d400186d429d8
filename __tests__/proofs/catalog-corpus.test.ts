/**
 * The organisation's corpora (issue 19): a fixture app of three environments, each in its own
 * account, that every case changes in one way. Bad catalogs cross environments (accounts,
 * organisations, databases, network ids, tags), secrets (one login one owner, admins, masters),
 * consumers (ECS injection, AWS credentials, the endpoint, database hosts and ports), values (what
 * gitleaks' rule set recognises, empty files, look-alike keys, deploy-time names) and IAM paths:
 * each is refused with the right rule on the right environment and secret (or subject), in one
 * line, and nothing is written. Valid catalogs are unusual but correct: each synthesizes.
 *
 * In the proofs project: ~100 full syntheses of three environments take a minute or more.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../app/app';
import { attempt, type Expected, expectRefused } from '../support/corpus';

type Env = any;
type Name = 'dev' | 'staging' | 'production';
type App = Record<Name, Env>;

const ACCOUNT: Record<Name, string> = { production: '410000000004', staging: '310000000003', dev: '210000000002' };
const APPS = '510000000005';
const STAGING_APPS = '520000000005';
const PARTNER = '610000000006';
const ORG = 'o-fixture0001';
const HEX: Record<Name, string> = { production: 'a1', staging: 'b2', dev: 'c3' };
/** A VPC, subnet or security group id of an environment (17 hex digits). */
const id = (prefix: string, env: Name, n: number) => `${prefix}-${HEX[env]}${n.toString(16).padStart(15, '0')}`;
const HOST: Record<Name, string> = {
  production: 'payments.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com',
  staging: 'payments.cluster-b2c3d4e5f6a1.us-east-1.rds.amazonaws.com',
  dev: 'payments.cluster-c3d4e5f6a1b2.us-east-1.rds.amazonaws.com',
};
const MYSQL: Record<Name, string> = { production: '10.10.1.5', staging: '10.20.1.5', dev: '10.30.1.5' };

function environment(name: Name): Env {
  const window = { production: 30, staging: 14, dev: 7 }[name];
  const readers: Record<Name, object> = {
    production: {
      apps: { kind: 'account', accountId: APPS, roleNames: ['payments-reader'] },
      notifier: { kind: 'iam-role', roleName: 'payments-notifier' },
    },
    staging: { apps: { kind: 'account', accountId: STAGING_APPS, roleNames: ['payments-reader'] } },
    dev: { notifier: { kind: 'iam-role', roleName: 'payments-notifier' } },
  };
  const dbRotation = (strategy: string, extra: object = {}) => ({
    kind: 'database',
    engine: 'postgres',
    strategy,
    schedule: { afterDays: 30 },
    databaseSecurityGroupIds: [id('sg', name, 2)],
    ...extra,
  });
  const mysqlRotation = (strategy: string, extra: object = {}) => ({
    kind: 'database',
    engine: 'mysql',
    strategy,
    schedule: { afterDays: 30 },
    databaseCidrs: [`${MYSQL[name]}/32`],
    ...extra,
  });
  return {
    name,
    accountId: ACCOUNT[name],
    region: 'us-east-1',
    deployRoleArn: `arn:aws:iam::${ACCOUNT[name]}:role/secrets-platform-deploy`,
    breakGlass: { roleName: 'secrets-platform-break-glass' },
    owner: 'payments-team',
    costCenter: 'cc-7',
    recoveryWindowDays: window,
    keyDeletionWindowDays: window,
    logRetentionDays: 365,
    network: {
      vpcId: id('vpc', name, 1),
      subnetIds: [id('subnet', name, 1), id('subnet', name, 2)],
      endpointClientSecurityGroupIds: [id('sg', name, 1)],
    },
    readers: readers[name],
    secrets: [
      {
        id: 'db_master',
        service: 'payments',
        component: 'postgres',
        type: 'master-credentials',
        description: 'Payments PostgreSQL master login; read by the rotation functions only',
        category: 'database',
        // Single-user: the database's current password, from DEPLOY_TIME_VALUES (ROT-FIRST-PASSWORD).
        value: {
          kind: 'json',
          fields: { engine: 'postgres', host: HOST[name], port: 5432, dbname: 'payments', username: 'payments_admin' },
          deployTime: ['password'],
        },
        rotation: dbRotation('single-user'),
      },
      {
        id: 'db_app',
        service: 'payments',
        component: 'postgres',
        type: 'app-credentials',
        description: 'Payments application login (alternating users, driven by the master)',
        category: 'database',
        value: {
          kind: 'json',
          fields: { engine: 'postgres', host: HOST[name], port: 5432, dbname: 'payments', username: 'payments_app' },
          generated: { password: {} },
        },
        rotation: dbRotation('alternating-users', { adminSecret: 'db_master' }),
        ecs: [{ service: 'payments-api', runtime: true }],
        ...(name === 'dev' ? {} : { readers: ['apps'] }),
      },
      {
        id: 'ledger_db',
        service: 'ledger',
        component: 'mysql',
        type: 'credentials',
        description: 'Ledger MySQL login, rotated through the rotation admin',
        category: 'database',
        value: {
          kind: 'json',
          fields: { engine: 'mysql', host: MYSQL[name], port: 3306, username: 'ledger' },
          generated: { password: {} },
        },
        rotation: mysqlRotation('admin', { adminSecret: 'ledger_admin' }),
        ecs: [{ service: 'ledger-worker', runtime: true }],
      },
      {
        id: 'ledger_admin',
        service: 'ledger',
        component: 'mysql',
        type: 'rotation-admin',
        description: 'Ledger MySQL rotation admin',
        category: 'database',
        value: { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'port', 'username', 'password'] },
        rotation: mysqlRotation('single-user'),
      },
      {
        id: 'stripe_key',
        service: 'payments',
        component: 'stripe',
        type: 'api-key',
        description: 'Stripe restricted key, supplied at deploy time',
        category: 'api-keys',
        value: { kind: 'deploy-time' },
        noRotationReason: 'Issued by Stripe; rolled in its dashboard, then the value version is raised',
        ecs: [{ service: 'payments-api', inject: [{ env: 'STRIPE_KEY' }] }],
        ...(name === 'dev' ? {} : { readers: name === 'production' ? ['notifier'] : [] }),
      },
      {
        id: 'webhook_signing',
        service: 'payments',
        component: 'webhooks',
        type: 'signing-key',
        description: 'Webhook signing key, generated and rotated by us',
        category: 'application',
        value: { kind: 'external', format: 'text' },
        rotation: { kind: 'generated', format: 'base64url', length: 48, schedule: { afterDays: 30 } },
        ecs: [{ service: 'payments-api', runtime: true }],
      },
      {
        id: 'app_config',
        service: 'payments',
        component: 'app',
        type: 'config',
        description: 'Payments configuration (JSON)',
        category: 'application',
        value: {
          kind: 'json',
          fields: { region: 'us-east-1', smtp_host: 'smtp.example.com' },
          generated: { REDIS_PASSWORD: { length: 40, format: 'alphanumeric' } },
          deployTime: ['SMTP_PASSWORD'],
        },
        noRotationReason: 'Mixes tokens rotated at their issuers; raise its value version to rewrite',
        ecs: [
          {
            service: 'payments-worker',
            inject: [
              { env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' },
              { env: 'SMTP_PASSWORD', jsonKey: 'SMTP_PASSWORD' },
            ],
          },
        ],
      },
    ],
  };
}

const fixture = (): App => ({ dev: environment('dev'), staging: environment('staging'), production: environment('production') });
/** The app's catalogs; a case may drop an environment (an app of one environment). */
const catalogs = (a: App) => [a.dev, a.staging, a.production].filter((e) => e !== undefined);
const sec = (a: App, env: Name, secretId: string) => a[env].secrets.find((x: Env) => x.id === secretId);
const fields = (a: App, env: Name, secretId: string) => sec(a, env, secretId).value.fields;
const add = (a: App, env: Name, secret: object) =>
  a[env].secrets.push({
    description: 'added by the case',
    category: 'application',
    value: { kind: 'external', format: 'text' },
    noRotationReason: 'issued elsewhere and rotated there',
    ...secret,
  });
/** A second rotated login of the payments database (a copy of db_app with changes). */
const login = (a: App, env: Name, change: (s: Env) => void) => {
  const s = structuredClone(sec(a, env, 'db_app'));
  Object.assign(s, { id: 'db_second', type: 'second-credentials', readers: undefined, ecs: undefined });
  s.rotation.strategy = 'single-user';
  delete s.rotation.adminSecret;
  // Single-user: its first password comes from DEPLOY_TIME_VALUES (ROT-FIRST-PASSWORD).
  delete s.value.generated;
  s.value.deployTime = ['password'];
  s.value.fields.username = 'payments_reporting';
  change(s);
  a[env].secrets.push(s);
};

/** A committed empty file (an export that failed), for the empty-binary case. */
const EMPTY_FILE = 'fixtures/corpus/empty.der';

/** [title, mistake, what the refusal names] */
type Case = [string, (a: App) => void, Expected];
const env = (environment: Name, rule: string, secretId?: string, name?: string): Expected => ({
  rule,
  environment,
  ...(secretId ? { secretId } : {}),
  ...(name ? { name } : {}),
});

const bad: Case[] = [
  // Across environments: accounts and organisations.
  [
    'production shared with the staging account',
    (a) => (a.production.readers.apps.accountId = ACCOUNT.staging),
    env('production', 'READER-ENV-ACCOUNT', undefined, 'reader apps'),
  ],
  [
    'production shared with a role of the dev account',
    (a) => {
      a.production.readers.devops = { kind: 'account', accountId: ACCOUNT.dev, roleNames: ['ops-reader'] };
      sec(a, 'production', 'stripe_key').readers.push('devops');
    },
    env('production', 'READER-ENV-ACCOUNT', undefined, 'reader devops'),
  ],
  [
    'staging shared with the production account',
    (a) => (a.staging.readers.apps.accountId = ACCOUNT.production),
    env('staging', 'READER-ENV-ACCOUNT', undefined, 'reader apps'),
  ],
  [
    'dev shared with the staging account',
    (a) => {
      a.dev.readers.qa = { kind: 'account', accountId: ACCOUNT.staging, roleNames: ['qa'] };
      sec(a, 'dev', 'app_config').readers = ['qa'];
    },
    env('dev', 'READER-ENV-ACCOUNT', undefined, 'reader qa'),
  ],
  [
    'production readable by the organisation, staging declaring none',
    (a) => {
      a.production.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'production', 'webhook_signing').readers = ['org'];
    },
    env('production', 'READER-ENV-ORG', undefined, 'reader org'),
  ],
  [
    'production readable by the organisation staging says it belongs to',
    (a) => {
      a.production.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'production', 'webhook_signing').readers = ['org'];
      a.staging.organizationId = ORG;
      a.dev.organizationId = 'o-otherorg001';
    },
    env('production', 'READER-ENV-ORG', undefined, 'reader org'),
  ],
  [
    'production organisation reader reaching dev while staging is elsewhere',
    (a) => {
      a.production.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'production', 'db_app').readers = ['apps', 'org'];
      a.staging.organizationId = 'o-otherorg001';
    },
    env('production', 'READER-ENV-ORG', undefined, 'reader org'),
  ],
  [
    'dev sharing with the organisation that holds production',
    (a) => {
      a.dev.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'dev', 'app_config').readers = ['org'];
      a.production.organizationId = ORG;
    },
    env('dev', 'READER-ENV-ORG', undefined, 'reader org'),
  ],
  [
    'staging sharing with the organisation',
    (a) => {
      a.staging.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'staging', 'stripe_key').readers = ['org'];
    },
    env('staging', 'READER-ENV-ORG', undefined, 'reader org'),
  ],
  // Across environments: databases.
  [
    "staging rotating production's application login",
    (a) => {
      fields(a, 'staging', 'db_app').host = HOST.production;
      fields(a, 'staging', 'db_master').host = HOST.production;
    },
    env('staging', 'ROT-ENV-DATABASE', 'db_app'),
  ],
  [
    "staging rotating another login on production's database",
    (a) => login(a, 'staging', (s) => (s.value.fields.host = HOST.production)),
    env('staging', 'ROT-ENV-DATABASE', 'db_second'),
  ],
  [
    "dev rotating staging's database by its company DNS name",
    (a) => {
      for (const e of ['dev', 'staging'] as const)
        for (const i of ['db_master', 'db_app']) fields(a, e, i).host = 'payments-db.staging.example.com';
    },
    env('dev', 'ROT-ENV-DATABASE', 'db_master'),
  ],
  [
    "staging rotating production's host written with a trailing dot and capitals",
    (a) => login(a, 'staging', (s) => (s.value.fields.host = `${HOST.production.toUpperCase()}.`)),
    env('staging', 'ROT-ENV-DATABASE', 'db_second'),
  ],
  [
    "staging rotating production's MySQL by its public address",
    (a) => {
      for (const e of ['staging', 'production'] as const) {
        fields(a, e, 'ledger_db').host = '203.0.113.10';
        for (const i of ['ledger_db', 'ledger_admin']) sec(a, e, i).rotation.databaseCidrs = ['203.0.113.10/32'];
      }
    },
    env('staging', 'ROT-ENV-DATABASE', 'ledger_db'),
  ],
  // Across environments: network ids and tags.
  [
    "staging in production's VPC",
    (a) => (a.staging.network.vpcId = a.production.network.vpcId),
    env('staging', 'NET-ENV-ID', undefined, 'network'),
  ],
  [
    'staging using a production subnet',
    (a) => (a.staging.network.subnetIds[1] = a.production.network.subnetIds[0]),
    env('staging', 'NET-ENV-ID', undefined, 'network'),
  ],
  [
    "dev admitting production's client security group",
    (a) => (a.dev.network.endpointClientSecurityGroupIds = [id('sg', 'production', 1)]),
    env('dev', 'NET-ENV-ID', undefined, 'network'),
  ],
  [
    "staging rotation reaching production's database security group",
    (a) => (sec(a, 'staging', 'db_master').rotation.databaseSecurityGroupIds = [id('sg', 'production', 2)]),
    env('staging', 'NET-ENV-ID', undefined, 'network'),
  ],
  [
    'a staging secret tagged Environment=production',
    (a) => (sec(a, 'staging', 'stripe_key').tags = { Environment: 'production' }),
    env('staging', 'TAG-ENVIRONMENT', 'stripe_key'),
  ],
  ['dev tags saying Environment=prod', (a) => (a.dev.tags = { Environment: 'prod' }), env('dev', 'TAG-ENVIRONMENT', undefined, 'tags')],
  [
    'a staging secret tagged environment=production in lower case',
    (a) => (sec(a, 'staging', 'db_app').tags = { environment: 'production' }),
    env('staging', 'TAG-ENVIRONMENT', 'db_app'),
  ],
  [
    'an environment tag ENVIRONMENT beside the built-in Environment',
    (a) => (a.production.tags = { ENVIRONMENT: 'production' }),
    env('production', 'TAG-KEY-CASE', undefined, 'tags'),
  ],
  [
    'an environment tag environment=staging',
    (a) => (a.staging.tags = { environment: 'staging' }),
    env('staging', 'TAG-KEY-CASE', undefined, 'tags'),
  ],
  [
    'an environment tag costcenter beside CostCenter',
    (a) => (a.production.tags = { costcenter: 'cc-8' }),
    env('production', 'TAG-KEY-CASE', undefined, 'tags'),
  ],
  [
    'environment tags Team and team',
    (a) => (a.dev.tags = { Team: 'payments', team: 'payments' }),
    env('dev', 'TAG-KEY-CASE', undefined, 'tags'),
  ],
  [
    'a secret tag service beside the built-in Service',
    (a) => (sec(a, 'production', 'stripe_key').tags = { service: 'billing' }),
    env('production', 'TAG-KEY-CASE', 'stripe_key'),
  ],
  [
    'a secret tag owner beside the default Owner',
    (a) => (sec(a, 'staging', 'app_config').tags = { owner: 'someone' }),
    env('staging', 'TAG-KEY-CASE', 'app_config'),
  ],
  // Across secrets: one login, one owner.
  [
    'two secrets rotating one login, one with the port omitted',
    (a) =>
      login(a, 'production', (s) => {
        s.value.fields.username = 'payments_app';
        delete s.value.fields.port;
      }),
    env('production', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'two secrets rotating one login, one host with a trailing dot',
    (a) => login(a, 'production', (s) => Object.assign(s.value.fields, { username: 'payments_admin', host: `${HOST.production}.` })),
    env('production', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'two secrets rotating one login, one host in capitals',
    (a) => login(a, 'staging', (s) => Object.assign(s.value.fields, { username: 'payments_admin', host: HOST.staging.toUpperCase() })),
    env('staging', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'single-user rotation of the _clone user of alternating users',
    (a) => login(a, 'production', (s) => (s.value.fields.username = 'payments_app_clone')),
    env('production', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'two alternating-users secrets, one naming the clone',
    (a) =>
      login(a, 'dev', (s) => {
        s.value.fields.username = 'payments_app_clone';
        s.rotation.strategy = 'alternating-users';
        s.rotation.adminSecret = 'db_master';
      }),
    env('dev', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'an unrotated copy of a rotated login',
    (a) =>
      add(a, 'production', {
        id: 'legacy_db',
        service: 'legacy',
        component: 'postgres',
        type: 'copy',
        category: 'database',
        value: { kind: 'json', fields: { engine: 'postgres', host: HOST.production, username: 'payments_app' }, deployTime: ['password'] },
      }),
    env('production', 'ROT-LOGIN-SHARED', 'legacy_db'),
  ],
  [
    "an admin-rotated secret for the master's own login",
    (a) =>
      login(a, 'production', (s) => {
        s.value.fields.username = 'payments_admin';
        s.rotation.strategy = 'admin';
        s.rotation.adminSecret = 'db_master';
      }),
    env('production', 'ROT-LOGIN-SHARED', 'db_second'),
  ],
  [
    'two MySQL secrets for one login, one relying on the default port',
    (a) =>
      add(a, 'staging', {
        ...structuredClone(sec(a, 'staging', 'ledger_db')),
        id: 'ledger_copy',
        type: 'copy',
        ecs: undefined,
        value: { kind: 'json', fields: { engine: 'mysql', host: MYSQL.staging, username: 'ledger' }, generated: { password: {} } },
      }),
    env('staging', 'ROT-LOGIN-SHARED', 'ledger_copy'),
  ],
  // Across secrets: admins and masters.
  [
    'an admin secret for another database host',
    (a) => (fields(a, 'production', 'db_master').host = 'orders.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com'),
    env('production', 'ROT-ADMIN-HOST', 'db_app'),
  ],
  ['an admin secret on another port', (a) => (fields(a, 'staging', 'db_master').port = 5433), env('staging', 'ROT-ADMIN-HOST', 'db_app')],
  [
    'a MySQL admin for a PostgreSQL login',
    (a) => (sec(a, 'dev', 'db_app').rotation.adminSecret = 'ledger_admin'),
    env('dev', 'ROT-ADMIN-ENGINE', 'db_app'),
  ],
  [
    'a master read at run time by an ECS service though nothing names it an admin',
    (a) => {
      sec(a, 'production', 'db_app').rotation.strategy = 'single-user';
      delete sec(a, 'production', 'db_app').rotation.adminSecret;
      sec(a, 'production', 'db_master').ecs = [{ service: 'payments-api', runtime: true }];
    },
    env('production', 'ACCESS-MASTER-READERS', 'db_master'),
  ],
  [
    'a master injected into an ECS service',
    (a) => (sec(a, 'staging', 'db_master').ecs = [{ service: 'migrations', inject: [{ env: 'DB_HOST', jsonKey: 'host' }] }]),
    env('staging', 'ACCESS-MASTER-READERS', 'db_master'),
  ],
  [
    'the postgres superuser shared with an application account',
    (a) =>
      add(a, 'production', {
        id: 'pg_super',
        service: 'reports',
        component: 'postgres',
        type: 'credentials',
        category: 'database',
        value: {
          kind: 'json',
          fields: { engine: 'postgres', host: 'reports.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com', username: 'postgres' },
          deployTime: ['password'],
        },
        readers: ['apps'],
      }),
    env('production', 'ACCESS-MASTER-READERS', 'pg_super'),
  ],
  [
    'the MySQL root login read by an ECS service',
    (a) =>
      add(a, 'dev', {
        id: 'mysql_root',
        service: 'ledger',
        component: 'mysql',
        type: 'credentials',
        category: 'database',
        value: { kind: 'json', fields: { engine: 'mysql', host: MYSQL.dev, username: 'root' }, deployTime: ['password'] },
        ecs: [{ service: 'ledger-worker', runtime: true }],
      }),
    env('dev', 'ACCESS-MASTER-READERS', 'mysql_root'),
  ],
  [
    'the rotation admin read by a same-account role',
    (a) => (sec(a, 'production', 'ledger_admin').readers = ['notifier']),
    env('production', 'ACCESS-MASTER-READERS', 'ledger_admin'),
  ],
  // Consumers: what ECS injects.
  [
    'alternating users every 4 hours, injected',
    (a) => {
      const s = sec(a, 'production', 'db_app');
      s.rotation.schedule = { expression: 'rate(4 hours)' };
      s.ecs = [{ service: 'payments-api', inject: [{ env: 'DB_PASSWORD', jsonKey: 'password' }] }];
    },
    env('production', 'ECS-INJECT-ROTATED', 'db_app'),
  ],
  [
    'a generated rotation injected whole',
    (a) => (sec(a, 'staging', 'webhook_signing').ecs = [{ service: 'payments-api', inject: [{ env: 'WEBHOOK_SECRET' }] }]),
    env('staging', 'ECS-INJECT-ROTATED', 'webhook_signing'),
  ],
  [
    'the rotated key of a JSON secret injected',
    (a) => {
      const s = sec(a, 'production', 'app_config');
      s.rotation = { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'REDIS_PASSWORD', schedule: { afterDays: 7 } };
    },
    env('production', 'ECS-INJECT-ROTATED', 'app_config'),
  ],
  [
    'the username of alternating users injected',
    (a) => (sec(a, 'dev', 'db_app').ecs = [{ service: 'payments-api', inject: [{ env: 'DB_USER', jsonKey: 'username' }] }]),
    env('dev', 'ECS-INJECT-ROTATED', 'db_app'),
  ],
  [
    'an admin-rotated password injected',
    (a) =>
      (sec(a, 'production', 'ledger_db').ecs = [{ service: 'ledger-worker', inject: [{ env: 'LEDGER_PASSWORD', jsonKey: 'password' }] }]),
    env('production', 'ECS-INJECT-ROTATED', 'ledger_db'),
  ],
  [
    'an injected rotated value with a reason too short to be one',
    (a) =>
      (sec(a, 'production', 'webhook_signing').ecs = [
        { service: 'payments-api', inject: [{ env: 'WEBHOOK_SECRET' }], rotatedInjectionReason: 'restarts' },
      ]),
    env('production', 'ECS-INJECT-ROTATED', 'webhook_signing'),
  ],
  [
    'AWS_ACCESS_KEY_ID injected',
    (a) =>
      add(a, 'production', {
        id: 'aws_keys',
        service: 'payments',
        component: 'aws',
        type: 'keys',
        value: { kind: 'deploy-time' },
        ecs: [{ service: 'payments-api', inject: [{ env: 'AWS_ACCESS_KEY_ID' }] }],
      }),
    env('production', 'ECS-AWS-CREDENTIALS', 'aws_keys'),
  ],
  [
    'AWS_SECRET_ACCESS_KEY injected from a JSON key',
    (a) =>
      add(a, 'staging', {
        id: 'aws_keys',
        service: 'payments',
        component: 'aws',
        type: 'keys',
        value: { kind: 'json', fields: { region: 'us-east-1' }, deployTime: ['secret_access_key'] },
        ecs: [{ service: 'payments-worker', inject: [{ env: 'AWS_SECRET_ACCESS_KEY', jsonKey: 'secret_access_key' }] }],
      }),
    env('staging', 'ECS-AWS-CREDENTIALS', 'aws_keys'),
  ],
  [
    'AWS_SESSION_TOKEN injected',
    (a) => sec(a, 'dev', 'stripe_key').ecs[0].inject.push({ env: 'AWS_SESSION_TOKEN' }),
    env('dev', 'ECS-AWS-CREDENTIALS', 'stripe_key'),
  ],
  [
    'the container credentials URI injected',
    (a) => sec(a, 'production', 'stripe_key').ecs[0].inject.push({ env: 'AWS_CONTAINER_CREDENTIALS_FULL_URI' }),
    env('production', 'ECS-AWS-CREDENTIALS', 'stripe_key'),
  ],
  // Consumers: the endpoint.
  [
    'an existing endpoint without its security group',
    (a) => {
      a.production.network.createSecretsManagerEndpoint = false;
      delete a.production.network.endpointClientSecurityGroupIds;
    },
    env('production', 'NET-ENDPOINT-EXISTING', undefined, 'network'),
  ],
  [
    'an existing endpoint with clients named here',
    (a) =>
      Object.assign(a.staging.network, { createSecretsManagerEndpoint: false, existingEndpointSecurityGroupId: id('sg', 'staging', 9) }),
    env('staging', 'NET-ENDPOINT-EXISTING', undefined, 'network'),
  ],
  [
    "an existing endpoint's group named for an endpoint the stack creates",
    (a) => (a.dev.network.existingEndpointSecurityGroupId = id('sg', 'dev', 9)),
    env('dev', 'NET-ENDPOINT-EXISTING', undefined, 'network'),
  ],
  [
    'a private-DNS endpoint admitting no client while ECS services read',
    (a) => delete a.production.network.endpointClientSecurityGroupIds,
    env('production', 'NET-ENDPOINT-NO-CLIENTS', undefined, 'network'),
  ],
  [
    'a private-DNS endpoint admitting no client while a same-account role reads',
    (a) => {
      delete a.dev.network.endpointClientSecurityGroupIds;
      for (const s of a.dev.secrets) delete s.ecs;
      sec(a, 'dev', 'app_config').readers = ['notifier'];
    },
    env('dev', 'NET-ENDPOINT-NO-CLIENTS', undefined, 'network'),
  ],
  // Consumers: database hosts and ports.
  [
    'an Aurora reader endpoint as the host',
    (a) => {
      for (const i of ['db_master', 'db_app']) fields(a, 'production', i).host = HOST.production.replace('.cluster-', '.cluster-ro-');
    },
    env('production', 'ROT-DATABASE-ENDPOINT', 'db_master'),
  ],
  ['localhost as the host', (a) => (fields(a, 'dev', 'ledger_db').host = 'localhost'), env('dev', 'ROT-DATABASE-ENDPOINT', 'ledger_db')],
  [
    '127.0.0.1 as the host',
    (a) => {
      fields(a, 'staging', 'ledger_db').host = '127.0.0.1';
      sec(a, 'staging', 'ledger_db').rotation.databaseCidrs = ['127.0.0.1/32'];
    },
    env('staging', 'ROT-DATABASE-ENDPOINT', 'ledger_db'),
  ],
  ['::1 as the host', (a) => (fields(a, 'production', 'db_app').host = '::1'), env('production', 'ROT-DATABASE-ENDPOINT', 'db_app')],
  [
    'the instance metadata address as the host',
    (a) => {
      fields(a, 'dev', 'ledger_db').host = '169.254.169.254';
      sec(a, 'dev', 'ledger_db').rotation.databaseCidrs = ['169.254.169.254/32'];
    },
    env('dev', 'ROT-DATABASE-ENDPOINT', 'ledger_db'),
  ],
  [
    "PostgreSQL on MySQL's port",
    (a) => {
      fields(a, 'production', 'db_master').port = 3306;
      fields(a, 'production', 'db_app').port = 3306;
    },
    env('production', 'ROT-DATABASE-PORT', 'db_app'),
  ],
  ["MySQL on PostgreSQL's port", (a) => (fields(a, 'staging', 'ledger_db').port = 5432), env('staging', 'ROT-DATABASE-PORT', 'ledger_db')],
  [
    "MariaDB on PostgreSQL's port",
    (a) => {
      fields(a, 'dev', 'ledger_db').engine = 'mariadb';
      fields(a, 'dev', 'ledger_db').port = 5432;
      sec(a, 'dev', 'ledger_db').rotation.engine = 'mariadb';
    },
    env('dev', 'ROT-DATABASE-PORT', 'ledger_db'),
  ],
  // Values: what gitleaks' rule set recognises, and what we parse.
  [
    'a Stripe restricted key as a literal',
    (a) => (fields(a, 'production', 'app_config').stripe = 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ'),
    env('production', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a SendGrid key as a literal',
    (a) => (fields(a, 'staging', 'app_config').mailer = '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'),
    env('staging', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a GitLab token as a literal',
    (a) => (fields(a, 'dev', 'app_config').ci = 'glpat-AbCdEf0123456789xYz1'),
    env('dev', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a GitHub token as a literal',
    (a) => (fields(a, 'production', 'app_config').gh = 'ghp_R4nD0mT0k3nV4lu3QxW8zK2mN5pL7sJ9hG1f'),
    env('production', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a JDBC URL with a password parameter',
    (a) => (fields(a, 'staging', 'app_config').jdbc = 'jdbc:postgresql://db.internal:5432/payments?user=app&password=Tr0ub4dor3'),
    env('staging', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'an ADO.NET connection string',
    (a) => (fields(a, 'production', 'app_config').mssql = 'Server=sql.internal;Database=payments;User Id=app;Password=Tr0ub4dor3;'),
    env('production', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a libpq DSN with a password',
    (a) => (fields(a, 'dev', 'app_config').dsn = 'host=db.internal dbname=payments user=app password=Tr0ub4dor3'),
    env('dev', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a MongoDB SRV URL with a password',
    (a) => (fields(a, 'production', 'app_config').mongo = 'mongodb+srv://app:Tr0ub4dor3@cluster0.example.mongodb.net/payments'),
    env('production', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a Redis URL with only a password',
    (a) => (fields(a, 'staging', 'app_config').cache = 'rediss://:Tr0ub4dor3@cache.internal:6380/0'),
    env('staging', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'an AWS access key in a description',
    (a) => (sec(a, 'production', 'stripe_key').description = 'Stripe key; legacy IAM key AKIAQX7RMZ3TB5LW2NVK kept for reference'),
    env('production', 'VALUE-LITERAL-SECRET', 'stripe_key'),
  ],
  [
    'a Slack token in a tag value',
    (a) => (sec(a, 'dev', 'stripe_key').tags = { notify: 'xoxb-2048398120-5820394810-Qk7RmZ3Tb5Lw2NvKx8Yp' }),
    env('dev', 'VALUE-LITERAL-SECRET', 'stripe_key'),
  ],
  [
    'a Google API key in an environment tag',
    (a) => (a.staging.tags = { gcp: 'AIzaSyQ7k9Xv2Lm4Nc8Rp1Tz6Wy3Bd5Fh0Jg2Ks' }),
    env('staging', 'VALUE-LITERAL-SECRET', undefined, 'tags'),
  ],
  [
    'an empty binary file',
    (a) =>
      add(a, 'dev', {
        id: 'partner_ca',
        service: 'partner',
        component: 'mtls',
        type: 'ca',
        category: 'service-accounts',
        value: { kind: 'binary-file', path: EMPTY_FILE },
      }),
    env('dev', 'VALUE-FILE-EMPTY', 'partner_ca'),
  ],
  [
    'a JSON key with a Cyrillic a',
    (a) => (sec(a, 'production', 'app_config').value.generated['p\u0430ssword'] = {}),
    env('production', 'VALUE-JSON-KEY-LOOKALIKE', 'app_config'),
  ],
  [
    'a full-width JSON key',
    (a) => (fields(a, 'staging', 'app_config')['\uff52\uff45\uff47\uff49\uff4f\uff4e'] = 'us-east-1'),
    env('staging', 'VALUE-JSON-KEY-LOOKALIKE', 'app_config'),
  ],
  [
    'a JSON key with a zero-width space',
    (a) => (fields(a, 'dev', 'app_config')['smtp\u200bhost'] = 'smtp.example.com'),
    env('dev', 'VALUE-JSON-KEY-LOOKALIKE', 'app_config'),
  ],
  [
    'an external JSON key with a Greek omicron',
    (a) => (sec(a, 'production', 'ledger_admin').value.jsonKeys = ['engine', 'host', 'port', 'username', 'password', 'r\u03bfle']),
    env('production', 'VALUE-JSON-KEY-LOOKALIKE', 'ledger_admin'),
  ],
  // Descriptions that say nothing: blank, or a placeholder as the whole value.
  [
    'an empty description',
    (a) => (sec(a, 'production', 'stripe_key').description = ''),
    env('production', 'SM-DESCRIPTION-PLACEHOLDER', 'stripe_key'),
  ],
  [
    'a description of spaces',
    (a) => (sec(a, 'staging', 'db_app').description = '   '),
    env('staging', 'SM-DESCRIPTION-PLACEHOLDER', 'db_app'),
  ],
  [
    'a description of a tab and a newline',
    (a) => (sec(a, 'dev', 'ledger_db').description = '\t\n'),
    env('dev', 'SM-DESCRIPTION-PLACEHOLDER', 'ledger_db'),
  ],
  [
    'a description TODO',
    (a) => (sec(a, 'production', 'app_config').description = 'TODO'),
    env('production', 'SM-DESCRIPTION-PLACEHOLDER', 'app_config'),
  ],
  [
    'a description tbd in lower case',
    (a) => (sec(a, 'staging', 'webhook_signing').description = 'tbd'),
    env('staging', 'SM-DESCRIPTION-PLACEHOLDER', 'webhook_signing'),
  ],
  [
    'a description FIXME with a colon',
    (a) => (sec(a, 'dev', 'stripe_key').description = 'FIXME:'),
    env('dev', 'SM-DESCRIPTION-PLACEHOLDER', 'stripe_key'),
  ],
  [
    'a description xxx',
    (a) => (sec(a, 'production', 'ledger_admin').description = 'xxx'),
    env('production', 'SM-DESCRIPTION-PLACEHOLDER', 'ledger_admin'),
  ],
  [
    'a description that is the word Description',
    (a) => (sec(a, 'staging', 'app_config').description = 'Description'),
    env('staging', 'SM-DESCRIPTION-PLACEHOLDER', 'app_config'),
  ],
  [
    'a description <description> left from a template',
    (a) => (sec(a, 'dev', 'db_master').description = '<description>'),
    env('dev', 'SM-DESCRIPTION-PLACEHOLDER', 'db_master'),
  ],
  [
    'a description of one dash',
    (a) => (sec(a, 'production', 'db_master').description = '-'),
    env('production', 'SM-DESCRIPTION-PLACEHOLDER', 'db_master'),
  ],
  [
    'a description of an ellipsis',
    (a) => (sec(a, 'staging', 'ledger_db').description = '...'),
    env('staging', 'SM-DESCRIPTION-PLACEHOLDER', 'ledger_db'),
  ],
  [
    'a description N/A',
    (a) => (sec(a, 'dev', 'webhook_signing').description = 'N/A'),
    env('dev', 'SM-DESCRIPTION-PLACEHOLDER', 'webhook_signing'),
  ],
  [
    'a description TODO: with a note after it',
    (a) => (sec(a, 'production', 'webhook_signing').description = 'TODO: describe before go-live'),
    env('production', 'SM-DESCRIPTION-PLACEHOLDER', 'webhook_signing'),
  ],
  [
    'a description of one letter',
    (a) => add(a, 'staging', { id: 'mailer', service: 'mail', component: 'smtp', type: 'login', description: 'd' }),
    env('staging', 'SM-DESCRIPTION-PLACEHOLDER', 'mailer'),
  ],
  // Credentials written into free text after a secret word, with characters gitleaks' generic rule does not take.
  [
    'a password with "!" after password= in a description',
    (a) => (sec(a, 'production', 'stripe_key').description = 'Stripe key; password=Summer2024!xyz'),
    env('production', 'VALUE-LITERAL-SECRET', 'stripe_key'),
  ],
  [
    'a password after "password:" in a description',
    (a) => (sec(a, 'staging', 'ledger_admin').description = 'Legacy admin login, password: P@ssw0rd#2024'),
    env('staging', 'VALUE-LITERAL-SECRET', 'ledger_admin'),
  ],
  [
    'a key after "API key:" in a description',
    (a) => (sec(a, 'dev', 'stripe_key').description = 'Partner gateway. API key: Zx8!KqPw-T7mN'),
    env('dev', 'VALUE-LITERAL-SECRET', 'stripe_key'),
  ],
  [
    'a quoted password after := in a noRotationReason',
    (a) => (sec(a, 'production', 'app_config').noRotationReason = 'Vendor-issued; db_password := "Tr0ub4dor!3" until they rotate it'),
    env('production', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a password in a tlsReason',
    (a) =>
      Object.assign(sec(a, 'staging', 'ledger_db').rotation, {
        tls: 'disabled',
        tlsReason: 'Legacy replica without a certificate; its login password: Hunter2!Hunter2 for now',
      }),
    env('staging', 'VALUE-LITERAL-SECRET', 'ledger_db'),
  ],
  [
    'token= in a secret tag value',
    (a) => (sec(a, 'dev', 'app_config').tags = { rotation: 'token=Winter@2025xyz' }),
    env('dev', 'VALUE-LITERAL-SECRET', 'app_config'),
  ],
  [
    'a tag named db_password holding a password',
    (a) => (sec(a, 'production', 'db_app').tags = { db_password: 'P@ssw0rd:Winter25' }),
    env('production', 'VALUE-LITERAL-SECRET', 'db_app'),
  ],
  [
    'a root password in an environment tag',
    (a) => (a.staging.tags = { note: 'root password=Winter2025@abc' }),
    env('staging', 'VALUE-LITERAL-SECRET', undefined, 'tags'),
  ],
  [
    'a client secret in a reader description',
    (a) => (a.production.readers.apps.description = 'Apps account; client secret: s3cr3t!Value9'),
    env('production', 'VALUE-LITERAL-SECRET', undefined, 'reader apps'),
  ],
  // Deploy-time names CI's mapping cannot carry (VALUE-VARIABLE-NAME; the values branch moves it to DEPLOY_TIME_VALUES' names).
  [
    'a deploy-time key in Cyrillic',
    (a) => sec(a, 'staging', 'app_config').value.deployTime.push('\u043a\u043b\u044e\u0447'),
    env('staging', 'VALUE-VARIABLE-NAME', 'app_config'),
  ],
  [
    'a deploy-time key with a space',
    (a) => sec(a, 'dev', 'app_config').value.deployTime.push('smtp password'),
    env('dev', 'VALUE-VARIABLE-NAME', 'app_config'),
  ],
  // IAM paths and roles the platform creates.
  [
    "a reader naming an ECS service's task role",
    (a) => (a.production.readers.notifier.roleName = 'prod-payments-api-ecs-task'),
    env('production', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    "a reader naming an ECS service's execution role",
    (a) => (a.dev.readers.notifier.roleName = 'dev-payments-worker-ecs-execution'),
    env('dev', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    'a reader naming a rotation role',
    (a) => (a.production.readers.notifier.roleName = 'prod-secrets-rotation-generated-role'),
    env('production', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    'a reader naming the deploy role',
    (a) => (a.production.readers.notifier.roleName = 'secrets-platform-deploy'),
    env('production', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    'a reader naming the values role',
    (a) => (a.dev.readers.notifier.roleName = 'secrets-platform-values'),
    env('dev', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    'a reader naming a task role in capitals behind a path',
    (a) => (a.production.readers.notifier.roleName = 'service-role/PROD-payments-api-ecs-task'),
    env('production', 'READER-PLATFORM-ROLE', undefined, 'reader notifier'),
  ],
  [
    'a reader role that is only a path',
    (a) => (a.production.readers.apps.roleNames = ['service-role/']),
    env('production', 'READER-ROLE-NAME', undefined, 'reader apps'),
  ],
  [
    'a reader role path with a wildcard segment',
    (a) => (a.staging.readers.apps.roleNames = ['team*/payments-reader']),
    env('staging', 'READER-ROLE-NAME', undefined, 'reader apps'),
  ],
];

/** [title, change, extra check of the synthesized stacks] */
type Valid = [string, (a: App) => void, ((stacks: Record<Name, any>) => void)?];
const resources = (stack: any, type: string): any[] => Object.values(stack.resource?.[type] ?? {});

const valid: Valid[] = [
  // IAM paths.
  [
    'an account reader role with an IAM path',
    (a) => (a.production.readers.apps.roleNames = ['service-role/payments-reader']),
    (st) => expect(JSON.stringify(st.production)).toContain(`role/service-role/payments-reader`),
  ],
  [
    'a same-account reader role with an IAM path',
    (a) => (a.production.readers.notifier.roleName = '/service-role/payments-notifier'),
    (st) => {
      expect(JSON.stringify(st.production)).toContain(`arn:aws:iam::${ACCOUNT.production}:role/service-role/payments-notifier`);
      // Named in the secret and key policies; no stack writes into the reader's role.
      expect(resources(st.production, 'aws_iam_role_policy').map((p: any) => p.role)).not.toContain('payments-notifier');
    },
  ],
  [
    'an IAM Identity Center role behind its reserved path',
    (a) => (a.production.readers.apps.roleNames = ['aws-reserved/sso.amazonaws.com/AWSReservedSSO_PaymentsRead_0123456789abcdef']),
  ],
  ['a reader role behind a deep path', (a) => (a.staging.readers.apps.roleNames = ['teams/payments/readers/payments-reader'])],
  [
    'one account reader with a role with and a role without a path',
    (a) => (a.production.readers.apps.roleNames = ['payments-reader', 'service-role/payments-batch']),
  ],
  [
    'reader role names with = , . @ characters',
    (a) => (a.production.readers.apps.roleNames = ['payments.reader@batch', 'service-role/reader=v2,ro']),
  ],
  [
    "a same-account role named like another environment's ECS role",
    (a) => (a.production.readers.notifier.roleName = 'staging-payments-api-ecs-task'),
  ],
  // JSON keys read at run time only.
  [
    'dotted JSON keys read at run time',
    (a) => {
      Object.assign(fields(a, 'production', 'app_config'), { 'smtp.host': 'smtp.example.com', 'feature.flags': 'a,b' });
      sec(a, 'production', 'app_config').ecs.push({ service: 'payments-api', runtime: true });
    },
  ],
  [
    'a generated JSON key with a colon, read at run time',
    (a) => (sec(a, 'staging', 'app_config').value.generated['cache:password'] = { length: 32, format: 'alphanumeric' }),
  ],
  ['an empty literal JSON key, never injected', (a) => (fields(a, 'dev', 'app_config')[''] = 'x')],
  ['JSON keys with spaces, read at run time', (a) => (fields(a, 'production', 'app_config')['smtp host'] = 'smtp.example.com')],
  [
    'a JSON key in Cyrillic only',
    (a) => (sec(a, 'dev', 'app_config').value.generated['\u043f\u0430\u0440\u043e\u043b\u044c'] = { length: 32, format: 'alphanumeric' }),
  ],
  ['a JSON key with accented Latin letters', (a) => (fields(a, 'production', 'app_config')['gr\u00f6\u00dfe'] = 'xl')],
  ['a JSON key in Japanese', (a) => (fields(a, 'staging', 'app_config')['\u5730\u57df'] = 'tokyo')],
  [
    'the host key of a rotated database injected',
    (a) =>
      (sec(a, 'production', 'db_app').ecs = [
        {
          service: 'payments-api',
          runtime: true,
          inject: [
            { env: 'DB_HOST', jsonKey: 'host' },
            { env: 'DB_NAME', jsonKey: 'dbname' },
          ],
        },
      ]),
  ],
  [
    'the username of an admin-rotated login injected',
    (a) =>
      (sec(a, 'staging', 'ledger_db').ecs = [
        { service: 'ledger-worker', runtime: true, inject: [{ env: 'LEDGER_USER', jsonKey: 'username' }] },
      ]),
  ],
  [
    'an unrotated key of a JSON secret whose other key rotates, injected',
    (a) => {
      const s = sec(a, 'production', 'app_config');
      s.rotation = { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'REDIS_PASSWORD', schedule: { afterDays: 30 } };
      delete s.noRotationReason;
      s.ecs = [{ service: 'payments-worker', runtime: true, inject: [{ env: 'SMTP_PASSWORD', jsonKey: 'SMTP_PASSWORD' }] }];
    },
  ],
  [
    'alternating users injected with a reason',
    (a) =>
      (sec(a, 'production', 'db_app').ecs = [
        {
          service: 'payments-batch',
          inject: [{ env: 'DB_PASSWORD', jsonKey: 'password' }],
          rotatedInjectionReason: 'Scheduled ECS tasks of under ten minutes, each started fresh by EventBridge',
        },
      ]),
  ],
  [
    'a generated value injected into short scheduled tasks, with the reason',
    (a) =>
      (sec(a, 'staging', 'webhook_signing').ecs = [
        {
          service: 'payments-replay',
          inject: [{ env: 'WEBHOOK_SECRET' }],
          rotatedInjectionReason: 'One-off replay tasks that exit within minutes of starting',
        },
      ]),
  ],
  [
    'an S3-compatible store key under a prefixed variable name',
    (a) => sec(a, 'production', 'stripe_key').ecs[0].inject.push({ env: 'MINIO_AWS_ACCESS_KEY_ID' }),
  ],
  // The endpoint.
  [
    'an existing endpoint named by its security group',
    (a) => {
      Object.assign(a.production.network, {
        createSecretsManagerEndpoint: false,
        existingEndpointSecurityGroupId: id('sg', 'production', 9),
      });
      delete a.production.network.endpointClientSecurityGroupIds;
    },
    (st) => {
      const p = st.production;
      expect(resources(p, 'aws_vpc_endpoint')).toEqual([]);
      const existing = id('sg', 'production', 9);
      const egress = resources(p, 'aws_vpc_security_group_egress_rule').filter((r: any) => r.referenced_security_group_id === existing);
      const ingress = resources(p, 'aws_vpc_security_group_ingress_rule').filter((r: any) => r.security_group_id === existing);
      // Every rotation function (database and generated) reaches the existing endpoint, and it admits each.
      expect(egress.length).toBe(resources(p, 'aws_lambda_function').length);
      expect(ingress.length).toBe(egress.length);
      expect(ingress.every((r: any) => r.from_port === 443 && /aws_security_group\./.test(r.referenced_security_group_id))).toBe(true);
    },
  ],
  [
    'an existing endpoint in an environment whose ECS services it already admits',
    (a) => {
      Object.assign(a.dev.network, { createSecretsManagerEndpoint: false, existingEndpointSecurityGroupId: id('sg', 'dev', 9) });
      delete a.dev.network.endpointClientSecurityGroupIds;
    },
  ],
  [
    'a created endpoint with client CIDRs instead of groups',
    (a) => {
      delete a.staging.network.endpointClientSecurityGroupIds;
      a.staging.network.endpointClientCidrs = ['10.20.4.0/24', '10.20.5.0/24'];
    },
  ],
  [
    'a created endpoint with no client, and nothing in the account that reads',
    (a) => {
      delete a.dev.network.endpointClientSecurityGroupIds;
      for (const s of a.dev.secrets) delete s.ecs;
    },
  ],
  // Databases across environments that are not the same database.
  [
    'the same private MySQL address in staging and production (separate VPCs)',
    (a) => {
      for (const e of ['staging', 'production'] as const) {
        fields(a, e, 'ledger_db').host = '10.0.1.5';
        for (const i of ['ledger_db', 'ledger_admin']) sec(a, e, i).rotation.databaseCidrs = ['10.0.1.5/32'];
      }
    },
  ],
  [
    'the same private-zone host name in every environment',
    (a) => {
      for (const e of ['dev', 'staging', 'production'] as const)
        for (const i of ['db_master', 'db_app']) fields(a, e, i).host = 'payments-db.internal';
    },
  ],
  [
    "EC2's private DNS name repeated across environments",
    (a) => {
      for (const e of ['staging', 'production'] as const) fields(a, e, 'ledger_db').host = 'ip-10-0-1-5.ec2.internal';
    },
  ],
  [
    "one user name on every environment's own database",
    (a) => {
      for (const e of ['dev', 'staging', 'production'] as const) fields(a, e, 'db_app').username = 'app';
    },
  ],
  [
    'staging and production with the same organisation declared, and no organisation reader',
    (a) => {
      a.staging.organizationId = ORG;
      a.production.organizationId = ORG;
    },
  ],
  // Organisation readers that reach no other environment.
  [
    'a production organisation reader when staging and dev are in another organisation',
    (a) => {
      a.production.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'production', 'webhook_signing').readers = ['org'];
      a.staging.organizationId = 'o-nonprod0001';
      a.dev.organizationId = 'o-nonprod0001';
      a.production.organizationId = ORG;
    },
  ],
  [
    'an organisation reader declared but granted nothing',
    (a) => (a.production.readers.org = { kind: 'organization', organizationId: ORG }),
  ],
  [
    'dev shared with a dev application account',
    (a) => {
      a.dev.readers.devApps = { kind: 'account', accountId: '530000000005', roleNames: ['payments-reader'] };
      sec(a, 'dev', 'db_app').readers = ['devApps'];
    },
  ],
  [
    'dev shared with a partner sandbox',
    (a) => {
      a.dev.readers.sandbox = { kind: 'account', accountId: PARTNER, roleNames: ['sandbox-client'] };
      sec(a, 'dev', 'stripe_key').readers = ['sandbox'];
    },
  ],
  ['dev replicating to another Region', (a) => (sec(a, 'dev', 'db_app').replicas = ['us-west-2'])],
  [
    'a production partner account reader',
    (a) => {
      a.production.readers.partner = { kind: 'account', accountId: PARTNER, roleNames: ['gateway-client'] };
      sec(a, 'production', 'webhook_signing').readers = ['partner'];
    },
  ],
  // Logins that are distinct.
  ['two logins of one database', (a) => login(a, 'production', () => undefined)],
  [
    'one user on two databases of one environment',
    (a) =>
      login(a, 'production', (s) =>
        Object.assign(s.value.fields, { username: 'payments_app', host: 'orders.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com' }),
      ),
  ],
  [
    'one user on two ports of one host',
    (a) => login(a, 'staging', (s) => Object.assign(s.value.fields, { username: 'payments_admin', port: 5433 })),
  ],
  [
    'one user on one host in two engines',
    (a) =>
      add(a, 'dev', {
        ...structuredClone(sec(a, 'dev', 'ledger_db')),
        id: 'pg_ledger',
        type: 'pg',
        ecs: undefined,
        value: { kind: 'json', fields: { engine: 'postgres', host: MYSQL.dev, username: 'ledger' }, deployTime: ['password'] },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'single-user',
          schedule: { afterDays: 30 },
          databaseCidrs: [`${MYSQL.dev}/32`],
        },
      }),
  ],
  [
    'two unrotated copies of one unrotated login',
    (a) => {
      for (const i of ['copy_a', 'copy_b'])
        add(a, 'production', {
          id: i,
          service: 'legacy',
          component: i,
          type: 'login',
          category: 'database',
          value: {
            kind: 'json',
            fields: { engine: 'postgres', host: 'legacy.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com', username: 'legacy' },
            deployTime: ['password'],
          },
        });
    },
  ],
  [
    'an admin on the same host written with a trailing dot and capitals',
    (a) => (fields(a, 'production', 'db_master').host = `${HOST.production.toUpperCase()}.`),
  ],
  ["an admin relying on the engine's default port", (a) => delete fields(a, 'staging', 'db_master').port],
  ['a master read only by the rotation that it drives', (a) => sec(a, 'production', 'db_app').readers.push('notifier')],
  [
    'a login called admin_portal, not a master, read by ECS',
    (a) =>
      login(a, 'dev', (s) => {
        s.value.fields.username = 'admin_portal';
        s.ecs = [{ service: 'admin-portal', runtime: true }];
      }),
  ],
  [
    'an admin API key (not a database login) read by ECS',
    (a) =>
      add(a, 'production', {
        id: 'admin_api',
        service: 'payments',
        component: 'admin',
        type: 'api-key',
        value: { kind: 'deploy-time' },
        ecs: [{ service: 'payments-api', runtime: true }],
      }),
  ],
  // Hosts and ports that are fine.
  [
    'an Aurora cluster writer endpoint',
    (a) => {
      for (const i of ['db_master', 'db_app'])
        fields(a, 'production', i).host = 'payments.cluster-a1b2c3d4e5f6.us-east-1.rds.amazonaws.com';
    },
  ],
  [
    'an RDS instance endpoint',
    (a) => {
      for (const i of ['db_master', 'db_app']) fields(a, 'staging', i).host = 'payments-1.b2c3d4e5f6a1.us-east-1.rds.amazonaws.com';
    },
  ],
  [
    'an IPv6 database host',
    (a) => {
      for (const i of ['db_master', 'db_app']) fields(a, 'dev', i).host = 'fd00:ec2::5';
    },
  ],
  [
    'PostgreSQL behind PgBouncer on 6432',
    (a) => {
      for (const i of ['db_master', 'db_app']) fields(a, 'production', i).port = 6432;
    },
  ],
  ['MySQL on 3307', (a) => (fields(a, 'staging', 'ledger_db').port = 3307)],
  [
    'MariaDB with the default port omitted',
    (a) => {
      const s = sec(a, 'dev', 'ledger_db');
      delete s.value.fields.port;
      s.value.fields.engine = 'mariadb';
      s.rotation.engine = 'mariadb';
    },
  ],
  // Values that look technical but hold no credential.
  [
    'checksums, ARNs and ids as literal fields',
    (a) =>
      Object.assign(fields(a, 'production', 'app_config'), {
        build_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        kms_key_arn: `arn:aws:kms:us-east-1:${ACCOUNT.production}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        request_id: '9f1c2d3e-4b5a-6789-abcd-ef0123456789',
      }),
  ],
  [
    'URLs and connection strings without a credential',
    (a) =>
      Object.assign(fields(a, 'staging', 'app_config'), {
        DATABASE_URL: 'postgres://db.internal:5432/payments?sslmode=verify-full',
        jdbc: 'jdbc:postgresql://db.internal:5432/payments?user=app&ssl=true',
        dsn: 'host=db.internal dbname=payments user=app sslmode=require',
        auth_url: 'https://auth.example.com/oauth2/token',
        docs: 'https://ops@wiki.example.com/payments',
      }),
  ],
  [
    'a token lifetime and a key id as literal fields',
    (a) =>
      Object.assign(fields(a, 'dev', 'app_config'), {
        token_ttl_seconds: 3600,
        signing_key_id: 'kid-2026-01',
        public_key_url: 'https://example.com/.well-known/jwks.json',
      }),
  ],
  [
    'a description that talks about passwords and rotation',
    (a) =>
      (sec(a, 'production', 'db_app').description =
        'Password of the payments app; rotated every 30 days, previous password valid until the next rotation'),
  ],
  [
    'a tag value that is an ARN',
    (a) => (sec(a, 'production', 'stripe_key').tags = { Runbook: `arn:aws:ssm:us-east-1:${ACCOUNT.production}:document/rotate-stripe` }),
  ],
  [
    'a deploy-time key of letters, digits and underscores only',
    (a) => sec(a, 'production', 'app_config').value.deployTime.push('SMTP_PASSWORD_2026_Q1'),
  ],
  // Free text about passwords, tokens and keys that holds none.
  [
    'a description saying how the password is set, with password: and password=',
    (a) =>
      (sec(a, 'production', 'db_app').description =
        'Payments app login. Password: rotated every 30 days by the alternating-users function; password=<set by rotation>'),
  ],
  [
    'a description pointing at where the value lives',
    (a) =>
      (sec(a, 'staging', 'stripe_key').description =
        'Password: see the runbook (docs/operating.md); token=${STRIPE_TOKEN} in CI; secret: prod/payments/db-2 is its sibling'),
  ],
  [
    'a description giving the password policy',
    (a) =>
      (sec(a, 'dev', 'db_app').description =
        "Password: 32-character alphanumeric, generated by GetRandomPassword; API key: Stripe's restricted key"),
  ],
  [
    'a reason naming the OAuth grant after Token:',
    (a) =>
      (sec(a, 'production', 'app_config').noRotationReason = 'Token: OAuth2-client-credentials grant, rotated at the issuer every 90 days'),
  ],
  [
    'tags named like secrets whose values are words',
    (a) =>
      (sec(a, 'staging', 'stripe_key').tags = { api_key: 'issued-by-stripe', token: 'AWSCURRENT', password_rotation: 'every-30-days' }),
  ],
  [
    'a reader description naming the secret it reads',
    (a) => (a.production.readers.apps.description = 'Apps account; secret: prod/payments/postgres/app-credentials only'),
  ],
  // Descriptions that are short, or use placeholder words inside a real description.
  ['a short description', (a) => (sec(a, 'production', 'stripe_key').description = 'SMTP relay login')],
  [
    'a description of a todo-list service',
    (a) => (sec(a, 'staging', 'app_config').description = 'Todo-list service API key; read by todo-api'),
  ],
  ['a description naming test mode', (a) => (sec(a, 'dev', 'stripe_key').description = 'Test-mode Stripe key of the sandbox account')],
  [
    'a description in Japanese',
    (a) => (sec(a, 'production', 'webhook_signing').description = '\u6c7a\u6e08\u30b5\u30fc\u30d3\u30b9\u306eAPI\u30ad\u30fc'),
  ],
  [
    'a description starting with x509',
    (a) => (sec(a, 'staging', 'ledger_admin').description = 'x509 client certificate of the partner gateway'),
  ],
  // Tags that are fine.
  [
    'an explicit Environment tag equal to the environment',
    (a) => {
      a.staging.tags = { Environment: 'staging' };
      sec(a, 'staging', 'stripe_key').tags = { Environment: 'staging' };
    },
  ],
  [
    'tag keys that contain "environment" but are other keys',
    (a) => (a.production.tags = { EnvironmentTier: 'tier-1', 'payments:environment-owner': 'sre' }),
  ],
  ['a secret tag overriding a default tag with the same key', (a) => (sec(a, 'dev', 'app_config').tags = { Owner: 'payments-oncall' })],
  // More shapes of the above.
  ['a reader role of 64 characters behind a path', (a) => (a.production.readers.apps.roleNames = [`service-role/${'r'.repeat(64)}`])],
  [
    'one partner account reading from staging and production',
    (a) => {
      for (const e of ['staging', 'production'] as const) {
        a[e].readers.partner = { kind: 'account', accountId: PARTNER, roleNames: ['gateway-client'] };
        sec(a, e, 'webhook_signing').readers = ['partner'];
      }
    },
  ],
  [
    'an organisation reader in an app of production alone',
    (a) => {
      delete (a as Partial<App>).dev;
      delete (a as Partial<App>).staging;
      a.production.readers.org = { kind: 'organization', organizationId: ORG };
      sec(a, 'production', 'webhook_signing').readers = ['org'];
    },
  ],
  [
    'an app of dev alone with a path-qualified Lambda reader',
    (a) => {
      delete (a as Partial<App>).staging;
      delete (a as Partial<App>).production;
      a.dev.readers.notifier.roleName = 'service-role/payments-notifier';
      sec(a, 'dev', 'app_config').readers = ['notifier'];
    },
  ],
  [
    'an injected JSON key with hyphens and digits',
    (a) => {
      fields(a, 'staging', 'app_config')['smtp-user-2'] = 'mailer';
      sec(a, 'staging', 'app_config').ecs[0].inject.push({ env: 'SMTP_USER', jsonKey: 'smtp-user-2' });
    },
  ],
  ['a login and its admin on one host written in different cases', (a) => (fields(a, 'dev', 'db_app').host = HOST.dev.toUpperCase())],
  [
    "one database without TLS (with the reason) beside verified ones: its own function, no one else's floor lowered",
    (a) =>
      login(a, 'production', (s) =>
        Object.assign(s.rotation, { tls: 'disabled', tlsReason: 'Legacy reporting replica on EC2 without a certificate; retired in Q3' }),
      ),
    (st) => {
      const floors = Object.fromEntries(
        resources(st.production, 'aws_lambda_function').map((f: any) => [f.function_name, f.environment?.variables?.ROTATION_MIN_TLS]),
      );
      expect(floors).toMatchObject({
        'prod-secrets-rotation-postgres-single-user': 'verify-full',
        'prod-secrets-rotation-postgres-single-user-notls': 'disabled',
      });
    },
  ],
];

describe('organisation corpus: bad catalogs are refused with the right rule, environment and subject, and nothing is written', () => {
  test('the corpus has at least 60 cases, each title once', () => {
    expect(bad.length).toBeGreaterThanOrEqual(60);
    expect(new Set(bad.map((c) => c[0])).size).toBe(bad.length);
  });

  test('the fixture app is valid, and the empty file the empty-binary case names is there, empty', () => {
    const { error } = attempt(catalogs(fixture()));
    expect(error).toBeUndefined();
    expect(statSync(path.join(REPO_ROOT, EMPTY_FILE)).size).toBe(0);
  });

  test.each(bad)('%s', (_title, mistake, want) => {
    const a = fixture();
    mistake(a);
    expectRefused(catalogs(a), want);
  });
});

test("a reader naming a platform role gets the reader's fix, and no line tells to rename an ECS service", () => {
  const a = fixture();
  a.production.readers.notifier.roleName = 'prod-payments-api-ecs-task';
  const { error } = attempt(catalogs(a));
  const lines = String((error as Error).message)
    .split('\n')
    .slice(1);
  expect(lines).toEqual([
    expect.stringMatching(
      /^ {2}production: reader notifier: role prod-payments-api-ecs-task is the task role of ECS service payments-api \[READER-PLATFORM-ROLE\] fix: let payments-api read it with ecs: \[\{ service: "payments-api", runtime: true \}\]$/,
    ),
  ]);
});

describe('organisation corpus: unusual but valid catalogs synthesize', () => {
  test('there are at least 60, each title once', () => {
    expect(valid.length).toBeGreaterThanOrEqual(60);
    expect(new Set(valid.map((c) => c[0])).size).toBe(valid.length);
  });

  // Rows have two or three entries: a rest parameter keeps jest from taking a missing third one for `done`.
  test.each(valid)('%s', (...row) => {
    const [, change, check] = row as Valid;
    const a = fixture();
    change(a);
    const { outdir, error } = attempt(catalogs(a));
    if (error) throw error;
    const names = (['dev', 'staging', 'production'] as const).filter((n) => a[n] !== undefined);
    const stacks = Object.fromEntries(
      names.map((n) => [n, JSON.parse(readFileSync(path.join(outdir, 'stacks', n, 'cdk.tf.json'), 'utf8'))]),
    ) as Record<Name, any>;
    for (const n of names) expect([n, Object.keys(stacks[n].resource.aws_secretsmanager_secret).length]).toEqual([n, a[n].secrets.length]);
    check?.(stacks);
  });
});
