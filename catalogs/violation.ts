/**
 * What a guardrail reports, and the error that carries the reports to the user: one line per
 * problem, naming the environment, the secret (or other subject), the rule, and the fix.
 */

export interface Violation {
  /** The environment whose catalog breaks the rule (`production`), or `catalog #2` when unnamed. */
  readonly environment: string;
  /** The catalog id of the secret concerned, when a secret is concerned. */
  readonly secretId?: string;
  /** What the problem is about: the secret's name, or `reader partner`, `ECS service api`, ... */
  readonly name: string;
  /** The rule's id (see docs/guardrails.md), e.g. `SM-NAME-LENGTH`. */
  readonly rule: string;
  readonly message: string;
  /** What to change; empty only where no single fix is obvious. */
  readonly fix: string;
}

/** The subject of a violation as printed: `secret billing_stripe_key` or its `name`. */
function subjectOf(v: Violation): string {
  return v.secretId !== undefined ? `secret ${v.secretId}` : v.name;
}

/** One line: `production: secret billing_stripe_key: <message> [RULE] fix: <fix>`. */
export function formatViolation(v: Violation): string {
  return `${v.environment}: ${subjectOf(v)}: ${v.message} [${v.rule}]${v.fix ? ` fix: ${v.fix}` : ''}`;
}

/** Where the catalog of a shipped environment is written. */
const CATALOG_FILES: Record<string, string> = {
  dev: 'catalogs/dev.ts',
  staging: 'catalogs/staging.ts',
  production: 'catalogs/production.ts',
};

/** `production (catalogs/production.ts), dev (...)`: the catalogs the problems are in. */
function catalogsOf(violations: readonly Violation[]): string {
  return [...new Set(violations.map((v) => v.environment))].map((e) => (CATALOG_FILES[e] ? `${e} (${CATALOG_FILES[e]})` : e)).join(', ');
}

export class GuardrailError extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(
      `Synth refused: ${violations.length} problem(s) in the catalog of ${catalogsOf(violations)}; nothing was written.\n` +
        violations.map((v) => `  ${formatViolation(v)}`).join('\n'),
    );
    this.name = 'GuardrailError';
  }
}
