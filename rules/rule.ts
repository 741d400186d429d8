/**
 * The guardrail rule pack's shape (like cdk-nag's): one rule per file in rules/pack/, each
 * with an id, a one-line explanation, the AWS fact it encodes (the limit and the name of the
 * documentation page that states it) and a predicate over the plan that yields findings.
 */
import type { EnvironmentPlan, SecretPlan } from '../plan/types';

/** Ids: `<AREA>-<WHAT>` in capitals, e.g. `SM-NAME-LENGTH`, `SCHED-TOO-FREQUENT`. */
export const RULE_ID = /^[A-Z0-9]+(-[A-Z0-9]+)+$/;

export interface RuleContext {
  readonly plan: EnvironmentPlan;
  /** Every environment of the app (for rules across environments). */
  readonly plans: readonly EnvironmentPlan[];
  /** Where relative file paths of the catalog are resolved. */
  readonly repoRoot: string;
}

export interface Finding {
  /** For rules over every environment: which one the finding is about. */
  readonly environment?: string;
  /** The secret concerned (its catalog id). */
  readonly secretId?: string;
  /** What else it is about, when not a secret: `reader partner`, `ECS service api`. */
  readonly name?: string;
  readonly message: string;
  readonly fix: string;
}

export interface Rule {
  readonly id: string;
  /** One line: what the rule protects against. */
  readonly explanation: string;
  /** The AWS fact: the limit or behaviour, and the documentation page that states it. */
  readonly fact: { readonly limit: string; readonly page: string };
  /** `app`: evaluated once over every environment (`plan` is then the first one). */
  readonly scope?: 'environment' | 'app';
  check(ctx: RuleContext): Iterable<Finding>;
}

export const rule = (r: Rule): Rule => r;

/** A finding about a secret. */
export const onSecret = (s: Pick<SecretPlan, 'id'>, message: string, fix: string): Finding => ({ secretId: s.id, message, fix });

/** A finding about something other than a secret. */
export const on = (name: string, message: string, fix: string): Finding => ({ name, message, fix });

export const isProduction = (plan: EnvironmentPlan) => plan.environment === 'production';
