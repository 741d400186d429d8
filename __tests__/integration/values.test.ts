/**
 * The values step (tools/ci/values.cjs) against the run's Secrets Manager and STS emulator (moto,
 * or LocalStack when SECRETS_BACKEND=localstack), run as CI runs it: a child process with the
 * role's credentials in its environment and the values in DEPLOY_TIME_VALUES. A recording proxy
 * between the script and the emulator lists every call it makes,
 * so the tests prove which actions each mode uses (never GetSecretValue) as well as what ends up
 * in Secrets Manager. The tests read values back with the AWS SDK; the script never does.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { backend, secretsBackend, smClient } from '../../tools/testing/services';

const { writeToken, TAG_VERSION, TAG_WRITTEN, Aws } = require('../../tools/ci/values.cjs');

const SCRIPT = path.join(__dirname, '..', '..', 'tools', 'ci', 'values.cjs');
const REGION = 'us-east-1';
/** The emulator's account for the test credentials (moto: 123456789012, LocalStack: 000000000000), asked of its STS. */
let ACCOUNT = '';
let ROLE = '';

/** Forwards to the emulator and records each call: `secretsmanager.PutSecretValue`, `sts.GetCallerIdentity`. */
class RecordingProxy {
  calls: string[] = [];
  bodies: string[] = [];
  private server?: http.Server;
  url = '';

  async start(target: string): Promise<void> {
    const to = new URL(target);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const target = req.headers['x-amz-target'];
        this.calls.push(typeof target === 'string' ? target : `sts.${/Action=(\w+)/.exec(body.toString())?.[1]}`);
        this.bodies.push(body.toString());
        const fwd = http.request(
          { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        fwd.on('error', () => res.writeHead(502).end());
        fwd.end(body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

let proxy: RecordingProxy;
let roleCreds: Record<string, string>;
beforeAll(async () => {
  proxy = new RecordingProxy();
  const m = secretsBackend();
  await proxy.start(m.endpoint);
  // Credentials of an assumed `secrets-platform-values` session, as OIDC gives the values job
  // (signed with the script's own signer: the SDK has no STS client installed here), in the
  // account the tests' own client (smClient) creates secrets in.
  const aws = new Aws({
    region: REGION,
    partition: 'aws',
    env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_ENDPOINT_URL: m.endpoint },
  });
  ACCOUNT = (await aws.callerIdentity()).account;
  ROLE = `arn:aws:iam::${ACCOUNT}:role/secrets-platform-values`;
  const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=github-actions`;
  const res = await aws.send('AssumeRole', 'sts', aws.sts, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
  const field = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(res.text)![1];
  roleCreds = {
    AWS_ACCESS_KEY_ID: field('AccessKeyId'),
    AWS_SECRET_ACCESS_KEY: field('SecretAccessKey'),
    AWS_SESSION_TOKEN: field('SessionToken'),
  };
});
afterAll(() => proxy.stop());
beforeEach(() => {
  proxy.calls = [];
  proxy.bodies = [];
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
  summary: string;
}

/** Runs the script as the values job does; DEPLOY_TIME_VALUES only in its environment. */
async function runScript(
  mode: 'plan' | 'write',
  manifest: object,
  opts: { values?: Record<string, unknown>; env?: Record<string, string>; args?: string[]; repoRoot?: string } = {},
): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'values-test-'));
  const file = path.join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(manifest));
  const outFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  writeFileSync(outFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...roleCreds,
    AWS_ENDPOINT_URL: proxy.url,
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...(opts.values ? { DEPLOY_TIME_VALUES: JSON.stringify(opts.values) } : {}),
    ...(opts.env ?? {}),
  };
  const args = [
    SCRIPT,
    mode,
    '--manifest',
    file,
    '--environment',
    'production',
    '--role-arn',
    ROLE,
    ...(opts.repoRoot ? ['--repo-root', opts.repoRoot] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  return { code, stdout, stderr, output: readFileSync(outFile, 'utf8'), summary: readFileSync(summaryFile, 'utf8') };
}

const sm = () => smClient();
const uid = () => randomBytes(4).toString('hex');
const tagsOf = async (name: string) =>
  Object.fromEntries(((await sm().send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? []).map((t) => [t.Key, t.Value]));
const storedValue = async (name: string) => (await sm().send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
const versionIds = async (name: string) =>
  ((await sm().send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }))).Versions ?? [])
    .map((v) => v.VersionId)
    .sort();

/** What `terraform apply` leaves: the secret, with the catalog's value version as a tag. */
async function applied(name: string, version = 1): Promise<string> {
  const r = await sm().send(
    new CreateSecretCommand({
      Name: name,
      Tags: [
        { Key: TAG_VERSION, Value: String(version) },
        { Key: 'Project', Value: 'secrets-platform' },
      ],
    }),
  );
  return r.ARN!;
}

/** A fixture manifest as synth writes it (the plan's values manifest), around `secrets`. */
function manifestFor(secrets: object[]) {
  return {
    schema: 'secrets-platform/values/1',
    environment: 'production',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    namePrefix: 'prod',
    githubSecret: 'DEPLOY_TIME_VALUES',
    secrets,
    notWritten: [],
  };
}

const ALLOWED_WRITE_CALLS = new Set([
  'sts.GetCallerIdentity',
  'secretsmanager.DescribeSecret',
  'secretsmanager.GetRandomPassword',
  'secretsmanager.PutSecretValue',
  'secretsmanager.RotateSecret',
  'secretsmanager.TagResource',
]);

describe('write', () => {
  test('first values: a deploy-time text, a JSON of literals, generated and deploy-time keys, a binary file; then a re-run writes nothing', async () => {
    const base = `prod/values-${uid()}`;
    const repo = mkdtempSync(path.join(tmpdir(), 'values-repo-'));
    const bin = randomBytes(300);
    writeFileSync(path.join(repo, 'ca.der'), bin);
    const secrets = [
      {
        id: 'api',
        name: `${base}/vendor/api-key`,
        version: 1,
        rotateAfterWrite: false,
        write: { type: 'text', source: { deployTime: 'api_value' } },
      },
      {
        id: 'cfg',
        name: `${base}/app/config`,
        version: 1,
        rotateAfterWrite: false,
        write: {
          type: 'json',
          keys: {
            host: { literal: 'db.internal' },
            port: { literal: 5432 },
            tls: { literal: true },
            password: { generate: { length: 40, excludePunctuation: false, excludeCharacters: `"'\\/@` } },
            CODE: { generate: { length: 12, excludePunctuation: true } },
            SMTP_PASSWORD: { deployTime: 'cfg_smtp_password' },
          },
        },
      },
      {
        id: 'jwt',
        name: `${base}/auth/jwt`,
        version: 1,
        rotateAfterWrite: false,
        write: { type: 'text', source: { generate: { length: 64, excludePunctuation: true } } },
      },
      {
        id: 'ca',
        name: `${base}/partner/ca`,
        version: 1,
        rotateAfterWrite: false,
        write: { type: 'binary', file: 'ca.der', sha256: createHash('sha256').update(bin).digest('hex') },
      },
    ];
    for (const s of secrets) await applied(s.name);
    const values = { api_value: `api-${uid()}`, cfg_smtp_password: `smtp "${uid()}"\nline2` };
    const r = await runScript('write', manifestFor(secrets), { values, repoRoot: repo });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 written, 0 up to date, 0 failed');

    expect(await storedValue(secrets[0].name)).toBe(values.api_value);
    const cfg = JSON.parse((await storedValue(secrets[1].name))!);
    expect(Object.keys(cfg)).toEqual(['host', 'port', 'tls', 'password', 'CODE', 'SMTP_PASSWORD']);
    expect(cfg).toMatchObject({ host: 'db.internal', port: 5432, tls: true, SMTP_PASSWORD: values.cfg_smtp_password });
    expect(cfg.password).toHaveLength(40);
    expect(cfg.password).not.toMatch(/["'\\/@ ]/);
    expect(cfg.CODE).toMatch(/^[A-Za-z0-9]{12}$/);
    expect((await storedValue(secrets[2].name))!).toMatch(/^[A-Za-z0-9]{64}$/);
    const binValue = (await sm().send(new GetSecretValueCommand({ SecretId: secrets[3].name }))).SecretBinary!;
    expect(Buffer.from(binValue).equals(bin)).toBe(true);
    for (const s of secrets) {
      expect(await tagsOf(s.name)).toMatchObject({ [TAG_WRITTEN]: '1', [TAG_VERSION]: '1', Project: 'secrets-platform' });
      // The version id is the deterministic token of (name, version).
      expect(await versionIds(s.name)).toEqual([writeToken(s.name, 1)]);
    }
    // No value in the log; no call that reads a value.
    for (const v of [values.api_value, 'smtp', cfg.password, cfg.CODE]) expect(r.stdout + r.stderr).not.toContain(v);
    expect(proxy.calls.filter((c) => !ALLOWED_WRITE_CALLS.has(c))).toEqual([]);
    expect(proxy.calls.filter((c) => c === 'secretsmanager.PutSecretValue')).toHaveLength(4);
    expect(proxy.calls.filter((c) => c === 'secretsmanager.GetRandomPassword')).toHaveLength(3);
    // Every target was described before the first write.
    expect(proxy.calls.indexOf('secretsmanager.PutSecretValue')).toBeGreaterThan(
      proxy.calls.lastIndexOf('secretsmanager.DescribeSecret', 4),
    );

    proxy.calls = [];
    const again = await runScript('write', manifestFor(secrets), { values, repoRoot: repo });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 written, 4 up to date, 0 failed');
    expect(proxy.calls.filter((c) => c !== 'secretsmanager.DescribeSecret' && c !== 'sts.GetCallerIdentity')).toEqual([]);
    for (const s of secrets) expect(await versionIds(s.name)).toEqual([writeToken(s.name, 1)]);
  });

  test('a raised version writes a new value: the reviewer-visible tag and the manifest agree; the old value stays AWSPREVIOUS', async () => {
    const name = `prod/values-${uid()}/vendor/key`;
    const s = (version: number) => ({
      id: 'k',
      name,
      version,
      rotateAfterWrite: false,
      write: { type: 'text', source: { deployTime: 'k_value' } },
    });
    await applied(name, 1);
    expect((await runScript('write', manifestFor([s(1)]), { values: { k_value: 'one' } })).code).toBe(0);

    // The catalog raised the version, but its apply has not run: the Terraform tag still says 1.
    const early = await runScript('write', manifestFor([s(2)]), { values: { k_value: 'two' } });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      `secret ${name}: tag ${TAG_VERSION} is "1" but this commit's catalog says 2; the apply of this commit has not run or failed`,
    );
    expect(early.stderr).toContain('nothing was written');
    expect(await storedValue(name)).toBe('one');

    await sm().send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: TAG_VERSION, Value: '2' }] })); // the apply
    const r = await runScript('write', manifestFor([s(2)]), { values: { k_value: 'two' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${name}: wrote version 2 (version 1 -> 2)`);
    expect(await storedValue(name)).toBe('two');
    expect((await sm().send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('one');
    expect(await tagsOf(name)).toMatchObject({ [TAG_WRITTEN]: '2' });

    // Going back down is refused: a version is never reused.
    const down = await runScript('write', manifestFor([s(1)]), { values: { k_value: 'one' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `secret ${name}: value version 1 is below the version already written (2); raise value.version to 3 to write a new value`,
    );
  });

  test('a write interrupted before its tag is finished on the next run without a second version (a generated value is not regenerated)', async () => {
    const name = `prod/values-${uid()}/auth/key`;
    await applied(name, 1);
    // The earlier attempt's PutSecretValue landed with the deterministic token; the tag did not.
    await sm().send(
      new PutSecretValueCommand({ SecretId: name, ClientRequestToken: writeToken(name, 1), SecretString: 'written-before-the-crash' }),
    );
    const r = await runScript(
      'write',
      manifestFor([
        {
          id: 'k',
          name,
          version: 1,
          rotateAfterWrite: false,
          write: { type: 'text', source: { generate: { length: 32, excludePunctuation: true } } },
        },
      ]),
    );
    expect(r.code).toBe(0);
    expect(await storedValue(name)).toBe('written-before-the-crash');
    expect(await versionIds(name)).toEqual([writeToken(name, 1)]);
    expect(proxy.calls).not.toContain('secretsmanager.PutSecretValue');
    expect(proxy.calls).not.toContain('secretsmanager.GetRandomPassword');
    expect(await tagsOf(name)).toMatchObject({ [TAG_WRITTEN]: '1' });
  });

  test('a database secret: the initial JSON, then its first rotation, once', async () => {
    const name = `prod/values-${uid()}/postgres/app`;
    await applied(name, 1);
    // What aws_secretsmanager_secret_rotation leaves: the emulator's rotation function (moto
    // records the configuration without one; LocalStack has a stub that does not execute).
    await sm()
      .send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: secretsBackend().rotationFunctionArn,
          RotationRules: { AutomaticallyAfterDays: 30 },
          RotateImmediately: false,
        }),
      )
      .catch(() => undefined);
    expect((await sm().send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBe(true);
    const secret = {
      id: 'app',
      name,
      version: 1,
      rotateAfterWrite: true,
      write: {
        type: 'json',
        keys: {
          engine: { literal: 'postgres' },
          host: { literal: 'db' },
          username: { literal: 'app' },
          password: { generate: { length: 32, excludePunctuation: true } },
        },
      },
    };
    const r = await runScript('write', manifestFor([secret]));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first rotation started');
    expect(proxy.calls.filter((c) => c === 'secretsmanager.RotateSecret')).toHaveLength(1);
    // The RotateSecret call carries no rotation settings (those are Terraform's).
    const rotateBody = JSON.parse(proxy.bodies[proxy.calls.indexOf('secretsmanager.RotateSecret')]);
    expect(Object.keys(rotateBody).sort()).toEqual(['ClientRequestToken', 'SecretId']);
    // moto finishes a rotation at once (its function is not found, so it only moves the labels);
    // LocalStack, like the real service while the function runs, leaves the rotation pending.
    const stages = (await sm().send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages!;
    const finished = backend() === 'moto';
    if (finished) expect(stages[writeToken(name, 1)]).toEqual(['AWSPREVIOUS']);
    else {
      expect(stages[writeToken(name, 1)]).toEqual(['AWSCURRENT']);
      expect(Object.entries(stages).filter(([id, st]) => id !== writeToken(name, 1) && st.includes('AWSPENDING'))).toHaveLength(1);
    }
    expect(await tagsOf(name)).toMatchObject({ [TAG_WRITTEN]: '1' });

    // Interrupted after the rotation and before the tag: the next run tags and does not rotate again.
    await sm().send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: TAG_WRITTEN, Value: '0' }] }));
    proxy.calls = [];
    const again = await runScript('write', manifestFor([secret]));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      finished ? 'rotated since version 1 was written; not rotating again' : 'a rotation is in progress; not starting another',
    );
    expect(proxy.calls).not.toContain('secretsmanager.RotateSecret');
    expect(proxy.calls).not.toContain('secretsmanager.PutSecretValue');
  });

  test('one missing input, and nothing is written, not even the secrets whose inputs are there', async () => {
    const base = `prod/values-${uid()}`;
    const a = {
      id: 'a',
      name: `${base}/a/key`,
      version: 1,
      rotateAfterWrite: false,
      write: { type: 'text', source: { deployTime: 'a_value' } },
    };
    const b = {
      id: 'b',
      name: `${base}/b/key`,
      version: 1,
      rotateAfterWrite: false,
      write: { type: 'json', keys: { K: { deployTime: 'b_k' } } },
    };
    await applied(a.name);
    await applied(b.name);
    const r = await runScript('write', manifestFor([a, b]), { values: { a_value: 'present', typo_b_k: 'x' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `values: secret ${b.name}: DEPLOY_TIME_VALUES has no value "b_k"; add it to the GitHub environment secret DEPLOY_TIME_VALUES of production (names: npm run values -- production)`,
      'values: 1 problem(s); nothing was written',
    ]);
    expect(proxy.calls.filter((c) => c !== 'secretsmanager.DescribeSecret' && c !== 'sts.GetCallerIdentity')).toEqual([]);
    expect(await versionIds(a.name)).toEqual([]);
  });

  test('targets: another account, another role, another environment, a deleted secret, an edited manifest: refused before any write', async () => {
    const name = `prod/values-${uid()}/x/key`;
    await applied(name);
    const s = { id: 'k', name, version: 1, rotateAfterWrite: false, write: { type: 'text', source: { deployTime: 'k' } } };
    const values = { k: `value-${uid()}` };
    const refused = async (manifest: object, message: string, opts: Parameters<typeof runScript>[2] = {}) => {
      proxy.calls = [];
      const r = await runScript('write', manifest, { values, ...opts });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(message) });
      expect(proxy.calls.filter((c) => !['sts.GetCallerIdentity', 'secretsmanager.DescribeSecret'].includes(c))).toEqual([]);
    };
    await refused({ ...manifestFor([s]), accountId: '999999999999' }, `caller: is in account ${ACCOUNT}, the manifest in 999999999999`);
    await refused(manifestFor([s]), 'not role secrets-platform-deploy', {
      args: ['--role-arn', `arn:aws:iam::${ACCOUNT}:role/secrets-platform-deploy`],
    });
    await refused(manifestFor([{ ...s, name: `staging/${name}` }]), `is outside this environment's prefix prod/`);
    await refused({ ...manifestFor([s]), environment: 'staging' }, 'is for environment staging, not production');
    await refused({ ...manifestFor([s]), region: 'us-east-1.attacker.example#' }, 'is not an AWS Region name');
    // A secret whose ARN is in another Region than the manifest says.
    await refused({ ...manifestFor([s]), region: 'eu-west-1' }, `secret ${name}: does not exist`);
    await sm().send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    await refused(manifestFor([s]), `secret ${name}: is scheduled for deletion`);
  });

  test('inside GitHub Actions each deploy-time value is masked line by line; outside, nothing is printed', async () => {
    const name = `prod/values-${uid()}/m/key`;
    await applied(name);
    const s = { id: 'k', name, version: 1, rotateAfterWrite: false, write: { type: 'text', source: { deployTime: 'k' } } };
    const r = await runScript('write', manifestFor([s]), {
      values: { k: 'first\nsecond', unused: 'zzz' },
      env: { GITHUB_ACTIONS: 'true' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'))).toEqual(['::add-mask::first', '::add-mask::second']);
    expect(r.stdout).toContain('DEPLOY_TIME_VALUES holds names no secret of production uses: unused');
    expect(r.stdout).not.toContain('zzz');
  });
});

describe('plan (the plan job, before apply): DescribeSecret only, and what the values job will write', () => {
  test('lists new, raised and current values; pending=true until everything is written', async () => {
    const base = `prod/values-${uid()}`;
    const current = {
      id: 'c',
      name: `${base}/c/key`,
      version: 1,
      rotateAfterWrite: false,
      write: { type: 'text', source: { deployTime: 'c' } },
    };
    const fresh = {
      id: 'f',
      name: `${base}/f/key`,
      version: 1,
      rotateAfterWrite: false,
      write: { type: 'text', source: { deployTime: 'f' } },
    };
    await applied(current.name);
    expect((await runScript('write', manifestFor([current]), { values: { c: 'x' } })).code).toBe(0);
    proxy.calls = [];
    const plan = await runScript('plan', manifestFor([current, { ...current, version: 2 }].slice(1).concat([fresh])));
    expect(plan.code).toBe(0);
    expect(new Set(proxy.calls)).toEqual(new Set(['sts.GetCallerIdentity', 'secretsmanager.DescribeSecret']));
    expect(plan.stdout).toContain(`${current.name}: will be written after apply (version 1 -> 2)`);
    expect(plan.stdout).toContain(`${fresh.name}: will be written after apply (created by this apply)`);
    expect(plan.output).toBe('pending=true\n');
    expect(plan.summary).toContain(`\`${fresh.name}\`: created by this apply; from DEPLOY_TIME_VALUES: \`f\``);

    const quiet = await runScript('plan', manifestFor([current]));
    expect(quiet.output).toBe('pending=false\n');
    expect(quiet.summary).toContain('Nothing: every value is at its catalog version.');
  });
});
