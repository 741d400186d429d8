/**
 * The schema stub generator (tools/validate/tf-schema.mjs) against facts of hashicorp/aws 6.25.0 and
 * hashicorp/archive 2.7.1 as the providers document them.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run } from '../../tools/validate/terraform';

type Schema = {
  resources: Record<string, any>;
  data_sources: Record<string, any>;
  ephemeral_resources: Record<string, any>;
  provider_config: any;
};
let aws: Schema;
let archive: Schema;
const stacks = () =>
  readdirSync(path.join(ROOT, 'cdktf.out', 'stacks')).map((s) => path.join(ROOT, 'cdktf.out', 'stacks', s, 'cdk.tf.json'));

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stderr);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-schema-'));
  // Types the stacks no longer synthesize (V1) but the stub still serves for the defect corpus.
  const planted = path.join(dir, 'planted.tf.json');
  writeFileSync(
    planted,
    JSON.stringify({
      resource: { aws_secretsmanager_secret_version: { x: {} } },
      ephemeral: { aws_secretsmanager_random_password: { x: {} } },
    }),
  );
  const r = run('node', [path.join(ROOT, 'tools', 'validate', 'tf-schema.mjs'), dir, ...stacks(), planted], ROOT);
  if (r.status !== 0) throw new Error(r.stderr);
  aws = JSON.parse(readFileSync(path.join(dir, 'aws.json'), 'utf8'));
  archive = JSON.parse(readFileSync(path.join(dir, 'archive.json'), 'utf8'));
});

test('covers every type the synthesized stacks use', () => {
  for (const f of stacks()) {
    const j = JSON.parse(readFileSync(f, 'utf8'));
    for (const t of Object.keys(j.resource ?? {})) expect([t, !!aws.resources[t]]).toEqual([t, true]);
    for (const t of Object.keys(j.data ?? {})) expect([t, !!(aws.data_sources[t] ?? archive.data_sources[t])]).toEqual([t, true]);
    for (const t of Object.keys(j.ephemeral ?? {})) expect([t, !!aws.ephemeral_resources[t]]).toEqual([t, true]);
  }
});

test('write-only and sensitive: secret_string_wo is write-only (never computed), values are sensitive', () => {
  const v = aws.resources.aws_secretsmanager_secret_version.attributes;
  expect(v.secret_string_wo).toEqual({ type: 'string', optional: true, write_only: true, sensitive: true });
  expect(v.secret_string).toMatchObject({ sensitive: true, optional: true });
  expect(v.secret_binary).toMatchObject({ sensitive: true });
  expect(v.secret_id).toEqual({ type: 'string', required: true });
  expect(v.version_stages.type).toEqual(['set', 'string']);
  expect(v.arn).toEqual({ type: 'string', computed: true });
});

test('blocks keep their nesting mode and item bounds', () => {
  const fn = aws.resources.aws_lambda_function.blocks;
  expect(fn.vpc_config).toMatchObject({ mode: 'list', max_items: 1 });
  expect(fn.timeouts.mode).toBe('single');
  expect(fn.vpc_config.block.attributes.vpc_id).toEqual({ type: 'string', computed: true });
  const replica = aws.resources.aws_secretsmanager_secret.blocks.replica;
  expect(replica.mode).toBe('set');
  expect(replica.block.attributes.region).toEqual({ type: 'string', required: true });
  expect(replica.block.attributes.status).toEqual({ type: 'string', computed: true });
  expect(aws.resources.aws_signer_signing_job.blocks.source).toMatchObject({ mode: 'list', min_items: 1, max_items: 1 });
});

test('computed nested objects keep their inner lists', () => {
  expect(aws.resources.aws_signer_signing_job.attributes.signed_object).toEqual({
    type: ['list', ['object', { s3: ['list', ['object', { bucket: 'string', key: 'string' }]] }]],
    computed: true,
  });
});

test('the ephemeral random password: string exclude_characters, sensitive computed result', () => {
  const e = aws.ephemeral_resources.aws_secretsmanager_random_password.attributes;
  expect(e.exclude_characters).toEqual({ type: 'string', optional: true });
  expect(e.random_password).toEqual({ type: 'string', computed: true, sensitive: true });
});

test('archive_file computes its hashes; the provider configurations take no computed attributes', () => {
  const a = archive.data_sources.archive_file.attributes;
  expect(a.output_base64sha256).toEqual({ type: 'string', computed: true });
  expect(a.output_path).toEqual({ type: 'string', required: true });
  const walk = (b: any): void => {
    for (const x of Object.values<any>(b.attributes)) expect(x.computed).toBeUndefined();
    for (const n of Object.values<any>(b.blocks)) walk(n.block);
  };
  walk(aws.provider_config);
  expect(aws.provider_config.blocks.assume_role.mode).toBe('list');
  expect(aws.provider_config.attributes.allowed_account_ids.type).toEqual(['set', 'string']);
});

test('an ephemeral type without a known schema is an error naming the fix', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-schema-'));
  const f = path.join(dir, 'x.tf.json');
  writeFileSync(f, JSON.stringify({ ephemeral: { aws_kms_secrets: { x: {} } } }));
  const r = run('node', [path.join(ROOT, 'tools', 'validate', 'tf-schema.mjs'), dir, f], ROOT);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('ephemeral resource aws_kms_secrets has no schema here');
});
