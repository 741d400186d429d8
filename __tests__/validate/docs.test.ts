/**
 * docs/validation.md is generated from the validator manifest, the synthesized stacks and the
 * defect corpus (tools/validate/docs.ts); it must match what the generator writes now.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateFromRepo, PAGE } from '../../tools/validate/docs';
import { ROOT, run } from '../../tools/validate/terraform';

jest.setTimeout(120_000);

test('docs/validation.md is up to date (regenerate: node tools/run-ts.mjs tools/validate/write-docs.ts)', () => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stdout + synth.stderr);
  expect(readFileSync(PAGE, 'utf8')).toBe(generateFromRepo());
});
