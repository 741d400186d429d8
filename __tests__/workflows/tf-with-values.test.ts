import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'tools', 'ci', 'tf-with-values.mjs');
const PRINT_ENV = ['-e', 'const e = process.env; console.log(JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith("TF_VAR_") || k === "DEPLOY_TIME_VALUES"))))'];

function runWith(values: string | undefined, args = PRINT_ENV) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (values !== undefined) env.DEPLOY_TIME_VALUES = values;
  return spawnSync('node', [SCRIPT, process.execPath, ...args], { env, encoding: 'utf8' });
}

test('passes each value as TF_VAR_<name>, masks it, and hides the JSON from the command', () => {
  const r = runWith(JSON.stringify({ datadog_api_key_value: 's3cr3t', other: 'two\nlines' }));
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toEqual(expect.arrayContaining(['::add-mask::s3cr3t', '::add-mask::two', '::add-mask::lines']));
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ TF_VAR_datadog_api_key_value: 's3cr3t', TF_VAR_other: 'two\nlines' });
});

test('no values: the command runs with none', () => {
  const r = runWith(undefined);
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout.trim())).toEqual({});
});

test('the command exit status is passed through', () => {
  expect(runWith('{}', ['-e', 'process.exit(2)']).status).toBe(2);
  expect(runWith('{}', ['-e', 'process.exit(0)']).status).toBe(0);
});

test('malformed input stops before running anything, naming the problem', () => {
  const notJson = runWith('{oops');
  expect(notJson.status).toBe(2);
  expect(notJson.stderr).toContain('DEPLOY_TIME_VALUES is not a JSON object');
  const badName = runWith(JSON.stringify({ 'bad-name': 'x' }));
  expect(badName.status).toBe(2);
  expect(badName.stderr).toContain('"bad-name" is not a Terraform variable name');
  expect(runWith('[1]').stderr).toContain('must be a JSON object');
});
