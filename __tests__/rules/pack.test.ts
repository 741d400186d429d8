/** The rule pack's own shape: one rule per file, one id scheme, a fact and a page for each. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';
import { RULE_ID } from '../../rules/rule';
import { runRules } from '../../rules/run';
import { ENVIRONMENTS } from '../../catalogs';
import { planEnvironment } from '../../plan/plan';
import { formatViolation } from '../../catalogs/violation';
import { teamEnvironment } from '../support/fixtures';

const packDir = path.resolve(__dirname, '../../rules/pack');

describe('the rule pack', () => {
  test('every file in rules/pack is registered once, and holds the rule its name says', () => {
    const files = readdirSync(packDir)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(RULES.map((r) => `${r.id.toLowerCase()}.ts`).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(packDir, f), 'utf8').match(/\brule\(\{/g)).toHaveLength(1);
  });

  test('ids follow one scheme and are unique; explanations are one line; every rule cites an AWS fact and a page', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect([r.id, RULE_ID.test(r.id)]).toEqual([r.id, true]);
      expect([r.id, /\n/.test(r.explanation), r.explanation.length > 20]).toEqual([r.id, false, true]);
      expect([r.id, r.fact.limit.length > 5, r.fact.page.length > 5]).toEqual([r.id, true, true]);
    }
  });

  test('the shipped catalogs break no rule', () => {
    expect(runRules(ENVIRONMENTS.map(planEnvironment), path.resolve(__dirname, '../..')).map(formatViolation)).toEqual([]);
  });

  test('docs/guardrails.md lists every rule', () => {
    const page = readFileSync(path.resolve(__dirname, '../../docs/guardrails.md'), 'utf8');
    expect(RULES.filter((r) => !page.includes(`\`${r.id}\``)).map((r) => r.id)).toEqual([]);
  });

  test('a violation prints as one line: environment, subject, message, rule, fix', () => {
    expect(
      formatViolation({
        environment: 'production',
        secretId: 'billing_stripe_key',
        name: 'prod/billing/stripe/key',
        rule: 'CAT-ENUM',
        message: 'category "api-key" is not one of database, api-keys',
        fix: 'did you mean "api-keys"?',
      }),
    ).toBe(
      'production: secret billing_stripe_key: category "api-key" is not one of database, api-keys [CAT-ENUM] fix: did you mean "api-keys"?',
    );
    expect(formatViolation({ environment: 'dev', name: 'reader partner', rule: 'READER-ORG-ID', message: 'm', fix: '' })).toBe(
      'dev: reader partner: m [READER-ORG-ID]',
    );
  });

  test('every rule is exercised by the bad-catalog corpora, except the two that guard derived names', () => {
    const corpus = ['../proofs/corpus.test.ts', '../proofs/catalog-corpus.test.ts']
      .map((f) => readFileSync(path.resolve(__dirname, f), 'utf8'))
      .join('\n');
    expect(RULES.map((r) => r.id).filter((id) => !corpus.includes(`'${id}'`))).toEqual(['KMS-ALIAS', 'LAMBDA-NAME']);
  });

  test('the derived-name rules catch a derivation that goes wrong', () => {
    const plan = planEnvironment(teamEnvironment('production'));
    const rule = (id: string) => RULES.find((r) => r.id === id)!;
    const longName = {
      ...plan,
      rotationFunctions: [{ ...plan.rotationFunctions[0], functionName: `prod-secrets-rotation-${'x'.repeat(60)}` }],
    };
    expect([...rule('LAMBDA-NAME').check({ plan: longName, plans: [longName], repoRoot: '.' })]).toHaveLength(1);
    const awsAlias = { ...plan, keys: [{ ...plan.keys[0], alias: 'alias/aws/secretsmanager' }] };
    expect([...rule('KMS-ALIAS').check({ plan: awsAlias, plans: [awsAlias], repoRoot: '.' })]).toHaveLength(1);
    expect([...rule('KMS-ALIAS').check({ plan, plans: [plan], repoRoot: '.' })]).toHaveLength(0);
  });
});
