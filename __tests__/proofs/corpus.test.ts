/**
 * The guardrail corpora. Bad catalogs: each is one realistic mistake, rejected at synth with the
 * expected rule on the expected secret (or subject), one line naming it, and nothing written.
 * Valid edge cases: catalogs at the edge of AWS's limits that must synthesize.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { environment } from '../support/fixtures';
import { attempt, expectRefused } from '../support/corpus';

type Env = any;

/** A small valid production catalog that each case breaks in exactly one way. */
function base(): Env {
  return {
    name: 'production',
    accountId: '123456789012',
    region: 'us-east-1',
    deployRoleArn: 'arn:aws:iam::123456789012:role/secrets-platform-deploy',
    breakGlass: { roleName: 'secrets-platform-break-glass' },
    owner: 'platform-team',
    costCenter: 'cc-42',
    recoveryWindowDays: 30,
    keyDeletionWindowDays: 30,
    logRetentionDays: 365,
    alertEmail: 'alerts@example.com',
    network: {
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
      endpointClientCidrs: ['10.0.1.0/24'],
    },
    readers: {
      partner: { kind: 'account', accountId: '333333333333', roleNames: ['reader'] },
      org: { kind: 'organization', organizationId: 'o-a1b2c3d4e5' },
      notifier: { kind: 'iam-role', roleName: 'ticket-notifier-lambda' },
    },
    secrets: [
      {
        id: 'db',
        service: 'app',
        component: 'postgres',
        type: 'credentials',
        description: 'application login',
        category: 'database',
        // Single-user: the database's current password, from DEPLOY_TIME_VALUES (ROT-FIRST-PASSWORD).
        value: { kind: 'json', fields: { engine: 'postgres', host: 'db.internal', port: 5432, username: 'app' }, deployTime: ['password'] },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'single-user',
          schedule: { afterDays: 30, window: '3h' },
          databaseCidrs: ['10.0.0.5/32'],
        },
        replicas: ['us-west-2'],
        ecs: [{ service: 'api', runtime: true }],
      },
      {
        id: 'master',
        service: 'app',
        component: 'postgres',
        type: 'master',
        description: 'admin login',
        category: 'database',
        value: { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'username', 'password'] },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'single-user',
          schedule: { afterDays: 30 },
          databaseSecurityGroupIds: ['sg-0a1b2c3d4e5f60021'],
        },
      },
      {
        id: 'key',
        service: 'app',
        component: 'partner',
        type: 'api-key',
        description: 'api key',
        category: 'api-keys',
        value: { kind: 'deploy-time' },
        noRotationReason: 'Issued by the partner and rotated in their portal',
        readers: ['partner', 'notifier'],
        ecs: [{ service: 'api', inject: [{ env: 'API_KEY' }] }],
      },
      {
        id: 'signing',
        service: 'app',
        component: 'auth',
        type: 'signing-key',
        description: 'token signing key',
        category: 'application',
        value: { kind: 'external', format: 'text' },
        rotation: { kind: 'generated', format: 'base64url', length: 48, schedule: { expression: 'cron(0 4 ? * SUN *)', window: '2h' } },
        readers: ['org'],
      },
      {
        id: 'cfg',
        service: 'app',
        component: 'config',
        type: 'json',
        description: 'app config',
        category: 'application',
        value: {
          kind: 'json',
          fields: { region: 'us-east-1' },
          generated: { REDIS_PASSWORD: { length: 40, format: 'alphanumeric' } },
          deployTime: ['SMTP_PASSWORD'],
        },
        noRotationReason: 'Mixes third-party tokens rotated at their issuers',
        ecs: [{ service: 'worker', inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }] }],
      },
    ],
  };
}

const s = (e: Env, id: string) => e.secrets.find((x: Env) => x.id === id);
const sec = (id: string, change: object) => (e: Env) => Object.assign(s(e, id), change);
const rot = (id: string, change: object) => (e: Env) => Object.assign(s(e, id).rotation, change);
const sched = (id: string, schedule: object) => (e: Env) => {
  s(e, id).rotation.schedule = schedule;
};
const env = (change: object) => (e: Env) => Object.assign(e, change);
const add = (secret: object) => (e: Env) =>
  e.secrets.push({
    description: 'added by the case',
    category: 'application',
    value: { kind: 'external', format: 'text' },
    noRotationReason: 'issued elsewhere and rotated there',
    ...secret,
  });

/** [title, mistake, rule, secret id (or undefined for the environment's own settings)] */
type Case = [string, (e: Env) => void, string, string | undefined];

const bad: Case[] = [
  // Ids and names.
  ['id with a space', sec('key', { id: 'api key' }), 'CAT-ID-CHARS', 'api key'],
  ['id starting with a digit', sec('key', { id: '1password' }), 'CAT-ID-CHARS', '1password'],
  ['two secrets with one id', sec('key', { id: 'db' }), 'CAT-ID-DUPLICATE', 'db'],
  [
    'ids that differ only by "-" and "_"',
    (e) => {
      add({ id: 'smtp-relay', service: 'smtp', component: 'relay', type: 'a' })(e);
      add({ id: 'smtp_relay', service: 'smtp', component: 'relay', type: 'b' })(e);
    },
    'CAT-ID-COLLIDE',
    'smtp_relay',
  ],
  ['ids that differ only in case', add({ id: 'DB', service: 'other', component: 'c', type: 't' }), 'CAT-ID-COLLIDE', 'DB'],
  [
    'ECS services that collide as outputs',
    sec('cfg', {
      ecs: [
        { service: 'api.v2', runtime: true },
        { service: 'api_v2', runtime: true },
      ],
    }),
    'CAT-ID-COLLIDE',
    undefined,
  ],
  ['name with a space', sec('db', { name: 'prod/app/my secret' }), 'SM-NAME-CHARS', 'db'],
  ['name with a colon', sec('db', { name: 'prod/app:db' }), 'SM-NAME-CHARS', 'db'],
  ['service with an umlaut', sec('key', { service: 'zahlungsdienst-ü' }), 'SM-NAME-CHARS', 'key'],
  ['name over 512 characters', sec('db', { name: `prod/${'a'.repeat(520)}` }), 'SM-NAME-LENGTH', 'db'],
  ['name ending like an ARN suffix', sec('db', { name: 'prod/app/db-abc123' }), 'SM-NAME-SUFFIX', 'db'],
  ['type ending like an ARN suffix', sec('key', { type: 'key-v2abcd' }), 'SM-NAME-SUFFIX', 'key'],
  ['legacy name outside the prefix', sec('db', { name: 'legacy/app/db' }), 'SM-NAME-PREFIX', 'db'],
  ['staging prefix in production', sec('db', { name: 'staging/app/db' }), 'SM-NAME-PREFIX', 'db'],
  ['name in the aws/ namespace', sec('db', { name: 'aws/app/db' }), 'SM-NAME-RESERVED', 'db'],
  ['two secrets with one name', sec('key', { component: 'postgres', type: 'credentials' }), 'SM-NAME-DUPLICATE', 'key'],
  ['name override equal to another name', sec('key', { name: 'prod/app/postgres/credentials' }), 'SM-NAME-DUPLICATE', 'key'],
  ['description over 2048 characters', sec('db', { description: 'x'.repeat(2049) }), 'SM-DESCRIPTION-LENGTH', 'db'],
  ['environment declared twice', (e) => (e.__twice = true), 'ENV-DUPLICATE', undefined],
  // Recovery windows and keys.
  ['recovery window 3 days', sec('db', { recoveryWindowDays: 3 }), 'SM-RECOVERY-WINDOW', 'db'],
  ['recovery window 0 in production', sec('db', { recoveryWindowDays: 0 }), 'SM-RECOVERY-WINDOW', 'db'],
  ['production recovery window 14', sec('db', { recoveryWindowDays: 14 }), 'SM-RECOVERY-WINDOW', 'db'],
  ['recovery window 45 days', sec('db', { recoveryWindowDays: 45 }), 'SM-RECOVERY-WINDOW', 'db'],
  ['recovery window of 7.5 days', sec('db', { recoveryWindowDays: 7.5 }), 'SM-RECOVERY-WINDOW', 'db'],
  ['environment recovery window 60', env({ recoveryWindowDays: 60 }), 'SM-RECOVERY-WINDOW', undefined],
  ['production key deletion window 7', env({ keyDeletionWindowDays: 7 }), 'KMS-DELETION-WINDOW', undefined],
  ['key deletion window 90', env({ keyDeletionWindowDays: 90 }), 'KMS-DELETION-WINDOW', undefined],
  ['shared under the AWS-managed key', sec('key', { awsManagedKey: true }), 'SM-MANAGED-KEY-SHARED', 'key'],
  ['organization reader under the AWS-managed key', sec('signing', { awsManagedKey: true }), 'SM-MANAGED-KEY-SHARED', 'signing'],
  ['replicated under the AWS-managed key', sec('db', { awsManagedKey: true }), 'SM-MANAGED-KEY-REPLICA', 'db'],
  // Regions and partitions.
  ['replica in the primary region', sec('db', { replicas: ['us-east-1'] }), 'SM-REPLICA-PRIMARY', 'db'],
  ['replica listed twice', sec('db', { replicas: ['us-west-2', 'us-west-2'] }), 'SM-REPLICA-DUPLICATE', 'db'],
  ['replica region that does not exist', sec('db', { replicas: ['us-west-3'] }), 'REGION-REPLICA-UNKNOWN', 'db'],
  ['replica region with a typo', sec('db', { replicas: ['eu-westt-1'] }), 'REGION-REPLICA-UNKNOWN', 'db'],
  ['availability zone as a replica region', sec('db', { replicas: ['us-west-2a'] }), 'REGION-REPLICA-UNKNOWN', 'db'],
  ['replica in the China partition', sec('db', { replicas: ['cn-north-1'] }), 'REGION-REPLICA-PARTITION', 'db'],
  ['replica in GovCloud', sec('db', { replicas: ['us-gov-west-1'] }), 'REGION-REPLICA-PARTITION', 'db'],
  ['primary region that does not exist', env({ region: 'us-east-7' }), 'REGION-UNKNOWN', undefined],
  ['primary region in upper case', env({ region: 'US-EAST-1' }), 'REGION-UNKNOWN', undefined],
  [
    'environment in GovCloud',
    (e) => {
      e.region = 'us-gov-west-1';
      e.deployRoleArn = 'arn:aws-us-gov:iam::123456789012:role/deploy';
      s(e, 'db').replicas = ['us-gov-east-1'];
    },
    'REGION-PARTITION',
    undefined,
  ],
  ['deploy role ARN of another partition', env({ deployRoleArn: 'arn:aws-cn:iam::123456789012:role/deploy' }), 'ARN-PARTITION', undefined],
  // Values.
  [
    'binary file in production',
    sec('key', { value: { kind: 'binary-file', path: 'fixtures/dev-partner-ca.der' }, ecs: [] }),
    'VALUE-BINARY-IN-REPO',
    'key',
  ],
  [
    'binary file that does not exist',
    (e) => {
      e.name = 'dev';
      e.recoveryWindowDays = 7;
      e.keyDeletionWindowDays = 7;
      e.readers = {};
      e.secrets = e.secrets.filter((x: Env) => x.id === 'db');
      delete e.secrets[0].replicas;
      add({ id: 'ca', service: 'edge', component: 'ca', type: 'bundle', value: { kind: 'binary-file', path: 'fixtures/nope.der' } })(e);
    },
    'VALUE-FILE-MISSING',
    'ca',
  ],
  ['JSON value over 65,536 bytes', (e) => (s(e, 'cfg').value.fields.blob = 'x'.repeat(70000)), 'VALUE-SIZE', 'cfg'],
  [
    'generated value over 4096 characters',
    sec('key', { value: { kind: 'generated', generator: { length: 5000 } } }),
    'VALUE-GENERATOR-LENGTH',
    'key',
  ],
  ['generated value of length 0', sec('key', { value: { kind: 'generated', generator: { length: 0 } } }), 'VALUE-GENERATOR-LENGTH', 'key'],
  [
    'generated length that is not a whole number',
    sec('key', { value: { kind: 'generated', generator: { length: 32.5 } } }),
    'CAT-SHAPE',
    'key',
  ],
  [
    'exclusions that remove every digit',
    sec('key', { value: { kind: 'generated', generator: { length: 32, format: 'alphanumeric', excludeCharacters: '0123456789' } } }),
    'VALUE-GENERATOR-ALPHABET',
    'key',
  ],
  [
    'exclusions that remove every letter',
    sec('key', {
      value: {
        kind: 'generated',
        generator: { length: 32, format: 'alphanumeric', excludeCharacters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' },
      },
    }),
    'VALUE-GENERATOR-ALPHABET',
    'key',
  ],
  [
    'a 2-character password cannot hold 4 types',
    (e) => (s(e, 'cfg').value.generated.REDIS_PASSWORD = { length: 2, format: 'password' }),
    'VALUE-GENERATOR-ALPHABET',
    'cfg',
  ],
  ['signing key of 6 characters', sec('key', { value: { kind: 'generated', generator: { length: 6 } } }), 'VALUE-GENERATOR-ENTROPY', 'key'],
  [
    'alphanumeric password of 12 characters',
    (e) => (s(e, 'cfg').value.generated.REDIS_PASSWORD = { length: 12, format: 'alphanumeric' }),
    'VALUE-GENERATOR-ENTROPY',
    'cfg',
  ],
  ['JSON key declared twice', (e) => (s(e, 'cfg').value.deployTime = ['SMTP_PASSWORD', 'REDIS_PASSWORD']), 'VALUE-JSON-KEY-TWICE', 'cfg'],
  ['JSON value with no keys', sec('cfg', { value: { kind: 'json', fields: {} }, ecs: [] }), 'VALUE-JSON-EMPTY', 'cfg'],
  [
    'injected JSON key with a dot',
    (e) => {
      s(e, 'cfg').value.fields['smtp.host'] = 'mail';
      s(e, 'cfg').ecs[0].inject.push({ env: 'SMTP_HOST', jsonKey: 'smtp.host' });
    },
    'VALUE-JSON-KEY-CHARS',
    'cfg',
  ],
  [
    'injected JSON key with a colon',
    (e) => {
      s(e, 'cfg').value.generated['db:password'] = {};
      s(e, 'cfg').ecs[0].inject.push({ env: 'DB_PASSWORD', jsonKey: 'db:password' });
    },
    'VALUE-JSON-KEY-CHARS',
    'cfg',
  ],
  [
    'injected empty JSON key',
    (e) => {
      s(e, 'cfg').value.fields[''] = 'x';
      s(e, 'cfg').ecs[0].inject.push({ env: 'X', jsonKey: '' });
    },
    'VALUE-JSON-KEY-CHARS',
    'cfg',
  ],
  [
    'password as a literal field',
    (e) => {
      s(e, 'db').value.fields.password_hint = 'x';
      s(e, 'cfg').value.fields.smtp_password = 'hunter2hunter2';
    },
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  ['client secret in camel case', (e) => (s(e, 'cfg').value.fields.clientSecret = 'abcd1234abcd'), 'VALUE-LITERAL-SECRET', 'cfg'],
  ['api key as a literal field', (e) => (s(e, 'cfg').value.fields['api-key'] = 'k-123'), 'VALUE-LITERAL-SECRET', 'cfg'],
  [
    'AWS access key in a field',
    (e) => (s(e, 'cfg').value.fields.aws_access_key_id = 'AKIAABCDEFGHIJKLMNOP'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  ['Stripe key in a field', (e) => (s(e, 'cfg').value.fields.stripe = 'sk_live_0123456789abcdef'), 'VALUE-LITERAL-SECRET', 'cfg'],
  [
    'PEM private key in a field',
    (e) =>
      (s(e, 'cfg').value.fields.tls =
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'deploy-time variable with a dot',
    sec('key', { value: { kind: 'deploy-time', variable: 'partner.key' } }),
    'VALUE-VARIABLE-NAME',
    'key',
  ],
  ['deploy-time name with a hyphen', sec('key', { value: { kind: 'deploy-time', variable: 'partner-key' } }), 'VALUE-VARIABLE-NAME', 'key'],
  [
    'deploy-time name starting with a digit',
    sec('key', { value: { kind: 'deploy-time', variable: '2fa_seed' } }),
    'VALUE-VARIABLE-NAME',
    'key',
  ],
  [
    'a deploy-time JSON key with a hyphen',
    (e) => (s(e, 'cfg').value.deployTime = ['SMTP_PASSWORD', 'SMTP-USER']),
    'VALUE-VARIABLE-NAME',
    'cfg',
  ],
  ['value version 0', sec('key', { value: { kind: 'deploy-time', version: 0 } }), 'VALUE-VERSION', 'key'],
  ['negative value version', (e) => (s(e, 'cfg').value.version = -1), 'VALUE-VERSION', 'cfg'],
  // First values (V3, V4): who writes them decides the first rotation.
  [
    'single-user database login with a generated first password',
    (e) => {
      s(e, 'db').value.generated = { password: {} };
      s(e, 'db').value.deployTime = [];
    },
    'ROT-FIRST-PASSWORD',
    'db',
  ],
  [
    'single-user login whose whole JSON is generated',
    add({
      id: 'db2',
      service: 'app',
      component: 'pg2',
      type: 'creds',
      category: 'database',
      value: {
        kind: 'json',
        fields: { engine: 'postgres', host: 'db2.internal', username: 'u2' },
        generated: { password: { length: 32 } },
      },
      rotation: {
        kind: 'database',
        engine: 'postgres',
        strategy: 'single-user',
        schedule: { afterDays: 30 },
        databaseCidrs: ['10.0.0.9/32'],
      },
      noRotationReason: undefined,
    }),
    'ROT-FIRST-PASSWORD',
    'db2',
  ],
  [
    'a database rotated at creation, before the values step writes its first value',
    (e) => (s(e, 'db').rotation.schedule.rotateImmediately = true),
    'ROT-ROTATE-IMMEDIATELY',
    'db',
  ],
  [
    'a generated rotation told to wait, leaving the secret empty',
    (e) => (s(e, 'signing').rotation.schedule.rotateImmediately = false),
    'ROT-ROTATE-IMMEDIATELY',
    'signing',
  ],
  ['catalog tag setting the value version', sec('key', { tags: { 'secrets-platform:value-version': '9' } }), 'TAG-RESERVED-VALUE', 'key'],
  [
    'environment tag setting the written version',
    env({ tags: { 'secrets-platform:value-written': '1' } }),
    'TAG-RESERVED-VALUE',
    undefined,
  ],
  [
    'two secrets with one deploy-time variable',
    (e) => {
      s(e, 'key').value = { kind: 'deploy-time', variable: 'shared_value' };
      add({ id: 'key2', service: 'app', component: 'partner2', type: 'api-key', value: { kind: 'deploy-time', variable: 'shared_value' } })(
        e,
      );
    },
    'VALUE-VARIABLE-COLLIDE',
    'key2',
  ],
  [
    'deploy-time keys that differ only in case',
    (e) => (s(e, 'cfg').value.deployTime = ['SMTP_PASSWORD', 'smtp_password']),
    'VALUE-VARIABLE-COLLIDE',
    'cfg',
  ],
  // Rotation.
  ['production secret without rotation or reason', sec('key', { noRotationReason: undefined }), 'ROT-UNROTATED', 'key'],
  ['a reason too short to be one', sec('key', { noRotationReason: 'vendor' }), 'ROT-UNROTATED', 'key'],
  ['rotation of a binary secret', sec('signing', { value: { kind: 'external', format: 'binary' } }), 'ROT-BINARY', 'signing'],
  ['database rotation without host', (e) => delete s(e, 'db').value.fields.host, 'ROT-DATABASE-FIELDS', 'db'],
  [
    'database rotation of an external text value',
    sec('master', { value: { kind: 'external', format: 'text' } }),
    'ROT-DATABASE-FIELDS',
    'master',
  ],
  ['rotation engine differs from the engine field', rot('db', { engine: 'mysql' }), 'ROT-ENGINE-MISMATCH', 'db'],
  ['admin strategy without admin secret', rot('db', { strategy: 'admin' }), 'ROT-ADMIN-MISSING', 'db'],
  ['alternating users without admin secret', rot('db', { strategy: 'alternating-users' }), 'ROT-ADMIN-MISSING', 'db'],
  ['admin secret that does not exist', rot('db', { strategy: 'alternating-users', adminSecret: 'mastr' }), 'ROT-ADMIN-UNKNOWN', 'db'],
  ['admin secret is the secret itself', rot('db', { strategy: 'admin', adminSecret: 'db' }), 'ROT-ADMIN-SELF', 'db'],
  [
    'admin secret without a password',
    (e) => {
      rot('db', { strategy: 'admin', adminSecret: 'master' })(e);
      s(e, 'master').value.jsonKeys = ['engine', 'host', 'username'];
    },
    'ROT-ADMIN-FIELDS',
    'db',
  ],
  ['single-user rotation naming an admin secret', rot('db', { adminSecret: 'master' }), 'ROT-ADMIN-UNUSED', 'db'],
  [
    'admin secret for another engine',
    (e) => {
      rot('db', { strategy: 'admin', adminSecret: 'master' })(e);
      rot('master', { engine: 'mysql' })(e);
    },
    'ROT-ADMIN-ENGINE',
    'db',
  ],
  ['user name that no tag can carry', (e) => (s(e, 'db').value.fields.username = 'app$user!'), 'ROT-TAG-VALUE', 'db'],
  ['plaintext database connection without a reason', rot('db', { tls: 'disabled' }), 'ROT-TLS-PLAINTEXT', 'db'],
  ['plaintext with a one-word reason', rot('db', { tls: 'disabled', tlsReason: 'legacy' }), 'ROT-TLS-PLAINTEXT', 'db'],
  ['database rotation without a network', (e) => delete e.network, 'ROT-NETWORK', 'db'],
  ['VPC rotation with no subnets', (e) => (e.network.subnetIds = []), 'ROT-VPC-SUBNETS', undefined],
  [
    'VPC rotation with 17 subnets',
    (e) => (e.network.subnetIds = Array.from({ length: 17 }, (_, i) => `subnet-0a1b2c3d4e5f600${String(i).padStart(2, '0')}`)),
    'ROT-VPC-SUBNETS',
    undefined,
  ],
  ['database rotation with no target', rot('db', { databaseCidrs: [] }), 'ROT-DATABASE-TARGET', 'db'],
  ['generated rotation of 8 characters', rot('signing', { length: 8 }), 'ROT-GENERATED-RULES', 'signing'],
  [
    'generated hex value with excluded characters',
    rot('signing', { format: 'hex', length: 64, excludeCharacters: 'ab' }),
    'ROT-GENERATED-RULES',
    'signing',
  ],
  [
    'generated rotation with too little entropy',
    rot('signing', {
      format: 'password',
      length: 16,
      excludeCharacters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&()*+,-./:;<=>?@[]^_{|}~',
    }),
    'ROT-GENERATED-RULES',
    'signing',
  ],
  [
    'generated rotation of an unknown JSON key',
    sec('cfg', { rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'REDIS_PASS', schedule: { afterDays: 30 } } }),
    'ROT-JSON-KEY',
    'cfg',
  ],
  [
    'generated rotation of a JSON secret without jsonKey',
    sec('cfg', { rotation: { kind: 'generated', format: 'alphanumeric', length: 40, schedule: { afterDays: 30 } } }),
    'ROT-JSON-WHOLE',
    'cfg',
  ],
  [
    'generated rotation of a vendor-issued value',
    sec('key', { rotation: { kind: 'generated', format: 'alphanumeric', length: 40, schedule: { afterDays: 30 } } }),
    'ROT-VENDOR-VALUE',
    'key',
  ],
  [
    'generated rotation of a deploy-time JSON key',
    sec('cfg', {
      rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'SMTP_PASSWORD', schedule: { afterDays: 30 } },
    }),
    'ROT-VENDOR-VALUE',
    'cfg',
  ],
  // Schedules.
  ['both days and expression', sched('db', { afterDays: 30, expression: 'rate(30 days)' }), 'SCHED-ONE-OF', 'db'],
  ['neither days nor expression', sched('db', { window: '3h' }), 'SCHED-ONE-OF', 'db'],
  ['rotation every 2000 days', sched('db', { afterDays: 2000 }), 'SCHED-DAYS-RANGE', 'db'],
  ['rotation every 0 days', sched('db', { afterDays: 0 }), 'SCHED-DAYS-RANGE', 'db'],
  ['rotation every 180 days', sched('db', { afterDays: 180 }), 'SCHED-TOO-RARE', 'db'],
  ['rate of 120 days', sched('db', { expression: 'rate(120 days)' }), 'SCHED-TOO-RARE', 'db'],
  ['yearly cron', sched('db', { expression: 'cron(0 4 1 1 ? *)' }), 'SCHED-TOO-RARE', 'db'],
  ['quarterly cron that slips to 92 days', sched('db', { expression: 'cron(0 4 1 1,4,7,10 ? *)' }), 'SCHED-TOO-RARE', 'db'],
  ['cron on the 31st of two months', sched('db', { expression: 'cron(0 4 31 1,7 ? *)' }), 'SCHED-TOO-RARE', 'db'],
  ['cron on 29 February only', sched('db', { expression: 'cron(0 4 29 2 ? *)' }), 'SCHED-TOO-RARE', 'db'],
  ['rotation every hour', sched('db', { expression: 'rate(1 hour)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['rate of 3 hours', sched('db', { expression: 'rate(3 hours)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['cron every 2 hours by step', sched('db', { expression: 'cron(0 */2 * * ? *)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['cron hour range that rotates hourly', sched('db', { expression: 'cron(0 8-17 ? * MON-FRI *)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['cron hour list 3 hours apart', sched('db', { expression: 'cron(0 1,4,12 * * ? *)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['cron step restarting at midnight 3 hours apart', sched('db', { expression: 'cron(0 0/7 * * ? *)' }), 'SCHED-TOO-FREQUENT', 'db'],
  ['cron with minutes 30', sched('db', { expression: 'cron(30 4 ? * SUN *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron with minutes zero-padded', sched('db', { expression: 'cron(00 4 ? * SUN *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron with a year', sched('db', { expression: 'cron(0 4 1 * ? 2027)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron with both day fields', sched('db', { expression: 'cron(0 4 1 * MON *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron with five fields', sched('db', { expression: 'cron(0 4 * * ?)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron hour 24', sched('db', { expression: 'cron(0 24 * * ? *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron month 13', sched('db', { expression: 'cron(0 4 1 13 ? *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron weekday name typo', sched('db', { expression: 'cron(0 4 ? * SUND *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron backwards range', sched('db', { expression: 'cron(0 4 ? * FRI-MON *)' }), 'SCHED-EXPRESSION', 'db'],
  ['rate in minutes', sched('db', { expression: 'rate(300 minutes)' }), 'SCHED-EXPRESSION', 'db'],
  ['rate "1 days"', sched('db', { expression: 'rate(1 days)' }), 'SCHED-EXPRESSION', 'db'],
  ['rate "30 day"', sched('db', { expression: 'rate(30 day)' }), 'SCHED-EXPRESSION', 'db'],
  ['malformed expression', sched('db', { expression: 'every tuesday' }), 'SCHED-EXPRESSION', 'db'],
  ['window in minutes', sched('db', { afterDays: 30, window: '90m' }), 'SCHED-WINDOW-FORMAT', 'db'],
  ['window of 30 hours', sched('db', { afterDays: 30, window: '30h' }), 'SCHED-WINDOW-FORMAT', 'db'],
  ['window longer than a 4-hour rate', sched('db', { expression: 'rate(4 hours)', window: '6h' }), 'SCHED-WINDOW-OVERLAP', 'db'],
  [
    'window longer than the gap of an hour list',
    sched('db', { expression: 'cron(0 2,8,14,20 * * ? *)', window: '8h' }),
    'SCHED-WINDOW-OVERLAP',
    'db',
  ],
  ['window crossing midnight', sched('db', { expression: 'cron(0 22 ? * SUN *)', window: '4h' }), 'SCHED-WINDOW-MIDNIGHT', 'db'],
  [
    'window of a late hour in a list crossing midnight',
    sched('db', { expression: 'cron(0 6,18 * * ? *)', window: '8h' }),
    'SCHED-WINDOW-MIDNIGHT',
    'db',
  ],
  // Tags.
  ['51 tags on a secret', sec('db', { tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, 'v'])) }), 'TAG-COUNT', 'db'],
  [
    '50 tags counted with default tags',
    (e) => {
      e.tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`env${i}`, 'v']));
      s(e, 'key').tags = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v']));
    },
    'TAG-COUNT',
    'key',
  ],
  [
    'too many environment tags',
    env({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`env${i}`, 'v'])) }),
    'TAG-COUNT',
    undefined,
  ],
  ['tag key over 128 characters', sec('db', { tags: { ['k'.repeat(129)]: 'v' } }), 'TAG-KEY-LENGTH', 'db'],
  ['tag value over 256 characters', sec('db', { tags: { team: 'v'.repeat(257) } }), 'TAG-VALUE-LENGTH', 'db'],
  ['blank owner', env({ owner: '' }), 'ENV-OWNERSHIP', undefined],
  ['cost center of spaces', env({ costCenter: '   ' }), 'ENV-OWNERSHIP', undefined],
  ['owner with a trailing space', env({ owner: 'platform-team ' }), 'ENV-OWNERSHIP', undefined],
  ['tag value with a comma', sec('db', { tags: { owners: 'alice,bob' } }), 'TAG-CHARS', 'db'],
  ['owner with an ampersand (a default tag)', env({ owner: 'platform & security' }), 'TAG-CHARS', undefined],
  ['tag key with a hash', sec('db', { tags: { '#team': 'x' } }), 'TAG-CHARS', 'db'],
  ['service name that cannot be a tag value', sec('key', { service: 'billing!' }), 'TAG-CHARS', 'key'],
  ['reserved aws: tag prefix', sec('db', { tags: { 'aws:owner': 'x' } }), 'TAG-RESERVED-AWS', 'db'],
  ['reserved AWS: prefix in capitals', env({ tags: { 'AWS:cost': 'x' } }), 'TAG-RESERVED-AWS', undefined],
  ['catalog tag overriding rotation:username', sec('db', { tags: { 'rotation:username': 'postgres' } }), 'TAG-RESERVED-ROTATION', 'db'],
  ['catalog tag overriding the rotation function', sec('db', { tags: { RotationFunction: 'other' } }), 'TAG-RESERVED-ROTATION', 'db'],
  ['environment tag weakening rotation TLS', env({ tags: { 'rotation:tls': 'disabled' } }), 'TAG-RESERVED-ROTATION', undefined],
  // IAM, Lambda and ECS names.
  [
    'ECS service whose role name exceeds 64 characters',
    sec('db', { ecs: [{ service: 'a-very-long-service-name-that-keeps-going-and-going', runtime: true }] }),
    'IAM-ROLE-NAME',
    undefined,
  ],
  [
    'ECS services that differ only in case',
    (e) => {
      s(e, 'db').ecs = [{ service: 'Billing', runtime: true }];
      s(e, 'master').ecs = [{ service: 'billing', runtime: true }];
    },
    'IAM-ROLE-UNIQUE',
    undefined,
  ],
  ['ECS service name with a space', sec('db', { ecs: [{ service: 'ticket api', runtime: true }] }), 'ECS-SERVICE-NAME', undefined],
  ['environment variable with a hyphen', sec('key', { ecs: [{ service: 'api', inject: [{ env: 'API-KEY' }] }] }), 'ECS-ENV-NAME', 'key'],
  [
    'environment variable starting with a digit',
    sec('key', { ecs: [{ service: 'api', inject: [{ env: '1KEY' }] }] }),
    'ECS-ENV-NAME',
    'key',
  ],
  [
    'two secrets injected as one variable',
    (e) => (s(e, 'cfg').ecs = [{ service: 'api', inject: [{ env: 'API_KEY', jsonKey: 'REDIS_PASSWORD' }] }]),
    'ECS-ENV-DUPLICATE',
    'cfg',
  ],
  [
    'one key injected twice in one service',
    (e) => s(e, 'cfg').ecs[0].inject.push({ env: 'REDIS_PASSWORD', jsonKey: 'SMTP_PASSWORD' }),
    'ECS-ENV-DUPLICATE',
    'cfg',
  ],
  [
    'ECS injects an unknown JSON key',
    sec('cfg', { ecs: [{ service: 'worker', inject: [{ env: 'X', jsonKey: 'REDIS' }] }] }),
    'ECS-JSON-KEY',
    'cfg',
  ],
  [
    'ECS injects a JSON key of a text secret',
    sec('key', { ecs: [{ service: 'api', inject: [{ env: 'X', jsonKey: 'token' }] }] }),
    'ECS-JSON-KEY',
    'key',
  ],
  ['ECS injects a binary secret', sec('key', { value: { kind: 'external', format: 'binary' } }), 'ECS-BINARY', 'key'],
  [
    'ECS injects a single-user rotated password',
    sec('db', { ecs: [{ service: 'api', inject: [{ env: 'DB_PASSWORD', jsonKey: 'password' }] }] }),
    'ECS-INJECT-ROTATED',
    'db',
  ],
  // Network and logs.
  ['database CIDR with host bits set', rot('db', { databaseCidrs: ['10.0.1.5/24'] }), 'NET-CIDR', 'db'],
  ['database address without a prefix', rot('db', { databaseCidrs: ['10.0.1.5'] }), 'NET-CIDR', 'db'],
  ['database CIDR with an octet over 255', rot('db', { databaseCidrs: ['10.0.300.5/32'] }), 'NET-CIDR', 'db'],
  ['IPv6 address as a database CIDR', rot('db', { databaseCidrs: ['fd00::5/128'] }), 'NET-CIDR', 'db'],
  ['endpoint client CIDR malformed', (e) => (e.network.endpointClientCidrs = ['10.0.0.0/33']), 'NET-CIDR', undefined],
  ['endpoint client CIDR listed twice', (e) => (e.network.endpointClientCidrs = ['10.0.1.0/24', '10.0.1.0/24']), 'NET-CIDR', undefined],
  [
    'endpoint with no subnets in an environment without rotation',
    (e) => {
      e.network.subnetIds = [];
      e.secrets = e.secrets.filter((x: Env) => !x.rotation);
    },
    'ROT-VPC-SUBNETS',
    undefined,
  ],
  ['database open to the world', rot('db', { databaseCidrs: ['0.0.0.0/0'] }), 'NET-CIDR-OPEN', 'db'],
  ['endpoint open to the world', (e) => (e.network.endpointClientCidrs = ['0.0.0.0/0']), 'NET-CIDR-OPEN', undefined],
  [
    'endpoint clients 0.0.0.0/1 + 128.0.0.0/1 (the whole Internet in two halves)',
    (e) => (e.network.endpointClientCidrs = ['0.0.0.0/1', '128.0.0.0/1']),
    'NET-ENDPOINT-CLIENTS',
    undefined,
  ],
  ['endpoint clients: the whole VPC range', (e) => (e.network.endpointClientCidrs = ['10.0.0.0/16']), 'NET-ENDPOINT-CLIENTS', undefined],
  ['no deploy role to name in the secret policies', (e) => delete e.deployRoleArn, 'ACCESS-DEPLOY-ROLE', undefined],
  [
    'an ECS service reads the master that drives another login',
    (e) => {
      const db = e.secrets.find((x: any) => x.id === 'db');
      db.rotation = { ...db.rotation, strategy: 'alternating-users', adminSecret: 'master' };
      e.secrets.find((x: any) => x.id === 'master').ecs = [{ service: 'api', runtime: true }];
    },
    'ACCESS-MASTER-READERS',
    'master',
  ],
  ['VPC id that is a name', (e) => (e.network.vpcId = 'prod-vpc'), 'NET-RESOURCE-ID', undefined],
  [
    'subnet listed twice',
    (e) => (e.network.subnetIds = ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60011']),
    'NET-RESOURCE-ID',
    undefined,
  ],
  ['database security group by name', rot('master', { databaseSecurityGroupIds: ['rds-sg'] }), 'NET-RESOURCE-ID', 'master'],
  [
    '61 endpoint client CIDRs',
    (e) => (e.network.endpointClientCidrs = Array.from({ length: 61 }, (_, i) => `10.0.${i}.0/24`)),
    'NET-SG-RULES',
    undefined,
  ],
  ['log retention of 100 days', env({ logRetentionDays: 100 }), 'LOGS-RETENTION', undefined],
  ['log retention of 0 (never expire)', env({ logRetentionDays: 0 }), 'LOGS-RETENTION', undefined],
  // Accounts and readers.
  ['account id of 11 digits', env({ accountId: '12345678901', deployRoleArn: undefined }), 'ACCT-ID', undefined],
  ['deploy role in another account', env({ deployRoleArn: 'arn:aws:iam::999999999999:role/deploy' }), 'ACCT-DEPLOY-ROLE', undefined],
  ['deploy role that is a user', env({ deployRoleArn: 'arn:aws:iam::123456789012:user/deployer' }), 'ACCT-DEPLOY-ROLE', undefined],
  [
    'break-glass role given as an ARN',
    env({ breakGlass: { roleName: 'arn:aws:iam::123456789012:role/break-glass' } }),
    'ACCT-BREAK-GLASS',
    undefined,
  ],
  ['break-glass role as a wildcard', env({ breakGlass: { roleName: 'admin-*' } }), 'ACCT-BREAK-GLASS', undefined],
  ['two environments in one account', (e) => (e.__withStaging = true), 'ACCT-SHARED', undefined],
  ['production shared with the dev account', (e) => (e.__withDevReader = true), 'READER-ENV-ACCOUNT', undefined],
  ['unknown reader', sec('key', { readers: ['partnr'] }), 'READER-UNKNOWN', 'key'],
  ['reader account id malformed', (e) => (e.readers.partner.accountId = '3333-3333-3333'), 'READER-ACCOUNT-ID', undefined],
  ['reader grants a whole account', (e) => (e.readers.partner.roleNames = []), 'READER-WHOLE-ACCOUNT', undefined],
  ['reader is this very account', (e) => (e.readers.partner.accountId = '123456789012'), 'READER-OWN-ACCOUNT', undefined],
  ['reader role as a wildcard', (e) => (e.readers.partner.roleNames = ['*']), 'READER-ROLE-NAME', undefined],
  ['reader role prefix wildcard', (e) => (e.readers.partner.roleNames = ['app-*']), 'READER-ROLE-NAME', undefined],
  [
    'reader role given as an ARN',
    (e) => (e.readers.partner.roleNames = ['arn:aws:iam::333333333333:role/reader']),
    'READER-ROLE-NAME',
    undefined,
  ],
  [
    'same-account reader role as an ARN',
    (e) => (e.readers.notifier.roleName = 'arn:aws:iam::123456789012:role/ticket-notifier-lambda'),
    'READER-ROLE-NAME',
    undefined,
  ],
  ['reader role name over 64 characters', (e) => (e.readers.partner.roleNames = ['r'.repeat(65)]), 'READER-ROLE-NAME', undefined],
  ['organization id malformed', (e) => (e.readers.org.organizationId = 'o-123'), 'READER-ORG-ID', undefined],
  ['organization id given as the root id', (e) => (e.readers.org.organizationId = 'r-ab12'), 'READER-ORG-ID', undefined],
  [
    'reader name with a slash',
    (e) => {
      e.readers['apps/prod'] = e.readers.partner;
      s(e, 'key').readers = ['apps/prod'];
    },
    'READER-NAME',
    undefined,
  ],
  ['alert e-mail without a domain', env({ alertEmail: 'platform-alerts' }), 'ENV-ALERT-EMAIL', undefined],
  // Policy sizes.
  [
    'ECS role policy over the IAM size limit',
    (e) => {
      for (let i = 0; i < 120; i++)
        add({
          id: `bulk${i}`,
          service: 'bulk',
          component: `component-number-${i}`,
          type: 'a-rather-long-secret-type-name',
          ecs: [{ service: 'api', runtime: true }],
        })(e);
    },
    'POLICY-SIZE',
    undefined,
  ],
  [
    'more consumer policies than a role can attach',
    (e) => {
      for (let i = 0; i < 700; i++)
        add({
          id: `shared${i}`,
          service: 'shared',
          component: `component-${i}`,
          type: 'api-key',
          category: 'api-keys',
          readers: ['partner'],
        })(e);
    },
    'POLICY-CONSUMER-COUNT',
    undefined,
  ],
  // Red-team round (issue 8): mistakes that used to pass synth.
  ['service left empty', sec('key', { service: '' }), 'SM-NAME-SEGMENT', 'key'],
  ['component left empty', sec('key', { component: '' }), 'SM-NAME-SEGMENT', 'key'],
  ['component with a trailing slash', sec('key', { component: 'partner/' }), 'SM-NAME-SEGMENT', 'key'],
  ['name override with a trailing slash', sec('db', { name: 'prod/app/db/' }), 'SM-NAME-SEGMENT', 'db'],
  ['ECS entry that neither injects nor reads at run time', sec('master', { ecs: [{ service: 'api' }] }), 'ECS-ACCESS-NONE', 'master'],
  ['ECS entry with an empty inject list', sec('master', { ecs: [{ service: 'api', inject: [] }] }), 'ECS-ACCESS-NONE', 'master'],
  [
    'ECR image URI with a tag as a repository',
    sec('cfg', {
      ecs: [
        {
          service: 'worker',
          inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }],
          repositories: ['123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:latest'],
        },
      ],
    }),
    'ECS-REPOSITORY',
    undefined,
  ],
  [
    'ECR repository name in upper case',
    sec('cfg', { ecs: [{ service: 'worker', inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }], repositories: ['Worker'] }] }),
    'ECS-REPOSITORY',
    undefined,
  ],
  [
    'upper-case ECS service whose default repository is no ECR name',
    sec('cfg', { ecs: [{ service: 'Worker', inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }] }] }),
    'ECS-REPOSITORY',
    undefined,
  ],
  [
    'wildcard ECR repository ARN',
    sec('cfg', {
      ecs: [
        {
          service: 'worker',
          inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }],
          repositories: ['arn:aws:ecr:us-east-1:123456789012:repository/*'],
        },
      ],
    }),
    'ECS-REPOSITORY',
    undefined,
  ],
  [
    'two iam-role readers naming one role',
    (e) => {
      e.readers.notifier2 = { kind: 'iam-role', roleName: 'ticket-notifier-lambda' };
      s(e, 'signing').readers = ['org', 'notifier2'];
    },
    'READER-ROLE-DUPLICATE',
    undefined,
  ],
  [
    'break-glass role that is the deploy role',
    env({ breakGlass: { roleName: 'secrets-platform-deploy' } }),
    'ACCESS-BREAK-GLASS',
    undefined,
  ],
  [
    'deploy role ARN naming the break-glass role',
    env({ deployRoleArn: 'arn:aws:iam::123456789012:role/secrets-platform-break-glass' }),
    'ACCESS-BREAK-GLASS',
    undefined,
  ],
  [
    'break-glass role as an everyday reader',
    (e) => (e.readers.notifier.roleName = 'secrets-platform-break-glass'),
    'ACCESS-BREAK-GLASS',
    undefined,
  ],
  ['database port written as a string', (e) => (s(e, 'db').value.fields.port = '5433'), 'ROT-DATABASE-PORT', 'db'],
  ['database port 70000', (e) => (s(e, 'db').value.fields.port = 70000), 'ROT-DATABASE-PORT', 'db'],
  ['database port 0', (e) => (s(e, 'db').value.fields.port = 0), 'ROT-DATABASE-PORT', 'db'],
  ['fractional database port', (e) => (s(e, 'db').value.fields.port = 5432.5), 'ROT-DATABASE-PORT', 'db'],
  ['database host with the port appended', (e) => (s(e, 'db').value.fields.host = 'db.internal:5432'), 'ROT-DATABASE-HOST', 'db'],
  ['database host written as a URL', (e) => (s(e, 'db').value.fields.host = 'postgres://db.internal'), 'ROT-DATABASE-HOST', 'db'],
  ['empty database host', (e) => (s(e, 'db').value.fields.host = ''), 'ROT-DATABASE-HOST', 'db'],
  ['database host IP outside its CIDRs', (e) => (s(e, 'db').value.fields.host = '10.0.2.5'), 'ROT-DATABASE-REACH', 'db'],
  [
    'two secrets rotating one database login',
    (e) =>
      add({
        id: 'db_copy',
        service: 'app',
        component: 'postgres',
        type: 'credentials-copy',
        category: 'database',
        value: structuredClone(s(e, 'db').value),
        rotation: structuredClone(s(e, 'db').rotation),
      })(e),
    'ROT-LOGIN-SHARED',
    'db_copy',
  ],
  [
    'generated rotation of a literal field',
    sec('cfg', { rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'region', schedule: { afterDays: 30 } } }),
    'ROT-JSON-LITERAL',
    'cfg',
  ],
  [
    'connection string with a password as a literal',
    (e) => (s(e, 'cfg').value.fields.DATABASE_URL = 'postgres://app:hunter2hunter2@db.internal:5432/app'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'Slack webhook URL as a literal',
    (e) => (s(e, 'cfg').value.fields.slack_webhook_url = 'https://hooks.slack.com/services/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'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'GitHub fine-grained token in a field',
    (e) =>
      (s(e, 'cfg').value.fields.github =
        '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1yU3iO6pA9s'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'Google API key in a field',
    (e) => (s(e, 'cfg').value.fields.maps = 'AIzaSyA-1234567890abcdefghijklmnopqrstu'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'bearer JWT in a field',
    (e) => (s(e, 'cfg').value.fields.auth_header = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop'),
    'VALUE-LITERAL-SECRET',
    'cfg',
  ],
  [
    'binary file path that is a directory',
    (e: Env) => {
      e.name = 'dev';
      e.recoveryWindowDays = 7;
      e.keyDeletionWindowDays = 7;
      s(e, 'key').ecs = [];
      s(e, 'key').value = { kind: 'binary-file', path: 'fixtures' };
    },
    'VALUE-FILE-MISSING',
    'key',
  ],
  [
    'endpoint client security group id malformed',
    (e) => (e.network.endpointClientSecurityGroupIds = ['sg-123']),
    'NET-RESOURCE-ID',
    undefined,
  ],
  [
    'endpoint client security group by name',
    (e) => (e.network.endpointClientSecurityGroupIds = ['ecs-tasks']),
    'NET-RESOURCE-ID',
    undefined,
  ],
  [
    'endpoint client security group listed twice',
    (e) => (e.network.endpointClientSecurityGroupIds = ['sg-0a1b2c3d4e5f60031', 'sg-0a1b2c3d4e5f60031']),
    'NET-RESOURCE-ID',
    undefined,
  ],
  [
    '65 endpoint client security groups',
    (e) =>
      (e.network.endpointClientSecurityGroupIds = Array.from({ length: 65 }, (_, i) => `sg-0a1b2c3d4e5f6${String(i).padStart(4, '0')}`)),
    'NET-SG-RULES',
    undefined,
  ],
  [
    'endpoint clients: 40 CIDRs and 25 security groups',
    (e) => {
      e.network.endpointClientCidrs = Array.from({ length: 40 }, (_, i) => `10.0.${i}.0/24`);
      e.network.endpointClientSecurityGroupIds = Array.from({ length: 25 }, (_, i) => `sg-0a1b2c3d4e5f6${String(i).padStart(4, '0')}`);
    },
    'NET-SG-RULES',
    undefined,
  ],
  ['alert e-mail written as a mailto: link', env({ alertEmail: 'mailto:alerts@example.com' }), 'ENV-ALERT-EMAIL', undefined],
  ['Infinity as a JSON field', (e) => (s(e, 'cfg').value.fields.limit = Infinity), 'CAT-SHAPE', 'cfg'],
  ['NaN as a database port', (e) => (s(e, 'db').value.fields.port = NaN), 'CAT-SHAPE', 'db'],
  ['NaN rotation days', sched('db', { afterDays: NaN }), 'CAT-SHAPE', 'db'],
  ['Infinity rotation days', sched('db', { afterDays: Infinity }), 'SCHED-DAYS-RANGE', 'db'],
  ['tag value with an emoji', sec('db', { tags: { team: '\u{1F510}' } }), 'TAG-CHARS', 'db'],
  ['empty tag key', sec('db', { tags: { '': 'x' } }), 'TAG-KEY-LENGTH', 'db'],
  ['tag value given as a number', sec('db', { tags: { team: 42 } }), 'CAT-SHAPE', 'db'],
  ['replicas given as a string', sec('db', { replicas: 'us-west-2' }), 'CAT-SHAPE', 'db'],
  ['primary region with a trailing space', env({ region: 'us-east-1 ' }), 'REGION-UNKNOWN', undefined],
  ['rate with a capitalised unit', sched('db', { expression: 'rate(30 Days)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron with a seconds field (seven fields)', sched('db', { expression: 'cron(0 0 4 ? * SUN *)' }), 'SCHED-EXPRESSION', 'db'],
  ['cron day-of-week 0 for Sunday', sched('db', { expression: 'cron(0 4 ? * 0 *)' }), 'SCHED-EXPRESSION', 'db'],
  [
    'misspelt field inside an inject entry',
    sec('key', { ecs: [{ service: 'api', inject: [{ env: 'API_KEY', jsonkey: 'x' }] }] }),
    'CAT-UNKNOWN-FIELD',
    'key',
  ],
  ['organization id in upper case', (e) => (e.readers.org.organizationId = 'o-A1B2C3D4E5'), 'READER-ORG-ID', undefined],
  ['reader role path with a wildcard', (e) => (e.readers.partner.roleNames = ['service-role/*']), 'READER-ROLE-NAME', undefined],
  ['reader role path with a space', (e) => (e.readers.partner.roleNames = ['service role/reader']), 'READER-ROLE-NAME', undefined],
  ['VPC id in upper case', (e) => (e.network.vpcId = 'vpc-0A1B2C3D4E5F60001'), 'NET-RESOURCE-ID', undefined],
  // Shape (the schema at the boundary).
  ['category typo', sec('key', { category: 'api-key' }), 'CAT-ENUM', 'key'],
  ['value kind typo', sec('key', { value: { kind: 'deploytime' } }), 'CAT-ENUM', 'key'],
  ['unknown field', sec('key', { replica: ['us-west-2'] }), 'CAT-UNKNOWN-FIELD', 'key'],
  ['missing description', (e) => delete s(e, 'key').description, 'CAT-REQUIRED', 'key'],
];

/** Expands the markers for cases that need more than one catalog. */
function catalogsOf(e: Env): Env[] {
  if (e.__twice) return [strip(e), strip(structuredClone(e))];
  if (e.__withStaging) return [strip(e), environment('staging', { accountId: e.accountId, deployRoleArn: undefined })];
  if (e.__withDevReader) {
    const d = environment('dev');
    e.readers.partner.accountId = d.accountId;
    return [d, strip(e)];
  }
  return [e];
}
function strip(e: Env): Env {
  for (const k of ['__twice', '__withStaging', '__withDevReader']) delete e[k];
  return e;
}

describe('bad catalogs: each is rejected with its rule, on its secret, and nothing is written', () => {
  test('the corpus has at least 120 distinct mistakes over at least 80 rules', () => {
    expect(bad.length).toBeGreaterThanOrEqual(120);
    expect(new Set(bad.map((c) => c[0])).size).toBe(bad.length);
    expect(new Set(bad.map((c) => c[2])).size).toBeGreaterThanOrEqual(80);
  });

  test('the base catalog is valid', () => {
    const { outdir, error } = attempt([base()]);
    expect(error).toBeUndefined();
    expect(existsSync(path.join(outdir, 'stacks', 'production', 'cdk.tf.json'))).toBe(true);
  });

  test.each(bad)('%s', (_title, mistake, rule, secretId) => {
    const e = base();
    mistake(e);
    expectRefused(catalogsOf(e), { rule, secretId });
  });
});

/** [title, change to the base catalog] */
const valid: Array<[string, (e: Env) => void]> = [
  ['a name of exactly 512 characters', sec('db', { name: `prod/${'a'.repeat(507)}` })],
  ['a description of exactly 2048 characters', sec('db', { description: 'Payments database login. '.repeat(100).slice(0, 2048) })],
  [
    'exactly 50 tags counting the default tags (with the stack tag) and the value version',
    (e) => (s(e, 'key').tags = Object.fromEntries(Array.from({ length: 50 - 7 - 4 }, (_, i) => [`k${i}`, 'v']))),
  ],
  [
    'a catalog tag that repeats a default tag key counts once',
    (e) => (s(e, 'key').tags = { ...Object.fromEntries(Array.from({ length: 39 }, (_, i) => [`k${i}`, 'v'])), Owner: 'someone-else' }),
  ],
  ['a tag key of 128 and a value of 256 characters', sec('db', { tags: { ['k'.repeat(128)]: 'v'.repeat(256) } })],
  [
    'tag text with every allowed punctuation and letters of other scripts',
    sec('db', { tags: { 'team:owner/x': 'Zürich + Ålesund = @ops_.-', 日本: 'チーム' } }),
  ],
  ['rotation every 4 hours with a 4-hour window', sched('db', { expression: 'rate(4 hours)', window: '4h' })],
  ['rotation every 90 days', sched('db', { afterDays: 90 })],
  ['a cron every 4 hours restarting at midnight', sched('db', { expression: 'cron(0 0/4 * * ? *)', window: '4h' })],
  ['a cron at 20:00 with a 4-hour window ends at midnight', sched('db', { expression: 'cron(0 20 ? * MON-FRI *)', window: '4h' })],
  ['a monthly cron on the last day of the month', sched('db', { expression: 'cron(0 3 L * ? *)' })],
  ['a cron on the third Tuesday', sched('db', { expression: 'cron(0 4 ? * TUE#3 *)', window: '20h' })],
  ['a cron on the nearest weekday to the 15th', sched('db', { expression: 'cron(0 4 15W * ? *)' })],
  ['rate(1 day)', sched('db', { expression: 'rate(1 day)' })],
  ['a generated value of 4096 characters', sec('key', { value: { kind: 'generated', generator: { length: 4096 } } })],
  [
    'a 17-character alphanumeric password (101 bits)',
    (e) => (s(e, 'cfg').value.generated.REDIS_PASSWORD = { length: 17, format: 'alphanumeric' }),
  ],
  [
    'a role name of exactly 64 characters',
    sec('key', { ecs: [{ service: 'x'.repeat(64 - 'prod-'.length - '-ecs-execution'.length), inject: [{ env: 'API_KEY' }] }] }),
  ],
  ['a reader with three roles and an organisation', (e) => (e.readers.partner.roleNames = ['reader', 'reader-2', 'batch.reader@x'])],
  ['log retention of 3653 days', env({ logRetentionDays: 3653 })],
  ['a replica in every other US region', sec('db', { replicas: ['us-east-2', 'us-west-1', 'us-west-2'] })],
  ['a host CIDR and a /16', rot('db', { databaseCidrs: ['10.0.1.5/32', '10.1.0.0/16'] })],
  ['JSON keys with hyphens and underscores', (e) => (s(e, 'cfg').value.fields['feature-flags_v2'] = 'on')],
  [
    'a field named password_policy with a non-secret description is still fine when not the last word',
    (e) => (s(e, 'cfg').value.fields.password_policy_url = 'https://example.com/policy'),
  ],
  [
    'a non-production environment may leave a secret unrotated',
    (e) => {
      e.name = 'dev';
      e.recoveryWindowDays = 7;
      e.keyDeletionWindowDays = 7;
      s(e, 'key').noRotationReason = undefined;
    },
  ],
  [
    'dev may use recovery window 0',
    (e) => {
      e.name = 'dev';
      e.recoveryWindowDays = 0;
      e.keyDeletionWindowDays = 7;
    },
  ],
  [
    'two readers in one account with different roles (one grantee, unique Sids)',
    (e) => {
      e.readers.batch = { kind: 'account', accountId: '333333333333', roleNames: ['batch'] };
      s(e, 'key').readers = ['partner', 'batch', 'notifier'];
    },
  ],
  ['a secret id that names a stack construct (monitoring)', sec('key', { id: 'monitoring' })],
  ['a database host given as an IP inside its CIDR', (e) => (s(e, 'db').value.fields.host = '10.0.0.5')],
  [
    'a second rotated login on the same database host',
    (e) =>
      add({
        id: 'db_reporting',
        service: 'app',
        component: 'postgres',
        type: 'reporting',
        category: 'database',
        value: { ...structuredClone(s(e, 'db').value), fields: { ...s(e, 'db').value.fields, username: 'reporting' } },
        rotation: structuredClone(s(e, 'db').rotation),
      })(e),
  ],
  [
    'ECR repositories by namespaced name and by ARN of a shared registry',
    sec('cfg', {
      ecs: [
        {
          service: 'worker',
          inject: [{ env: 'REDIS_PASSWORD', jsonKey: 'REDIS_PASSWORD' }],
          repositories: ['team/worker', 'arn:aws:ecr:us-east-1:111111111111:repository/base/node'],
        },
      ],
    }),
  ],
  [
    'a generated rotation of a generated JSON key read at run time',
    sec('cfg', {
      rotation: { kind: 'generated', format: 'alphanumeric', length: 40, jsonKey: 'REDIS_PASSWORD', schedule: { afterDays: 30 } },
      noRotationReason: undefined,
      ecs: [{ service: 'worker', runtime: true }],
    }),
  ],
  ['a reader role with its IAM path', (e) => (e.readers.partner.roleNames = ['service-role/reader'])],
  [
    'dotted, coloned and empty JSON keys read at run time only',
    (e) => {
      Object.assign(s(e, 'cfg').value.fields, { 'smtp.host': 'mail', '': 'x' });
      s(e, 'cfg').value.generated['db:password'] = {};
    },
  ],
  [
    'URLs without a password in a JSON field',
    (e) =>
      Object.assign(s(e, 'cfg').value.fields, {
        DATABASE_URL: 'postgres://db.internal:5432/app',
        docs: 'https://ops@wiki.example.com/secrets',
      }),
  ],
  ['an alert e-mail with plus addressing', env({ alertEmail: 'platform+alerts@example.com' })],
  [
    'ECS services differing only by "-" vs nothing',
    (e) => {
      s(e, 'db').ecs = [{ service: 'ticket-api', runtime: true }];
      s(e, 'signing').ecs = [{ service: 'ticketapi', runtime: true }];
    },
  ],
];

describe('valid edge cases synthesize', () => {
  test('there are at least 20', () => expect(valid.length).toBeGreaterThanOrEqual(20));

  test.each(valid)('%s', (_title, change) => {
    const e = base();
    change(e);
    const { outdir, error } = attempt([e]);
    if (error) throw error;
    const stack = JSON.parse(readFileSync(path.join(outdir, 'stacks', e.name, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource.aws_secretsmanager_secret)).toHaveLength(e.secrets.length);
  });
});
