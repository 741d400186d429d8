/**
 * "No stack trace for any catalog input": 400 seeded random mutations of the fixture team's
 * catalogs (a value replaced by another type, an edge value, a key removed or added) must end in
 * either a valid plan or one-line problems, never an exception from the plan or the rules. The
 * property-based proofs (__tests__/proofs/catalog-properties.test.ts) go further over generated
 * catalogs: a refusal is one line naming the rule, an acceptance keeps every invariant.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import { parseCatalogs } from '../../catalogs/parse';
import { teamCatalogs } from '../support/fixtures';
import { planEnvironment } from '../../plan/plan';
import { runRules } from '../../rules/run';
import { formatViolation } from '../../catalogs/violation';

/** Mulberry32: a small seeded generator, so a failure is reproducible from its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  1e9,
  NaN,
  '',
  ' ',
  'x',
  'a'.repeat(600),
  '${var.x}',
  '*',
  'arn:aws:iam::1:role/*',
  '../../etc/passwd',
  [],
  [''],
  {},
  { kind: 'x' },
  true,
  '__proto__',
  'constructor',
  'us-east-1',
  'AKIAABCDEFGHIJKLMNOP',
];

/** Every path to a value in a JSON-like tree. */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(v)) for (const [i, x] of v.entries()) paths(x, [...prefix, i], out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function mutate(root: any, random: () => number): string {
  const all = paths(root).filter((p) => p.length > 0);
  const p = all[Math.floor(random() * all.length)];
  const parent = p.slice(0, -1).reduce((o, k) => o[k], root);
  const key = p[p.length - 1];
  const choice = random();
  if (choice < 0.15 && !Array.isArray(parent)) {
    delete parent[key];
    return `delete ${p.join('.')}`;
  }
  if (choice < 0.25 && parent && typeof parent === 'object' && !Array.isArray(parent)) {
    parent[`extra_${Math.floor(random() * 5)}`] = 1;
    return `add a field next to ${p.join('.')}`;
  }
  const value = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
  parent[key] = value;
  return `${p.join('.')} = ${JSON.stringify(value)}`;
}

describe('random catalog mistakes never throw', () => {
  const repoRoot = path.resolve(__dirname, '../..');
  test('400 seeded mutations: problems or a plan, never an exception', () => {
    const random = rng(20261125);
    const team = teamCatalogs();
    let rejected = 0;
    let synthesized = 0;
    for (let i = 0; i < 400; i++) {
      const catalogs = structuredClone(team) as any[];
      const steps = [mutate(catalogs[i % 3], random), ...(random() < 0.3 ? [mutate(catalogs[i % 3], random)] : [])];
      try {
        const { catalogs: ok, problems } = parseCatalogs(catalogs);
        const violations = problems.length > 0 ? problems : runRules(ok.map(planEnvironment), repoRoot);
        for (const v of violations) expect(formatViolation(v)).not.toMatch(/\n/);
        if (violations.length > 0) rejected++;
        // Accepted catalogs must also render: synthesize a sample of them.
        else if (synthesized++ < 4) synthApp(catalogs, { outdir: mkdtempSync(path.join(os.tmpdir(), 'fuzz-')), inventory: true });
      } catch (e) {
        throw new Error(`mutation #${i} (${steps.join('; ')}) threw: ${(e as Error).stack}`);
      }
    }
    // Most random changes are mistakes; a few (a description, an owner) are harmless.
    expect(rejected).toBeGreaterThan(200);
  });
});
