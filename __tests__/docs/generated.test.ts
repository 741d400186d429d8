/**
 * The generated parts of docs/ (rule table, shape checks, catalog fields, layer arrows,
 * cdktn versions, bench figures) are what the code and the recorded bench say now: edit the code,
 * then `npm run docs`. Everything else on those pages is written by hand.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BLOCKS, regenerate, stalePages } from '../../tools/gen/docs';
import { RULES } from '../../rules';
import { MAX_PER_SECRET_PERMISSIONS } from '../../plan/policies/rotation';
import { MIN_ENTROPY_BITS } from '../../lambdas/rotation/contract';

const root = path.resolve(__dirname, '..', '..');

describe('generated docs', () => {
  test('no generated block is stale (else run npm run docs)', () => {
    expect(stalePages()).toEqual([]);
  });

  test('a block whose source changed is reported, and its markers are required', () => {
    const page = 'docs/guardrails.md';
    const text = readFileSync(path.join(root, page), 'utf8');
    const edited = text.replace(`| \`${RULES[0].id}\` |`, '| `NOT-A-RULE` |');
    expect(edited).not.toBe(text);
    expect(regenerate(page, edited)).toBe(text);
    expect(() => regenerate(page, 'no markers here')).toThrow(/lacks the markers of block "rules"/);
  });

  test('every block has a page, and every page exists', () => {
    for (const b of BLOCKS) expect(readFileSync(path.join(root, b.page), 'utf8')).toContain(`<!-- /generated:${b.name} -->`);
  });
});

describe('figures the hand-written pages quote from the code', () => {
  const page = (p: string) => readFileSync(path.join(root, p), 'utf8');

  test('the rotation role switches to the prefix form above the limit the plan uses', () => {
    expect(page('docs/rotation.md')).toContain(`Above ${MAX_PER_SECRET_PERMISSIONS} secrets per function`);
    expect(page('docs/security.md')).toContain(`Above ${MAX_PER_SECRET_PERMISSIONS} secrets per rotation function`);
  });

  test("the entropy floor is the contract's", () => {
    expect(page('docs/rotation.md')).toContain(`${MIN_ENTROPY_BITS}-bit entropy floor`);
  });
});
