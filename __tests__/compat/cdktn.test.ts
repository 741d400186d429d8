// The pieces of `npm run compat:cdktn` that decide pass or fail: the import mapping rule and the
// comparison. The check itself (install, synth with both frameworks, tests on cdktn) runs in CI.
import { diff, type Difference, explain, type Explained, type Json, normalise } from '../../tools/cdktn/compare';

const { mapToCdktn } = require('../../tools/cdktn/alias.cjs') as { mapToCdktn: (s: string) => string | null };

describe('cdktf → cdktn import mapping', () => {
  test.each([
    ['cdktf', 'cdktn'],
    ['cdktf/lib/terraform-stack', 'cdktn/lib/terraform-stack'],
    ['constructs', 'constructs'],
    ['@cdktf/provider-aws', '@cdktn/provider-aws'],
    ['@cdktf/provider-aws/lib/secretsmanager-secret', '@cdktn/provider-aws/lib/secretsmanager-secret'],
    // Any deep path, including resource types nobody uses yet, and any provider.
    ['@cdktf/provider-aws/lib/iam-openid-connect-provider', '@cdktn/provider-aws/lib/iam-openid-connect-provider'],
    ['@cdktf/provider-archive/lib/data-archive-file', '@cdktn/provider-archive/lib/data-archive-file'],
    ['@cdktf/provider-random/lib/password', '@cdktn/provider-random/lib/password'],
  ])('%s → %s', (from, to) => {
    expect(mapToCdktn(from)).toBe(to);
  });

  test('leaves everything else alone (it resolves from the root tree)', () => {
    for (const s of ['esbuild', 'node:path', './stacks/app', 'cdktf-cli', 'constructs-extra', '@aws-sdk/client-secrets-manager'])
      expect(mapToCdktn(s)).toBeNull();
  });

  test('refuses an @cdktf package the fork has no rule for, naming the fix', () => {
    expect(() => mapToCdktn('@cdktf/hcl2cdk')).toThrow(/@cdktf\/hcl2cdk: no CDK Terrain equivalent .* tools\/cdktn\/alias\.cjs/);
  });
});

describe('output comparison', () => {
  const stackA = (): Json => ({
    '//': { metadata: { version: '0.21.0', stackName: 'dev' } },
    terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
    resource: { aws_kms_key: { k: { enable_key_rotation: true, tags: { a: '1' } } } },
  });
  const stackB = (): any => ({
    '//': { metadata: { version: '0.24.0', stackName: 'dev' } },
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '6.66.0' } } },
    resource: { aws_kms_key: { k: { enable_key_rotation: true, tags: { a: '1' } } } },
  });
  const compare = (a: Json, b: Json) => {
    for (const p of [
      ['//', 'metadata', 'version'],
      ['terraform', 'required_providers', '*', 'version'],
    ]) {
      normalise(a, p);
      normalise(b, p);
    }
    const out: Difference[] = [];
    diff('stacks/dev/cdk.tf.json', a, b, [], out);
    return out;
  };
  const sourceEntry: Explained = {
    file: 'stacks/*/cdk.tf.json',
    path: ['terraform', 'required_providers', 'aws', 'source'],
    cdktf: 'aws',
    cdktn: 'hashicorp/aws',
    reason: 'same provider address',
  };

  test('normalised version strings are not differences; the provider source is, until explained', () => {
    const d = compare(stackA(), stackB());
    expect(d).toEqual([
      { file: 'stacks/dev/cdk.tf.json', path: ['terraform', 'required_providers', 'aws', 'source'], cdktf: 'aws', cdktn: 'hashicorp/aws' },
    ]);
    expect(explain(d, [sourceEntry])).toMatchObject({ unexplained: [], unused: [] });
  });

  test('a changed value, a missing attribute or a renamed resource fails the check', () => {
    const b = stackB();
    b.resource.aws_kms_key.k.enable_key_rotation = false;
    delete b.resource.aws_kms_key.k.tags.a;
    b.resource.aws_kms_key.k2 = b.resource.aws_kms_key.k;
    const { unexplained } = explain(compare(stackA(), b), [sourceEntry]);
    expect(unexplained.map((x) => x.path.join('.'))).toEqual([
      'resource.aws_kms_key.k.enable_key_rotation',
      'resource.aws_kms_key.k.tags.a',
      'resource.aws_kms_key.k2',
    ]);
  });

  test('an entry explains only the values it names, and an entry that matches nothing is reported', () => {
    const b = stackB();
    b.terraform.required_providers.aws.source = 'other/aws';
    const r = explain(compare(stackA(), b), [sourceEntry]);
    expect(r.unexplained).toHaveLength(1);
    expect(r.unused).toEqual([sourceEntry]);
  });

  test('a difference inside an array element is found at its index', () => {
    const d: Difference[] = [];
    diff('f.json', { a: [1, 2, 3] }, { a: [1, 5] }, [], d);
    expect(d.map((x) => [x.path, x.cdktf, x.cdktn])).toEqual([
      [['a', 1], 2, 5],
      [['a', 2], 3, undefined],
    ]);
  });
});

describe('provider binding comparison', () => {
  const { mkdtempSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { diffShapes, readShape } = require('../../tools/cdktn/binding-diff') as typeof import('../../tools/cdktn/binding-diff');
  const dts = (text: string) => {
    const f = join(mkdtempSync(join(tmpdir(), 'binding-')), 'index.d.ts');
    writeFileSync(f, text);
    return readShape(f);
  };

  test('names added, removed, re-required and retyped arguments, and new attributes; folds cdktn into cdktf', () => {
    const before = dts(`import * as cdktf from 'cdktf';
      export interface RotationConfig { readonly secretId: string; readonly rotationRules: RotationRules; readonly gone?: string; readonly n?: number; }
      export interface RotationRules { readonly days?: number | cdktf.IResolvable; }
      export declare class Rotation { get secretId(): string; get secretIdInput(): string | undefined; static readonly tfResourceType = "x"; }`);
    const after = dts(`import * as cdktn from 'cdktn';
      export interface RotationConfig { readonly secretId: string; readonly rotationRules?: RotationRules; readonly enabled?: boolean; readonly n?: string; readonly must: string; }
      export interface RotationRules { readonly days?: number | cdktn.IResolvable; }
      export interface External { readonly role?: string; }
      export declare class Rotation { get secretId(): string; get enabled(): boolean; get enabledInput(): boolean | undefined; }`);
    expect(diffShapes(before, after).sort()).toEqual(
      [
        'RotationConfig.rotationRules: now optional',
        'RotationConfig.enabled: new optional argument (boolean)',
        'RotationConfig.n: type number → string',
        'RotationConfig.must: new REQUIRED argument (string)',
        'RotationConfig.gone: REMOVED',
        'new block/interface External',
        'Rotation.enabled: new attribute',
      ].sort(),
    );
  });
});
