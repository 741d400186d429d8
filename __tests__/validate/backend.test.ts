/**
 * The stacks' S3 backend block, checked as `terraform init` checks it (tools/validate/backend.ts:
 * Terraform 1.11's own S3 backend code, offline, no credentials). Each case breaks one thing in the
 * production stack's backend block and expects Terraform's error naming the attribute.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkBackend } from '../../tools/validate/backend';
import { formatDiagnostic, ROOT, run } from '../../tools/validate/terraform';

jest.setTimeout(120_000);

type Json = Record<string, any>;
let production: Json;

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stdout + synth.stderr);
  production = JSON.parse(readFileSync(path.join(ROOT, 'cdktf.out', 'stacks', 'production', 'cdk.tf.json'), 'utf8'));
});

function broken(name: string, mutate: (s3: Json) => void) {
  const j = structuredClone(production);
  mutate(j.terraform.backend.s3);
  return checkBackend(j, `test-${name}`);
}

test('control: the production backend block passes every check and stops at the missing credentials', () => {
  expect(production.terraform.backend.s3).toBeDefined();
  const r = broken('control', () => {});
  expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  expect(r.reachedCredentials).toBe(true);
  expect(r.ok).toBe(true);
});

test('the deprecated dynamodb_table is named as deprecated, as a warning', () => {
  const r = broken('dynamodb-table', (s3) => {
    s3.dynamodb_table = 'secrets-platform-tflock';
  });
  expect(r.ok).toBe(true);
  expect(r.diagnostics.map(formatDiagnostic)).toContain(
    'warning: terraform.backend.s3: dynamodb_table: Deprecated Parameter: The parameter "dynamodb_table" is deprecated. Use parameter "use_lockfile" instead.',
  );
});

test.each([
  ['role-arn-user', 'assume_role.role_arn', 'arn:aws:iam::123456789012:user/deploy', 'role_arn', 'Invalid IAM Role ARN'],
  ['role-arn-unparsable', 'assume_role.role_arn', 'secrets-platform-deploy', 'role_arn', 'Invalid ARN'],
  ['session-name-short', 'assume_role.session_name', 'x', 'session_name', 'Length must be between 2 and 64, had 1'],
  ['bucket-empty', 'bucket', '', 'bucket', 'The value cannot be empty or all whitespace'],
  ['key-leading-slash', 'key', '/secrets-platform/production/terraform.tfstate', 'key', 'The value must not start or end with "/"'],
  ['key-double-slash', 'key', 'secrets-platform//production/terraform.tfstate', 'key', 'Value must not contain "//"'],
  ['kms-key-id', 'kms_key_id', 'terraform-state', 'kms_key_id', 'Invalid KMS Key ID'],
  ['region-unknown', 'region', 'us-east-9', 'region', 'Invalid AWS Region: us-east-9'],
  ['use-lockfile-type', 'use_lockfile', 'yes please', 'use_lockfile', 'a bool is required'],
])('%s: setting %s is refused, naming the attribute', (name, at, value, attribute, text) => {
  const r = broken(name, (s3) => {
    const parts = at.split('.');
    const parent = parts.slice(0, -1).reduce((o: Json, p) => o[p], s3);
    parent[parts[parts.length - 1]] = value;
  });
  expect(r.ok).toBe(false);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  expect([errors, errors.some((l) => l.includes(`: ${attribute}: `) && l.includes(text))]).toEqual([errors, true]);
});

test('allowed and forbidden account IDs together are refused', () => {
  const r = broken('account-ids', (s3) => {
    s3.forbidden_account_ids = ['210987654321'];
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Only one of allowed_account_ids, forbidden_account_ids can be set.');
});
