/** What the catalog corpora share: synthesize into a fresh directory, and check a refusal. */
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import { GuardrailError, type Violation } from '../../catalogs/violation';

/** Synthesizes `catalogs` into a directory that does not exist yet; returns it and the error, if any. */
export function attempt(catalogs: readonly unknown[]): { outdir: string; error: unknown } {
  const outdir = path.join(mkdtempSync(path.join(os.tmpdir(), 'corpus-')), 'out');
  try {
    synthApp(catalogs, { outdir });
    return { outdir, error: undefined };
  } catch (error) {
    return { outdir, error };
  }
}

/** What a refusal must name: the environment, and the secret or the subject (`reader org`, `network`). */
export interface Expected {
  readonly rule: string;
  readonly environment?: string;
  readonly secretId?: string;
  readonly name?: string;
}

/**
 * Asserts that synth refused with `rule` on the expected environment and secret (or subject),
 * as one line `  <env>: <subject>: <message> [RULE] fix: <fix>`, and wrote nothing. Returns the hit.
 */
export function expectRefused(catalogs: readonly unknown[], want: Expected): Violation {
  const { outdir, error } = attempt(catalogs);
  expect(error).toBeInstanceOf(GuardrailError);
  const violations = (error as GuardrailError).violations;
  const hits = violations.filter(
    (v) =>
      v.rule === want.rule &&
      (want.environment === undefined || v.environment === want.environment) &&
      (want.secretId === undefined || v.secretId === want.secretId) &&
      (want.name === undefined || v.name === want.name),
  );
  // On failure, show what was reported instead.
  expect([want.rule, hits.length > 0, violations.map((v) => `${v.environment}/${v.secretId ?? v.name}/${v.rule}`)]).toEqual([
    want.rule,
    true,
    expect.anything(),
  ]);
  const hit = hits[0];
  expect(hit.message.length).toBeGreaterThan(10);
  expect(hit.fix.length).toBeGreaterThan(5);
  const line = (error as Error).message.split('\n').find((l) => l.includes(`[${want.rule}]`) && l.startsWith(`  ${hit.environment}: `));
  expect(line).toMatch(new RegExp(`^  ${hit.environment}: .+: .+ \\[${want.rule}\\] fix: .+$`));
  expect(existsSync(outdir)).toBe(false);
  return hit;
}
