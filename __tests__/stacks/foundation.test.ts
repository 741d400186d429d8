import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { stateBackendFor } from '../../catalogs/project';
import { only, resources, synth, type Synthesized, parsePolicy } from '../support/synth';
import { BOOTSTRAP_STATE_ENV } from '../../stacks/configure-stack';
import { FIXTURE_ACCOUNTS, teamCatalogs } from '../support/fixtures';

/**
 * The app's stacks and each account's state backend, on the fixture team (__tests__/support/fixtures.ts).
 * For any catalog: the `stacks-per-environment`, `providers-and-backends`, `state-backend` and
 * `inventory` invariants (__tests__/catalogs/invariants.test.ts).
 */
const ENVIRONMENTS = teamCatalogs();
const ACCOUNTS = FIXTURE_ACCOUNTS;

/** The state backend's own resources (the bootstrap stack also holds the audit trail's key and bucket). */
const inStateBackend = (b: any) => String(b['//']?.metadata?.path ?? '').includes('/state/');

let out: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
});

describe('app', () => {
  test('writes one stack per environment and one state backend per environment account', () => {
    expect(Object.keys(out.stacks).sort()).toEqual(
      [
        'dev',
        'production',
        'staging',
        'state-backend-dev',
        'state-backend-production',
        'state-backend-staging',
        'ci-access-dev',
        'ci-access-production',
        'ci-access-staging',
      ].sort(),
    );
    for (const name of Object.keys(out.stacks)) expect(existsSync(path.join(out.outdir, 'stacks', name, 'cdk.tf.json'))).toBe(true);
  });

  test('writes a machine-readable inventory per environment', () => {
    const inv = JSON.parse(out.files['stacks/production/inventory.json']);
    expect(inv.environment).toBe('production');
    const db = inv.secrets.find((s: any) => s.name === 'prod/orders/postgres/master-credentials');
    expect(db).toMatchObject({ key: 'alias/secrets-platform/prod/database', replicas: ['us-west-2', 'eu-west-1'] });
    expect(db.rotation).toMatchObject({ kind: 'database', strategy: 'single-user', tls: 'verify-full', afterDays: 30, window: '3h' });
    expect(inv.secrets.find((s: any) => s.id === 'metrics_key')).toMatchObject({
      key: 'aws/secretsmanager',
      name: 'prod/legacy/metrics-key',
    });
  });
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s stack', (name, env) => {
  test('requires Terraform >= 1.11 (write-only arguments)', () => {
    expect(out.stacks[name].terraform.required_version).toBe('>= 1.11.0');
  });

  test('keeps state in its own account bucket, encrypted with the state key, with locking', () => {
    const s3 = out.stacks[name].terraform.backend.s3;
    const cfg = stateBackendFor(env);
    expect(s3).toMatchObject({
      bucket: cfg.bucket,
      key: `secrets-platform/${name}/terraform.tfstate`,
      region: env.region,
      encrypt: true,
      kms_key_id: `arn:aws:kms:${env.region}:${env.accountId}:alias/secrets-platform/terraform-state`,
      dynamodb_table: 'secrets-platform-tflock',
      use_lockfile: true,
      allowed_account_ids: [env.accountId],
    });
  });

  test('provider refuses any account but its own and tags everything', () => {
    const [aws] = out.stacks[name].provider!.aws;
    expect(aws.region).toBe(env.region);
    expect(aws.allowed_account_ids).toEqual([env.accountId]);
    expect(aws.default_tags[0].tags).toMatchObject({
      Environment: name,
      ManagedBy: 'cdktf',
      Project: 'secrets-platform',
      Owner: env.owner,
    });
    if (env.deployRoleArn) expect(aws.assume_role[0].role_arn).toBe(env.deployRoleArn);
  });
});

test('production can only ever be applied to the production account', () => {
  expect(out.stacks.production.provider!.aws[0].allowed_account_ids).toEqual([ACCOUNTS.production]);
  expect(out.stacks['state-backend-production'].provider!.aws[0].allowed_account_ids).toEqual([ACCOUNTS.production]);
});

describe('state backend stack', () => {
  const stack = () => out.stacks['state-backend-production'];

  test('keeps its state in the bucket it created, outside the prefixes CI may touch; local only for the first deploy', () => {
    expect(stack().terraform.backend.s3).toMatchObject({
      bucket: `secrets-platform-tfstate-${ACCOUNTS.production}-us-east-1`,
      key: 'bootstrap/state-backend-production/terraform.tfstate',
      encrypt: true,
      use_lockfile: true,
    });
    expect(out.stacks['ci-access-production'].terraform.backend.s3.key).toBe('bootstrap/ci-access-production/terraform.tfstate');
    // The CI roles read and write `secrets-platform/<env>/` only.
    expect(stack().terraform.backend.s3.key.startsWith('secrets-platform/')).toBe(false);
    const prev = process.env[BOOTSTRAP_STATE_ENV];
    try {
      process.env[BOOTSTRAP_STATE_ENV] = 'local';
      const first = synth(ENVIRONMENTS);
      expect(first.stacks['state-backend-production'].terraform.backend).toEqual({
        local: { path: '../../../terraform.state-backend-production.tfstate' },
      });
      // The environment stacks are not bootstrap stacks: their state stays in the bucket.
      expect(first.stacks.production.terraform.backend.s3.key).toBe('secrets-platform/production/terraform.tfstate');
      process.env[BOOTSTRAP_STATE_ENV] = 'bucket';
      expect(() => synth(ENVIRONMENTS)).toThrow('SECRETS_PLATFORM_BOOTSTRAP_STATE="bucket": use "local"');
    } finally {
      if (prev === undefined) delete process.env[BOOTSTRAP_STATE_ENV];
      else process.env[BOOTSTRAP_STATE_ENV] = prev;
    }
  });

  test('bucket: versioned, SSE-KMS with its own key and bucket key, private, protected from destroy', () => {
    const cfg = stateBackendFor(ENVIRONMENTS.find((e) => e.name === 'production')!);
    const bucket = only(stack(), 'aws_s3_bucket', inStateBackend);
    expect(bucket.bucket).toBe(cfg.bucket);
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    expect(only(stack(), 'aws_s3_bucket_versioning', inStateBackend).versioning_configuration.status).toBe('Enabled');
    const sse = only(stack(), 'aws_s3_bucket_server_side_encryption_configuration', inStateBackend).rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.[^}]+\.arn\}$/);
    expect(sse.bucket_key_enabled).toBe(true);
    expect(only(stack(), 'aws_s3_bucket_public_access_block', inStateBackend)).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const key = only(stack(), 'aws_kms_key', inStateBackend);
    expect(key.enable_key_rotation).toBe(true);
    expect(key.deletion_window_in_days).toBe(30);
  });

  test('bucket policy denies every non-TLS request on the bucket and its objects', () => {
    const doc = parsePolicy(only(stack(), 'aws_s3_bucket_policy', inStateBackend).policy);
    const deny = doc.Statement.find((s: any) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(deny.Resource).toHaveLength(2);
    expect(deny.Resource[1]).toBe(`${deny.Resource[0]}/*`);
  });

  test('old state versions expire; incomplete uploads are aborted', () => {
    const rule = only(stack(), 'aws_s3_bucket_lifecycle_configuration', inStateBackend).rule[0];
    expect(rule.status).toBe('Enabled');
    expect(rule.noncurrent_version_expiration[0].noncurrent_days).toBe(90);
    expect(rule.abort_incomplete_multipart_upload[0].days_after_initiation).toBe(7);
  });

  test('lock table: LockID string hash key, on-demand, PITR, CMK encryption, deletion protection', () => {
    const table = only(stack(), 'aws_dynamodb_table', inStateBackend);
    expect(table).toMatchObject({
      name: 'secrets-platform-tflock',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(table.server_side_encryption).toMatchObject({ enabled: true });
    expect(table.server_side_encryption.kms_key_arn).toMatch(/aws_kms_key/);
  });

  test('state key lets account principals use it only through S3 and DynamoDB', () => {
    const doc = parsePolicy(only(stack(), 'aws_kms_key', inStateBackend).policy);
    const use = doc.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices');
    expect(use.Condition.StringEquals['kms:ViaService']).toEqual(['s3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com']);
    expect(resources(stack(), 'aws_kms_alias').map(([, a]) => a.name)).toContain('alias/secrets-platform/terraform-state');
  });
});
