/**
 * The validator manifest (tools/tf-stub/checks) against the stacks and the 6.25.0 schema: every
 * type and attribute the stacks set has an entry (checks, or "none" with the reason), every entry
 * is an argument of the provider's schema and cites where it was read, every guardrail it names
 * exists, the stub binary loads the same manifest, and the stub enforces at least 90% of the
 * provider checks counted on what we set.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type Kind,
  loadSchemas,
  schemaAttribute,
  schemaOf,
  type SetAttributes,
  synthesizedAttributes,
} from '../../tools/validate/attributes';
import {
  type Check,
  countedChecks,
  coverage,
  loadManifests,
  type Manifest,
  manifestKey,
  missingEntries,
} from '../../tools/validate/manifest';
import { ensureStub, ROOT, run } from '../../tools/validate/terraform';

jest.setTimeout(300_000);

const stacksDir = path.join(ROOT, 'cdktf.out', 'stacks');
let files: string[];
let schemas: ReturnType<typeof loadSchemas>;
let set: SetAttributes;
let manifests: Manifest[];

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stdout + synth.stderr);
  files = readdirSync(stacksDir)
    .filter((s) => !s.startsWith('.'))
    .map((s) => path.join(stacksDir, s, 'cdk.tf.json'));
  manifests = loadManifests();
  // Schemas for the stacks' types and for every manifest type (some are kept for the defect corpus only).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'manifest-schema-'));
  const extra = path.join(dir, 'manifest-types.json');
  const sections: Record<Kind, string> = { resource: 'resource', data: 'data', ephemeral: 'ephemeral' };
  const fake: Record<string, Record<string, object>> = {};
  for (const m of manifests) {
    fake[sections[m.kind]] ??= {};
    fake[sections[m.kind]][m.type] = {};
  }
  writeFileSync(extra, JSON.stringify(fake));
  const r = run('node', [path.join(ROOT, 'tools', 'validate', 'tf-schema.mjs'), dir, ...files, extra], ROOT);
  if (r.status !== 0) throw new Error(r.stderr);
  schemas = loadSchemas(dir);
  set = synthesizedAttributes(files, schemas);
});

const allChecks = (m: Manifest): Check[] => {
  const flat = (c: Check): Check[] => [c, ...(c.any ?? []).flatMap(flat), ...(c.all ?? []).flatMap(flat)];
  return [...Object.values(m.attributes).flatMap((a) => a.checks ?? []), ...(m.config_rules ?? []), ...(m.plan_rules ?? [])].flatMap(flat);
};

test('every type and attribute the stacks set has a manifest entry', () => {
  expect(set.size).toBeGreaterThan(0);
  expect(missingEntries(manifests, set)).toEqual([]);
});

test('a type or attribute the stacks start to set without an entry is reported', () => {
  const grown: SetAttributes = new Map([...set].map(([k, v]) => [k, new Map(v)]));
  grown.get('resource aws_kms_key')!.set('bypass_policy_lockout_safety_check', new Set(['dev']));
  grown.set('resource aws_ssm_document', new Map([['name', new Set(['dev'])]]));
  expect(missingEntries(manifests, grown)).toEqual([
    'resource aws_kms_key: attribute bypass_policy_lockout_safety_check has no manifest entry',
    'resource aws_ssm_document: no manifest file (tools/tf-stub/checks/resource.aws_ssm_document.json)',
  ]);
});

test('every manifest attribute is an argument of the pinned provider schema (not computed-only)', () => {
  for (const m of manifests) {
    const schema = schemaOf(schemas, m.kind, m.type);
    expect([m.file, !!schema]).toEqual([m.file, true]);
    for (const name of Object.keys(m.attributes)) {
      const found = schemaAttribute(schema!, name);
      const settable = !!found?.block || !!found?.attribute?.required || !!found?.attribute?.optional;
      expect([m.file, name, settable]).toEqual([m.file, name, true]);
    }
  }
});

test('the attributes named by ConflictsWith, RequiredWith, ExactlyOneOf and AtLeastOneOf exist in the schema', () => {
  for (const m of manifests) {
    const schema = schemaOf(schemas, m.kind, m.type)!;
    for (const c of allChecks(m)) {
      if (
        ![
          'conflicts_with',
          'required_with',
          'exactly_one_of',
          'at_least_one_of',
          'fw_exactly_one_of',
          'fw_at_least_one_of',
          'fw_conflicts_with',
        ].includes(c.check)
      )
        continue;
      for (const key of c.keys ?? []) {
        const p = key.replace(/\.\d+\./g, '.');
        expect([m.file, key, !!schemaAttribute(schema, p)]).toEqual([m.file, key, true]);
      }
    }
  }
});

test('every entry cites where it was read: a repository file and a commit (or the stored copy), a line where known', () => {
  for (const m of manifests) {
    for (const [key, s] of Object.entries(m.sources)) {
      expect([m.file, key, /^hashicorp\/terraform-provider-(aws|archive)$/.test(s.repo), /\.go$/.test(s.path)]).toEqual([
        m.file,
        key,
        true,
        true,
      ]);
      expect([m.file, key, /^[0-9a-f]{8,40}$/.test(s.commit) || /store ids? \d+/.test(s.note ?? '')]).toEqual([m.file, key, true]);
    }
    for (const [name, a] of Object.entries(m.attributes)) {
      expect([m.file, name, !!a.source && !!m.sources[a.source]]).toEqual([m.file, name, true]);
      // A line, unless the only copy read was a stored one without a commit, or the attribute is the per-resource region.
      const s = m.sources[a.source!];
      if (!a.line) expect([m.file, name, !s.commit || s.path.endsWith('region.go') || a.none !== undefined]).toEqual([m.file, name, true]);
    }
  }
});

test('every guardrail a check names is a rule of the pack', () => {
  const ids = new Set(
    readdirSync(path.join(ROOT, 'rules', 'pack'))
      .map((f) => /id: '([A-Z0-9-]+)'/.exec(readFileSync(path.join(ROOT, 'rules', 'pack', f), 'utf8'))?.[1])
      .filter(Boolean),
  );
  const named = manifests.flatMap((m) => allChecks(m).flatMap((c) => c.guardrails ?? []));
  expect(named.length).toBeGreaterThan(0);
  for (const g of named) expect([g, ids.has(g)]).toEqual([g, true]);
});

test('the stub binary loads the same manifest: every check kind known, the same counts per type', () => {
  const { binary } = ensureStub();
  const r = run(binary, ['-check-manifest'], ROOT);
  expect(r.stderr).toBe('');
  const summary = JSON.parse(r.stdout) as {
    kinds: string[];
    types: Record<string, { attributes: number; checks: number; enforced: number }>;
  };
  for (const m of manifests) {
    const top = [...Object.values(m.attributes).flatMap((a) => a.checks ?? []), ...(m.config_rules ?? []), ...(m.plan_rules ?? [])];
    expect(summary.types[manifestKey(m)]).toEqual({
      attributes: Object.keys(m.attributes).length,
      checks: top.length,
      enforced: top.filter((c) => c.stub !== false).length,
    });
    for (const c of allChecks(m)) expect([m.file, c.check, summary.kinds.includes(c.check)]).toEqual([m.file, c.check, true]);
  }
});

test('the stub enforces at least 90% of the provider checks on the attributes the stacks set', () => {
  const cov = coverage(countedChecks(manifests, set));
  expect(cov.total).toBeGreaterThan(100);
  expect(cov.percent).toBeGreaterThanOrEqual(90);
});
