/**
 * The rotation wiring in the synthesized production stack: which function rotates which secret,
 * the function's role statement by statement, who may invoke it, the tags the handlers read,
 * the bundle it runs and the schedules.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildHandler } from '../../lambdas/build';
import { rulesFromTags, TAG } from '../../lambdas/rotation/contract';
import { ENVIRONMENTS } from '../../catalogs';
import { secretName } from '../../plan/derive';
import { only, parsePolicy, resources, synth, Synthesized, TfJson } from '../support/synth';

let out: Synthesized;
let prod: TfJson;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
  prod = out.stacks.production;
});
const env = ENVIRONMENTS.find((e) => e.name === 'production')!;

const nameOf = (type: string, body: unknown) => resources(prod, type).find(([, b]) => b === body)![0];
const secret = (name: string) => only(prod, 'aws_secretsmanager_secret', (b) => b.name === name);
const secretArn = (name: string) => `\${aws_secretsmanager_secret.${nameOf('aws_secretsmanager_secret', secret(name))}.arn}`;
const fn = (name: string) => only(prod, 'aws_lambda_function', (b) => b.function_name === name);
const fnRef = (name: string, attr: string) => `\${aws_lambda_function.${nameOf('aws_lambda_function', fn(name))}.${attr}}`;
const tagsOf = (name: string) => Object.entries(secret(name).tags as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));

const rotated = env.secrets.filter((s) => s.rotation);
const groups = [
  ['prod-secrets-rotation-postgres-single-user', 'postgres', 'single-user', ['prod/platform/postgres/master-credentials', 'prod/ticket-system/postgres/master-credentials']],
  ['prod-secrets-rotation-postgres-alternating-users', 'postgres', 'alternating-users', ['prod/platform/postgres/app-credentials', 'prod/ticket-system/postgres/app-credentials']],
  ['prod-secrets-rotation-mysql-admin', 'mysql', 'admin', ['prod/myapp/mysql/credentials']],
  ['prod-secrets-rotation-mysql-single-user', 'mysql', 'single-user', ['prod/myapp/mysql/rotation-admin']],
  ['prod-secrets-rotation-generated', 'generated', undefined, ['prod/service/api-gateway/key']],
] as const;

test('one function per handler and strategy, together rotating every rotated secret exactly once', () => {
  expect(resources(prod, 'aws_lambda_function').map(([, b]) => b.function_name).sort()).toEqual(groups.map((g) => g[0]).sort());
  const rotations = resources(prod, 'aws_secretsmanager_secret_rotation').map(([, b]) => b);
  expect(rotations.map((r) => r.secret_id).sort()).toEqual(rotated.map((s) => secretArn(secretName(env, s))).sort());
  for (const [fname, , , secrets] of groups) {
    for (const s of secrets) expect(rotations.find((r) => r.secret_id === secretArn(s))!.rotation_lambda_arn).toBe(fnRef(fname, 'arn'));
  }
});

describe.each(groups)('%s', (fname, handler, strategy, secrets) => {
  test('runs its own deterministic bundle on a supported runtime', () => {
    const f = fn(fname);
    expect(f).toMatchObject({ runtime: 'nodejs24.x', architectures: ['arm64'], handler: 'index.handler', timeout: 60 });
    // Deployed from the signed copy of this zip (modules/code-signing.ts); the hash ties them.
    const zipName = /^\$\{data\.archive_file\.([^.]+)\.output_base64sha256\}$/.exec(f.source_code_hash)![1];
    expect(f.filename).toBeUndefined();
    expect(f.s3_key).toMatch(/^\$\{aws_signer_signing_job\.[^.]+\.signed_object\[0\]\.s3\[0\]\.key\}$/);
    const zip = prod.data!.archive_file[zipName];
    // Relative to the stack directory (cdktf.out/stacks/production/../../../.build in the repository).
    const stackDir = path.join(out.outdir, 'stacks', 'production');
    expect(zip.source_file).toBe(`\${path.module}/${path.relative(stackDir, buildHandler(handler).file)}`);
    expect(zip).toMatchObject({ type: 'zip', output_file_mode: '0644' });
    expect(f.source_code_hash).toBe(`\${data.archive_file.${zipName}.output_base64sha256}`);
    // The file the zip points at exists relative to the stack directory, and is the handler's bundle.
    const file = path.resolve(out.outdir, 'stacks', 'production', zip.source_file.replace('${path.module}/', ''));
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).equals(readFileSync(buildHandler(handler).file))).toBe(true);
  });

  test('its role may rotate exactly its secrets, and nothing else', () => {
    const rolePolicy = parsePolicy(only(prod, 'aws_iam_role_policy', (b) => b.role.includes(nameOf('aws_iam_role', only(prod, 'aws_iam_role', (r) => r.name === `${fname}-role`)))).policy);
    const byId = Object.fromEntries(rolePolicy.Statement.map((s: any) => [s.Sid, s]));
    expect(byId.RotateTheseSecrets).toEqual({
      Sid: 'RotateTheseSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      Resource: secrets.map(secretArn),
    });
    const admins = strategy === 'admin' || strategy === 'alternating-users';
    if (admins) {
      expect(byId.ReadAdminSecrets.Action).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      // One master per rotated login: the platform and ticket masters drive their app logins.
      expect(byId.ReadAdminSecrets.Resource).toHaveLength(new Set(secrets.map((n) => env.secrets.find((x) => `prod/${x.service}/${x.component}/${x.type}` === n)?.rotation).map((r) => (r as { adminSecret?: string })?.adminSecret)).size);
    } else {
      expect(byId.ReadAdminSecrets).toBeUndefined();
    }
    expect(byId.KeysThroughSecretsManager).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': expect.arrayContaining(['secretsmanager.us-east-1.amazonaws.com']) } } });
    expect(byId.GeneratePasswords).toBeUndefined();
    const wildcard = rolePolicy.Statement.filter((s: any) => s.Resource === '*');
    expect(wildcard.map((s: any) => s.Sid)).toEqual(['LambdaVpcNetworkInterfaces']);
    expect(Object.keys(byId).sort()).toEqual(['KeysThroughSecretsManager', 'LambdaVpcNetworkInterfaces', 'RotateTheseSecrets', 'WriteOwnLogs', ...(admins ? ['ReadAdminSecrets'] : [])].sort());
  });

  test('only Secrets Manager, for these secrets and this account, may invoke it', () => {
    const perms = resources(prod, 'aws_lambda_permission').map(([, b]) => b).filter((p) => p.function_name === fnRef(fname, 'function_name'));
    expect(perms.map((p) => p.source_arn).sort()).toEqual(secrets.map(secretArn).sort());
    for (const p of perms) expect(p).toMatchObject({ action: 'lambda:InvokeFunction', principal: 'secretsmanager.amazonaws.com', source_account: env.accountId });
  });

  test('the secrets carry the settings its handler reads', () => {
    for (const s of secrets) {
      const tags = tagsOf(s);
      expect(tags).toContainEqual({ Key: 'RotationFunction', Value: fname });
      if (strategy === 'admin') expect(tags).toContainEqual({ Key: TAG.adminSecret, Value: 'prod/myapp/mysql/rotation-admin' });
      if (strategy === 'alternating-users') expect(tags).toContainEqual({ Key: TAG.adminSecret, Value: s.replace(/app-credentials$/, 'master-credentials') });
      if (handler === 'generated') expect(rulesFromTags(tags, { format: 'hex', length: 64 })).toMatchObject({ format: 'base64url', length: 48 });
      // Database users are pinned where the catalog declares them.
      const declared = env.secrets.find((x) => secretName(env, x) === s)!;
      const username = declared.value.kind === 'json' ? declared.value.fields.username : undefined;
      if (handler !== 'generated' && username) expect(tags).toContainEqual({ Key: TAG.username, Value: username });
      for (const t of tags) expect(t.Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    }
  });
});

test('database secrets wait for their login to exist; generated values rotate at once; windows as the catalog says', () => {
  for (const s of rotated) {
    const r = only(prod, 'aws_secretsmanager_secret_rotation', (b) => b.secret_id === secretArn(secretName(env, s)));
    expect(r.rotate_immediately).toBe(s.rotation!.kind === 'generated');
    expect(r.rotation_rules).toEqual({ automatically_after_days: s.rotation!.schedule.afterDays, ...(s.rotation!.schedule.window ? { duration: s.rotation!.schedule.window } : {}) });
  }
});

test('the inventory states each database rotation\'s TLS mode', () => {
  const inv = JSON.parse(out.files['stacks/production/inventory.json']);
  for (const s of inv.secrets.filter((x: any) => x.rotation?.kind === 'database')) expect(s.rotation.tls).toBe('verify-full');
});
