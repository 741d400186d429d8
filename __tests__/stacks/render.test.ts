/** The stack renders the plan: every estimated ARN is replaced, and the documents are the plan's. */
import { ENVIRONMENTS } from '../../catalogs';
import { planEnvironment } from '../../plan/plan';
import { allPolicies, synth } from '../support/synth';

const shape = (doc: unknown) =>
  JSON.stringify(doc)
    .replace(/\$\{[^}]*\}/g, 'ARN')
    .replace(/arn:aws:(secretsmanager|kms|logs|sns):[^"]*?(?=(:\*)?")/g, 'ARN');

describe('rendering the plan', () => {
  const out = synth(ENVIRONMENTS);

  test('no estimated ARN reaches the synthesized output', () => {
    for (const [file, text] of Object.entries(out.files)) {
      if (!file.endsWith('.json')) continue;
      expect([file, /-AbCdEf\b/.test(text)]).toEqual([file, false]);
      expect([file, /key\/mrk-[0-9a-f]{32}/.test(text)]).toEqual([file, false]);
    }
  });

  test('each policy written is one of the plan documents (same statements; ARNs aside)', () => {
    for (const env of ENVIRONMENTS) {
      const planned = planEnvironment(env).documents.map((d) => shape(d.document));
      const written = allPolicies(out.stacks[env.name]);
      expect(written.length).toBeGreaterThan(5);
      for (const [where, doc] of written) {
        expect([where, planned.includes(shape(doc))]).toEqual([where, true]);
      }
    }
  });
});
