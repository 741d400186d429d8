/**
 * The rotation wiring of the fixture team's production stack (__tests__/support/fixtures.ts):
 * which function rotates which secret, the function's role statement by statement, who may invoke
 * it, the tags the handlers read, the bundle it runs and the schedules. The same wiring for any
 * catalog is the `rotation-*` and `code-signing` invariants (__tests__/catalogs/invariants.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildHandler } from '../../lambdas/build';
import { rulesFromTags, TAG } from '../../lambdas/rotation/contract';
import { fixtureName, teamCatalogs } from '../support/fixtures';
import { only, parsePolicy, resources, synth, type Synthesized, type TfJson } from '../support/synth';

const team = teamCatalogs();
const env = team.find((e) => e.name === 'production')!;
let out: Synthesized;
let prod: TfJson;
beforeAll(() => {
  out = synth(team);
  prod = out.stacks.production;
});

const nameOf = (id: string) => fixtureName(env, env.secrets.find((s) => s.id === id)!);
const nameOfResource = (type: string, body: unknown) => resources(prod, type).find(([, b]) => b === body)![0];
const secret = (name: string) => only(prod, 'aws_secretsmanager_secret', (b) => b.name === name);
const secretArn = (name: string) => `\${aws_secretsmanager_secret.${nameOfResource('aws_secretsmanager_secret', secret(name))}.arn}`;
const fn = (name: string) => only(prod, 'aws_lambda_function', (b) => b.function_name === name);
const fnRef = (name: string, attr: string) => `\${aws_lambda_function.${nameOfResource('aws_lambda_function', fn(name))}.${attr}}`;
const tagsOf = (name: string) => Object.entries(secret(name).tags as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));

const rotated = env.secrets.filter((s) => s.rotation);
// mariadb rotates with the MySQL handler, in the same single-user function as the MySQL admin.
const groups = [
  ['prod-secrets-rotation-postgres-single-user', 'postgres', 'single-user', [nameOf('orders_db_master')]],
  ['prod-secrets-rotation-postgres-alternating-users', 'postgres', 'alternating-users', [nameOf('orders_db_app')]],
  ['prod-secrets-rotation-mysql-admin', 'mysql', 'admin', [nameOf('billing_db')]],
  ['prod-secrets-rotation-mysql-single-user', 'mysql', 'single-user', [nameOf('billing_db_admin'), nameOf('ledger_db')]],
  ['prod-secrets-rotation-generated', 'generated', undefined, [nameOf('webhook_secret')]],
] as const;

test('one function per handler and strategy, together rotating every rotated secret exactly once', () => {
  expect(
    resources(prod, 'aws_lambda_function')
      .map(([, b]) => b.function_name)
      .sort(),
  ).toEqual(groups.map((g) => g[0]).sort());
  const rotations = resources(prod, 'aws_secretsmanager_secret_rotation').map(([, b]) => b);
  expect(rotations.map((r) => r.secret_id).sort()).toEqual(rotated.map((s) => secretArn(nameOf(s.id))).sort());
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
    const rolePolicy = parsePolicy(
      only(prod, 'aws_iam_role_policy', (b) =>
        b.role.includes(
          nameOfResource(
            'aws_iam_role',
            only(prod, 'aws_iam_role', (r) => r.name === `${fname}-role`),
          ),
        ),
      ).policy,
    );
    const byId = Object.fromEntries(rolePolicy.Statement.map((s: any) => [s.Sid, s]));
    expect(byId.RotateTheseSecrets).toEqual({
      Sid: 'RotateTheseSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: secrets.map(secretArn),
    });
    const admins = strategy === 'admin' || strategy === 'alternating-users';
    if (admins) {
      expect(byId.ReadAdminSecrets.Action).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      // Exactly the admin each login names: the orders master, the billing rotation admin.
      expect(byId.ReadAdminSecrets.Resource).toEqual([
        secretArn(strategy === 'admin' ? nameOf('billing_db_admin') : nameOf('orders_db_master')),
      ]);
    } else {
      expect(byId.ReadAdminSecrets).toBeUndefined();
    }
    expect(byId.KeysThroughSecretsManager).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': expect.arrayContaining(['secretsmanager.us-east-1.amazonaws.com']) } },
    });
    expect(byId.GeneratePasswords).toBeUndefined();
    const wildcard = rolePolicy.Statement.filter((s: any) => s.Resource === '*');
    expect(wildcard.map((s: any) => s.Sid)).toEqual(['LambdaVpcNetworkInterfaces']);
    expect(Object.keys(byId).sort()).toEqual(
      [
        'KeysThroughSecretsManager',
        'LambdaVpcNetworkInterfaces',
        'RotateTheseSecrets',
        'WriteOwnLogs',
        ...(admins ? ['ReadAdminSecrets'] : []),
      ].sort(),
    );
  });

  test('only Secrets Manager, for these secrets and this account, may invoke it', () => {
    const perms = resources(prod, 'aws_lambda_permission')
      .map(([, b]) => b)
      .filter((p) => p.function_name === fnRef(fname, 'function_name'));
    expect(perms.map((p) => p.source_arn).sort()).toEqual(secrets.map(secretArn).sort());
    for (const p of perms)
      expect(p).toMatchObject({
        action: 'lambda:InvokeFunction',
        principal: 'secretsmanager.amazonaws.com',
        source_account: env.accountId,
      });
  });

  test('the secrets carry the settings its handler reads', () => {
    for (const s of secrets) {
      const tags = tagsOf(s);
      expect(tags).toContainEqual({ Key: 'RotationFunction', Value: fname });
      if (strategy === 'admin') expect(tags).toContainEqual({ Key: TAG.adminSecret, Value: nameOf('billing_db_admin') });
      if (strategy === 'alternating-users') expect(tags).toContainEqual({ Key: TAG.adminSecret, Value: nameOf('orders_db_master') });
      if (handler === 'generated')
        expect(rulesFromTags(tags, { format: 'hex', length: 64 })).toMatchObject({ format: 'base64url', length: 48 });
      // Database users are pinned where the catalog declares them.
      const declared = env.secrets.find((x) => nameOf(x.id) === s)!;
      const username = declared.value.kind === 'json' ? declared.value.fields.username : undefined;
      if (handler !== 'generated' && username) expect(tags).toContainEqual({ Key: TAG.username, Value: username });
      for (const t of tags) expect(t.Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    }
  });
});

test('database secrets wait for their login to exist; generated values rotate at once; windows as the catalog says', () => {
  for (const s of rotated) {
    const r = only(prod, 'aws_secretsmanager_secret_rotation', (b) => b.secret_id === secretArn(nameOf(s.id)));
    expect(r.rotate_immediately).toBe(s.rotation!.kind === 'generated');
    expect(r.rotation_rules).toEqual({
      automatically_after_days: s.rotation!.schedule.afterDays,
      ...(s.rotation!.schedule.window ? { duration: s.rotation!.schedule.window } : {}),
    });
  }
});

test("the inventory states each database rotation's TLS mode", () => {
  const inv = JSON.parse(out.files['stacks/production/inventory.json']);
  const database = inv.secrets.filter((x: any) => x.rotation?.kind === 'database');
  expect(database.map((x: any) => [x.id, x.rotation.tls])).toEqual([
    ['orders_db_master', 'verify-full'],
    ['orders_db_app', 'verify-full'],
    ['billing_db_admin', 'verify-full'],
    ['billing_db', 'verify-full'],
    ['ledger_db', 'verify-full'],
  ]);
});
