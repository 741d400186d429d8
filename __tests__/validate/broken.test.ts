/**
 * Real Terraform (1.11) with the stub provider rejects our own stacks once they are broken on
 * purpose: each case takes the synthesized dev stack, breaks one thing, and expects
 * `terraform validate` to fail with Terraform's own message. The unbroken stack is the control.
 * Run by `npm run validate` (jest project `validate`); needs terraform and go on PATH.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyStack, preparePlugins, ROOT, run, validateDir, validateJson } from '../../tools/validate/terraform';

jest.setTimeout(300_000);

type Json = Record<string, any>;
let plugins: ReturnType<typeof preparePlugins>;
let dir: string;
const stackDir = (name: string) => path.join(ROOT, 'cdktf.out', 'stacks', name);
const read = (name: string): Json => JSON.parse(readFileSync(path.join(stackDir(name), 'cdk.tf.json'), 'utf8'));

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stdout + synth.stderr);
  // The stub serves the types the stacks use, plus those the cases below plant (plantValue).
  const planted = path.join(mkdtempSync(path.join(tmpdir(), 'broken-')), 'planted.tf.json');
  writeFileSync(
    planted,
    JSON.stringify({
      resource: { aws_secretsmanager_secret_version: { x: {} } },
      ephemeral: { aws_secretsmanager_random_password: { x: {} } },
    }),
  );
  plugins = preparePlugins([path.join(stackDir('dev'), 'cdk.tf.json'), planted]);
  // One working copy, initialized once: every case uses the same providers, so each only validates.
  dir = copyStack(stackDir('dev'), 'broken');
  const init = validateDir(dir, plugins)[0];
  if (!init.ok) throw new Error(init.output);
});

/** Validates the dev stack after `mutate`; returns Terraform's output and whether it passed. */
function validateMutated(_caseName: string, mutate: (j: Json) => void): { ok: boolean; output: string } {
  const j = read('dev');
  mutate(j);
  writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(j, null, 1));
  const v = validateJson(dir, plugins);
  return { ok: v.ok, output: v.output };
}

const first = (j: Json, type: string): [string, Json] => Object.entries(j.resource[type])[0] as [string, Json];

/**
 * The stacks write no value (docs/values.md), so the cases about Terraform's ephemeral rules plant
 * what a stack that wrote one would hold: an ephemeral variable, a random password, a version.
 */
function plantValue(j: Json): { version: Json; password: string } {
  const [secret] = first(j, 'aws_secretsmanager_secret');
  j.variable = { ...(j.variable ?? {}), planted_value: { type: 'string', sensitive: true, ephemeral: true } };
  j.ephemeral = { ...(j.ephemeral ?? {}), aws_secretsmanager_random_password: { planted: { password_length: 32 } } };
  const version: Json = {
    secret_id: `\${aws_secretsmanager_secret.${secret}.id}`,
    secret_string_wo: '${var.planted_value}',
    secret_string_wo_version: 1,
    lifecycle: { ignore_changes: ['version_stages'] },
  };
  j.resource.aws_secretsmanager_secret_version = { planted: version };
  return { version, password: 'planted' };
}

test('control: the unbroken dev stack is valid', () => {
  const r = validateMutated('control', () => {});
  expect(r.output).toContain('The configuration is valid');
  expect(r.ok).toBe(true);
});

test('an unknown attribute is rejected', () => {
  const r = validateMutated('unknown-attribute', (j) => {
    first(j, 'aws_secretsmanager_secret')[1].rotation_days = 30;
  });
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/Extraneous JSON object property|Unsupported argument/);
  expect(r.output).toContain('rotation_days');
});

test('an ephemeral value in a normal (persisted) attribute is rejected', () => {
  const r = validateMutated('ephemeral-into-secret-string', (j) => {
    const { version } = plantValue(j);
    version.secret_string = version.secret_string_wo;
    delete version.secret_string_wo;
    delete version.secret_string_wo_version;
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Ephemeral values are not valid for "secret_string"');
});

test('an ephemeral resource result in a normal attribute is rejected too', () => {
  const r = validateMutated('ephemeral-resource-into-tags', (j) => {
    const name = plantValue(j).password;
    first(j, 'aws_secretsmanager_secret')[1].description = `\${ephemeral.aws_secretsmanager_random_password.${name}.random_password}`;
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Ephemeral values are not valid for "description"');
});

test('a reference to a resource that does not exist is rejected', () => {
  const r = validateMutated('bad-reference', (j) => {
    first(j, 'aws_secretsmanager_secret')[1].kms_key_id = '${aws_kms_key.no_such_key.arn}';
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Reference to undeclared resource');
});

test('a reference to an attribute the type does not have is rejected', () => {
  const r = validateMutated('bad-attribute-reference', (j) => {
    const [keyName] = Object.keys(j.resource.aws_kms_key);
    first(j, 'aws_secretsmanager_secret')[1].kms_key_id = `\${aws_kms_key.${keyName}.key_arn}`;
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Unsupported attribute');
});

test('an ignore_changes entry naming no attribute is rejected', () => {
  const r = validateMutated('bad-ignore-changes', (j) => {
    const { version } = plantValue(j);
    version.lifecycle.ignore_changes = ['version_stage'];
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('version_stage');
  expect(r.output).toMatch(/Unsupported attribute|does not have an attribute/);
});

test('setting a computed-only attribute is rejected', () => {
  const r = validateMutated('computed-only', (j) => {
    first(j, 'aws_secretsmanager_secret')[1].arn = 'arn:aws:secretsmanager:us-east-1:345678901234:secret:x';
  });
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/Invalid Configuration for Read-Only Attribute|read-only|Computed attributes cannot be set/);
});

test('a wrong type is rejected', () => {
  const r = validateMutated('wrong-type', (j) => {
    first(j, 'aws_secretsmanager_secret')[1].recovery_window_in_days = 'a week';
  });
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/Incorrect attribute value type|a number is required/);
});

test('a missing required argument is rejected', () => {
  const r = validateMutated('missing-required', (j) => {
    delete first(j, 'aws_secretsmanager_secret_policy')[1].secret_arn;
  });
  expect(r.ok).toBe(false);
  expect(r.output).toContain('Missing required argument');
});

test('a second block where the provider allows one is rejected', () => {
  const r = validateMutated('max-items', (j) => {
    const fn = Object.values(j.resource.aws_lambda_function as Json).find((f) => (f as Json).vpc_config) as Json;
    const vpc = Array.isArray(fn.vpc_config) ? fn.vpc_config[0] : fn.vpc_config;
    fn.vpc_config = [vpc, vpc];
  });
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/No more than 1 block|Too many/);
});
