/**
 * The defect corpus (defects.json): single defects planted in synthesized stacks, each a mistake
 * the real AWS or archive provider rejects at `terraform validate` or `terraform plan` (cited to
 * the provider check), plus mistakes that pass both and fail only at apply (cited to the AWS API).
 * Real Terraform 1.11 with the stub provider must reject each plan-time defect in its phase, with
 * an error naming the planted resource, the attribute and the provider's words, and accept each
 * apply-only one. The defects run batched (tools/validate/corpus.ts): a dozen Terraform runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CorpusRun, type Defect, getPath, namesAttribute, original, runCorpus } from '../../tools/validate/corpus';
import { loadManifests, manifestKey } from '../../tools/validate/manifest';
import { formatDiagnostic, preparePlugins, ROOT, run } from '../../tools/validate/terraform';

jest.setTimeout(600_000);

const defects = JSON.parse(readFileSync(path.join(__dirname, 'defects.json'), 'utf8')) as Defect[];
const planTime = defects.filter((d) => d.phase !== 'apply');
const applyOnly = defects.filter((d) => d.phase === 'apply');
const stackJson = (base: string) => JSON.parse(readFileSync(path.join(ROOT, 'cdktf.out', 'stacks', base, 'cdk.tf.json'), 'utf8'));
let result: CorpusRun;

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stdout + synth.stderr);
  const bases = [...new Set(defects.map((d) => d.base))];
  // The stub serves the types the base stacks use plus every type a defect plants: the stacks no
  // longer synthesize some of them (the secret version of the RequiredWith case, since V1).
  const planted = path.join(mkdtempSync(path.join(tmpdir(), 'corpus-')), 'planted.tf.json');
  const types: Record<string, Record<string, object>> = {};
  for (const d of defects) {
    types[d.kind ?? 'resource'] ??= {};
    types[d.kind ?? 'resource'][d.type] = { x: {} };
  }
  writeFileSync(planted, JSON.stringify(types));
  const plugins = preparePlugins([...bases.map((b) => path.join(ROOT, 'cdktf.out', 'stacks', b, 'cdk.tf.json')), planted]);
  result = runCorpus(defects, plugins);
  // The wall time goes to the test log (and docs/validation.md), not into an assertion.
  console.log(`defect corpus: ${defects.length} defects, ${result.terraformRuns} Terraform runs, ${result.seconds.toFixed(1)} s`);
});

describe('the corpus itself', () => {
  test('at least 60 plan-time defects and 10 apply-only ones, each with a reason, ids unique', () => {
    expect(planTime.length).toBeGreaterThanOrEqual(60);
    expect(applyOnly.length).toBeGreaterThanOrEqual(10);
    expect(new Set(defects.map((d) => d.id)).size).toBe(defects.length);
    for (const d of defects) expect([d.id, d.why.length > 10]).toEqual([d.id, true]);
    for (const d of planTime) expect([d.id, !!d.expect]).toEqual([d.id, true]);
  });

  test('it holds the RequiredWith case: a planted secret version setting secret_string_wo_version without secret_string_wo', () => {
    const d = defects.find(
      (x) =>
        x.type === 'aws_secretsmanager_secret_version' && x.body && 'secret_string_wo_version' in x.body && !('secret_string_wo' in x.body),
    );
    expect(d?.phase).toBe('validate');
    expect(d?.attribute).toBe('secret_string_wo_version');
  });

  test('each plan-time defect is on an attribute whose manifest entry has provider checks', () => {
    const byKey = new Map(loadManifests().map((m) => [manifestKey(m), m]));
    for (const d of planTime) {
      const m = byKey.get(`${d.kind ?? 'resource'} ${d.type}`);
      const checked =
        (m?.attributes[d.attribute]?.checks ?? []).length > 0 ||
        [...(m?.config_rules ?? []), ...(m?.plan_rules ?? [])].some((c) =>
          [...(c.attributes ?? []), ...(c.keys ?? [])].includes(d.attribute),
        );
      expect([d.id, checked]).toEqual([d.id, true]);
    }
  });

  test('module literals: the literal is in the module source and is the value the stack synthesizes', () => {
    const literals = defects.filter((d) => d.literal);
    expect(literals.length).toBeGreaterThanOrEqual(3);
    for (const d of literals) {
      const src = readFileSync(path.join(ROOT, d.literal!.file), 'utf8');
      expect([d.id, src.includes(d.literal!.text)]).toEqual([d.id, true]);
      const [, body] = original(stackJson(d.base), d)!;
      const value = getPath(body, d.literal!.path);
      expect([d.id, value]).toEqual([d.id, d.literal!.value]);
    }
  });
});

describe('real Terraform with the stub provider', () => {
  test('the unbroken stacks raise no error, and every error belongs to a planted defect', () => {
    expect(result.unexplained.map(formatDiagnostic)).toEqual([]);
  });

  test.each(planTime.map((d) => [d.id, d] as const))('%s is rejected in its phase, naming the resource and the attribute', (_id, d) => {
    const r = result.results.find((x) => x.defect === d)!;
    const named = r.errors.filter((e) => namesAttribute(e, d.attribute) && `${e.summary}: ${e.detail}`.includes(d.expect!));
    expect({ errors: r.errors.map(formatDiagnostic), named: named.length > 0 }).toEqual({ errors: expect.any(Array), named: true });
    expect(named[0].address).toBe(r.address);
    // A plan-time defect passes `terraform validate`: the provider reports it only when planning.
    expect(r.earlier.map(formatDiagnostic)).toEqual([]);
  });

  test.each(applyOnly.map((d) => [d.id, d] as const))('%s passes validate and plan (AWS rejects it at apply)', (_id, d) => {
    const r = result.results.find((x) => x.defect === d)!;
    expect([...r.earlier, ...r.errors].map(formatDiagnostic)).toEqual([]);
  });

  test('the apply-only defects alone plan clean', () => {
    expect(result.applyBatches.length).toBeGreaterThan(0);
    for (const b of result.applyBatches) expect([b.base, b.ok, b.ok ? '' : b.output]).toEqual([b.base, true, '']);
  });
});
