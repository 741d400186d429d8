import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GuardrailError } from '../../stacks/rules/violation';
import { synthApp } from '../../stacks/app';
import { EnvironmentConfig, SecretSpec } from '../../stacks/environments/types';

/** A small valid environment that each case breaks in exactly one way. */
function baseEnv(name: EnvironmentConfig['name'] = 'production'): EnvironmentConfig {
  return {
    name,
    accountId: '123456789012',
    region: 'us-east-1',
    deployRoleArn: 'arn:aws:iam::123456789012:role/deploy',
    breakGlass: { roleName: 'break-glass' },
    owner: 'platform-team',
    costCenter: 'cc',
    recoveryWindowDays: name === 'production' ? 30 : 7,
    keyDeletionWindowDays: name === 'production' ? 30 : 7,
    logRetentionDays: 30,
    network: { vpcId: 'vpc-1', subnetIds: ['subnet-1'] },
    readers: { partner: { kind: 'account', accountId: '333333333333', roleNames: ['reader'] } },
    secrets: [
      {
        id: 'db',
        service: 'app',
        component: 'postgres',
        type: 'credentials',
        description: 'db',
        category: 'database',
        value: { kind: 'json', fields: { engine: 'postgres', host: 'db.internal', port: 5432, username: 'app' }, generated: { password: {} } },
        rotation: { kind: 'database', engine: 'postgres', strategy: 'single-user', schedule: { afterDays: 30 }, databaseCidrs: ['10.0.0.5/32'] },
        replicas: ['us-west-2'],
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
        readers: ['partner'],
        ecs: [{ service: 'api', inject: [{ env: 'API_KEY' }] }],
      },
    ],
  };
}

const patch = (id: string, change: Partial<SecretSpec>) => (e: EnvironmentConfig) => {
  e.secrets = e.secrets.map((s) => (s.id === id ? ({ ...s, ...change } as SecretSpec) : s));
};
const rotation = (change: object) => (e: EnvironmentConfig) => {
  const db = e.secrets.find((s) => s.id === 'db')!;
  db.rotation = { ...(db.rotation as any), ...change };
};

const cases: Array<[string, (e: EnvironmentConfig) => void, string, RegExp]> = [
  ['endpoint clients 0.0.0.0/1 + 128.0.0.0/1 (the whole Internet in two halves)', (e) => (e.network = { ...e.network!, endpointClientCidrs: ['0.0.0.0/1', '128.0.0.0/1'] }), 'NET-endpoint-clients', /0\.0\.0\.0\/1, 128\.0\.0\.0\/1 are broader than \/24/],
  ['endpoint clients: the whole VPC range', (e) => (e.network = { ...e.network!, endpointClientCidrs: ['10.0.0.0/16'] }), 'NET-endpoint-clients', /10\.0\.0\.0\/16/],
  ['an ECS service reads the master that drives another login', (e) => {
    e.secrets.push({ id: 'app', service: 'app', component: 'postgres', type: 'app-credentials', description: 'app', category: 'database', value: { kind: 'json', fields: { engine: 'postgres', host: 'db.internal', port: 5432, username: 'app_user' }, generated: { password: {} } }, rotation: { kind: 'database', engine: 'postgres', strategy: 'alternating-users', adminSecret: 'db', schedule: { afterDays: 30 }, databaseCidrs: ['10.0.0.5/32'] } });
    e.secrets[0].ecs = [{ service: 'api', runtime: true }];
  }, 'ACCESS-master-readers', /ECS service api would read it/],
  ['no deploy role to name in the secret policies', (e) => delete e.deployRoleArn, 'ACCESS-deploy-role', /only manager/],
  ['name with a space', patch('db', { name: 'prod/app/my secret' }), 'SM-5 name-characters', /"\s"/],
  ['name over 512 characters', patch('db', { name: 'prod/' + 'a'.repeat(520) }), 'SM-5 name-length', /1 to 512/],
  ['name ending like an ARN suffix', patch('db', { name: 'prod/app/db-abc123' }), 'SM-5 name-suffix', /random ARN suffix/],
  ['two secrets with one name', patch('key', { service: 'app', component: 'postgres', type: 'credentials' }), 'SM-duplicate-name', /also used by secret id "db"/],
  ['two secrets with one id', patch('key', { id: 'db' }), 'SM-duplicate-id', /used twice/],
  ['replica in the primary region', patch('db', { replicas: ['us-east-1'] }), 'SM-replica-primary', /primary region/],
  ['replica listed twice', patch('db', { replicas: ['us-west-2', 'us-west-2'] }), 'SM-replica-duplicate', /listed twice/],
  ['replica region that is not a region', patch('db', { replicas: ['mars-1'] }), 'SM-replica-region', /not an AWS region/],
  ['recovery window 3 days', patch('db', { recoveryWindowDays: 3 }), 'SM-4 recovery-window', /outside 7\.\.30/],
  ['recovery window 0 in production', patch('db', { recoveryWindowDays: 0 }), 'SM-4 recovery-window', /dev only/],
  ['production recovery window 14', patch('db', { recoveryWindowDays: 14 }), 'SM-4 recovery-window', /30/],
  ['unknown reader', patch('key', { readers: ['nobody'] }), 'READER-unknown', /"nobody" is not declared/],
  ['cross-account under the AWS-managed key', patch('key', { awsManagedKey: true }), 'SM-3 aws-managed-key-shared', /other accounts cannot use/],
  ['binary file in production', patch('key', { value: { kind: 'binary-file', path: 'fixtures/dev-partner-ca.der' }, ecs: [] }), 'VALUE-binary-in-state', /Terraform state/],
  ['binary file that does not exist', (e) => { e.name = 'dev'; e.recoveryWindowDays = 7; e.keyDeletionWindowDays = 7; patch('key', { value: { kind: 'binary-file', path: 'fixtures/nope.bin' }, ecs: [] })(e); }, 'VALUE-file-missing', /does not exist/],
  ['generated value over 4096 characters', patch('key', { value: { kind: 'generated', generator: { length: 70000 } } }), 'VALUE-generator-length', /outside 1\.\.4096/],
  ['JSON value over 65,536 bytes', patch('db', { value: { kind: 'json', fields: { engine: 'postgres', host: 'h', username: 'u', blob: 'x'.repeat(70000) }, generated: { password: {} } } }), 'VALUE-size', /65,536/],
  ['JSON key declared twice', patch('db', { value: { kind: 'json', fields: { engine: 'postgres', host: 'h', username: 'u', password: 'x' }, generated: { password: {} } } }), 'VALUE-json-key-twice', /password/],
  ['rotation with both days and expression', rotation({ schedule: { afterDays: 30, expression: 'rate(30 days)' } }), 'SM-6 rotation-schedule', /both/],
  ['rotation every 2000 days', rotation({ schedule: { afterDays: 2000 } }), 'SM-6 rotation-days', /1\.\.1000/],
  ['rotation every 180 days', rotation({ schedule: { afterDays: 180 } }), 'SM-6 rotation-too-rare', /90/],
  ['rotation every hour', rotation({ schedule: { expression: 'rate(1 hours)' } }), 'SM-6 rotation-too-frequent', /4 hours/],
  ['rotation window longer than interval', rotation({ schedule: { expression: 'rate(4 hours)', window: '6h' } }), 'SM-6 rotation-window', /longer than/],
  ['malformed rotation expression', rotation({ schedule: { expression: 'every tuesday' } }), 'SM-6 rotation-expression', /neither rate/],
  ['admin strategy without admin secret', rotation({ strategy: 'admin' }), 'ROT-admin-missing', /needs adminSecret/],
  ['admin secret that does not exist', rotation({ strategy: 'alternating-users', adminSecret: 'ghost' }), 'ROT-admin-unknown', /"ghost"/],
  ['database rotation without host', patch('db', { value: { kind: 'json', fields: { engine: 'postgres', username: 'u' }, generated: { password: {} } } }), 'ROT-database-fields', /host/],
  ['database rotation without a network', (e) => { delete e.network; }, 'ROT-network', /no network/],
  ['database rotation with no target', rotation({ databaseCidrs: [] }), 'ROT-database-target', /reach nothing/],
  ['ECS injects an unknown JSON key', patch('db', { ecs: [{ service: 'api', inject: [{ env: 'X', jsonKey: 'nope' }] }] }), 'ECS-json-key', /unknown JSON key nope/],
  ['ECS injects a single-user rotated password', patch('db', { ecs: [{ service: 'api', inject: [{ env: 'DB_PASSWORD', jsonKey: 'password' }] }] }), 'ECS-inject-rotated', /running tasks keep the old one/],
  ['ECS injects a binary secret', patch('key', { value: { kind: 'external', format: 'binary' } }), 'ECS-binary', /binary/],
  ['reader account id malformed', (e) => { e.readers.partner = { kind: 'account', accountId: '12345', roleNames: ['r'] }; }, 'READER-account', /12 digits/],
  ['reader grants a whole account', (e) => { e.readers.partner = { kind: 'account', accountId: '333333333333', roleNames: [] }; }, 'IAM-2 whole-account', /specific roles/],
  ['reader is this very account', (e) => { e.readers.partner = { kind: 'account', accountId: '123456789012', roleNames: ['r'] }; }, 'READER-own-account', /own account/],
  ['production key deletion window 7', (e) => { e.keyDeletionWindowDays = 7; }, 'KMS-2 deletion-window', /30/],
  ['production secret without rotation or reason', patch('key', { noRotationReason: undefined }), 'ROT-unrotated', /does not say why/],
  ['reserved tag prefix', patch('db', { tags: { 'aws:owner': 'x' } }), 'TAG-reserved', /aws: prefix/],
  [
    'ECS role policy over the IAM size limit',
    (e) => {
      for (let i = 0; i < 120; i++) {
        e.secrets.push({ id: `bulk${i}`, noRotationReason: 'set by the bulk importer job', service: 'bulk', component: `component-number-${i}`, type: 'a-rather-long-secret-type-name', description: 'x', category: 'application', value: { kind: 'external', format: 'text' }, ecs: [{ service: 'api', runtime: true }] });
      }
    },
    'POLICY-size',
    /task role's inline policy would be \d+ characters; AWS allows 10240/,
  ],
  [
    'more consumer policies than a role can attach',
    (e) => {
      for (let i = 0; i < 700; i++) {
        e.secrets.push({ id: `shared${i}`, noRotationReason: 'issued by the partner, rotated in their portal', service: 'shared', component: `component-${i}`, type: 'api-key', description: 'x', category: 'api-keys', value: { kind: 'external', format: 'text' }, readers: ['partner'] });
      }
    },
    'POLICY-size',
    /consumer managed policies a reading role attaches would be 1\d policies; AWS allows 10/,
  ],
  ['database user name that no tag can carry', (e) => {
    const db = e.secrets.find((s) => s.id === 'db')!;
    (db.value as any).fields.username = 'app$user!';
  }, 'ROT-tag-value', /cannot be carried in the rotation:username tag/],
  ['generated hex value with excluded characters', patch('db', { rotation: { kind: 'generated', format: 'hex', length: 64, excludeCharacters: 'ab', schedule: { afterDays: 30 } } }), 'ROT-generated-rules', /cannot exclude characters/],
  ['plaintext database connection in production without a reason', rotation({ tls: 'disabled' }), 'ROT-tls-plaintext', /unencrypted/],
  ['generated rotation with too little entropy', patch('db', { rotation: { kind: 'generated', format: 'password', length: 16, excludeCharacters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&()*+,-./:;<=>?@[]^_{|}~', schedule: { afterDays: 30 } } }), 'ROT-generated-rules', /bits of entropy, fewer than 96/],
];

describe('guardrails reject a bad catalog with the secret, the rule and the fix, and write nothing', () => {
  test('the corpus has at least 20 distinct rules', () => {
    expect(new Set(cases.map((c) => c[2])).size).toBeGreaterThanOrEqual(20);
  });

  test('the base catalog is valid', () => {
    const outdir = path.join(mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'out');
    synthApp([baseEnv()], { outdir });
    expect(existsSync(path.join(outdir, 'stacks', 'production', 'cdk.tf.json'))).toBe(true);
  });

  test.each(cases)('%s', (_title, mutate, rule, message) => {
    const env = baseEnv();
    mutate(env);
    const outdir = path.join(mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'out');
    let error: unknown;
    try {
      synthApp([env], { outdir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GuardrailError);
    const violations = (error as GuardrailError).violations;
    const hit = violations.find((v) => v.rule === rule);
    expect(hit).toBeDefined();
    expect(hit!.message).toMatch(message);
    expect(hit!.name).toMatch(/\S/);
    expect(hit!.fix.length).toBeGreaterThan(5);
    expect((error as Error).message).toContain(`[${rule}]`);
    expect((error as Error).message).toContain('fix:');
    expect(existsSync(outdir)).toBe(false);
  });
});
