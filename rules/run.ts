/**
 * Runs the rule pack over the plans. Every rule sees every plan; findings become violations
 * (environment, secret, name, rule, message, fix), in rule order then catalog order.
 */
import type { EnvironmentPlan } from '../plan/types';
import { RULES } from './index';
import type { Finding, Rule } from './rule';
import type { Violation } from '../catalogs/violation';

function toViolation(rule: Rule, plan: EnvironmentPlan, f: Finding): Violation {
  const secret = f.secretId !== undefined ? plan.secrets.find((s) => s.id === f.secretId) : undefined;
  return {
    environment: f.environment ?? plan.environment,
    ...(f.secretId !== undefined ? { secretId: f.secretId } : {}),
    name: f.name ?? secret?.name ?? 'environment',
    rule: rule.id,
    message: f.message,
    fix: f.fix,
  };
}

export function runRules(plans: readonly EnvironmentPlan[], repoRoot: string, rules: readonly Rule[] = RULES): Violation[] {
  const out: Violation[] = [];
  if (plans.length === 0) return out;
  for (const rule of rules) {
    if (rule.scope === 'app') {
      for (const f of rule.check({ plan: plans[0], plans, repoRoot })) {
        const plan = plans.find((p) => p.environment === f.environment) ?? plans[0];
        out.push(toViolation(rule, plan, f));
      }
      continue;
    }
    for (const plan of plans) for (const f of rule.check({ plan, plans, repoRoot })) out.push(toViolation(rule, plan, f));
  }
  // Catalog order: by environment as given, then by secret position.
  const envOrder = new Map(plans.map((p, i) => [p.environment as string, i]));
  const secretOrder = new Map(plans.flatMap((p) => p.secrets.map((s, i) => [`${p.environment}/${s.id}`, i] as [string, number])));
  return out
    .map((v, i) => ({ v, i }))
    .sort(
      (a, b) =>
        (envOrder.get(a.v.environment) ?? 99) - (envOrder.get(b.v.environment) ?? 99) ||
        (secretOrder.get(`${a.v.environment}/${a.v.secretId}`) ?? -1) - (secretOrder.get(`${b.v.environment}/${b.v.secretId}`) ?? -1) ||
        a.i - b.i,
    )
    .map(({ v }) => v);
}
