/**
 * Synth-time guardrails: rules that AWS would otherwise enforce at apply time (or never), each
 * reported with the subject, the rule and the fix. Pure functions over plain values; the catalog
 * validator in stacks/environments/validate.ts applies them.
 */

export interface Violation {
  /** What is wrong: `secret prod/app/oauth/client-secret (production)`. */
  subject: string;
  /** Short rule id, stable for tests and docs, e.g. `SM-5 name-suffix`. */
  rule: string;
  message: string;
  fix: string;
}

export class GuardrailError extends Error {
  constructor(readonly violations: Violation[]) {
    super(
      `Synth refused: ${violations.length} guardrail violation(s); nothing was written.\n` +
        violations.map((v) => `  - ${v.subject}: [${v.rule}] ${v.message}\n    fix: ${v.fix}`).join('\n'),
    );
    this.name = 'GuardrailError';
  }
}

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Checks a secret name against Secrets Manager's rules. Returns [rule, message, fix] tuples. */
export function secretNameProblems(name: string): Array<[string, string, string]> {
  const problems: Array<[string, string, string]> = [];
  if (name.length < 1 || name.length > 512) {
    problems.push(['SM-5 name-length', `name is ${name.length} characters; Secrets Manager allows 1 to 512`, 'shorten the service/component/type parts']);
  }
  const bad = [...new Set(name.replace(/[A-Za-z0-9/_+=.@-]/g, ''))];
  if (bad.length > 0) {
    problems.push(['SM-5 name-characters', `name contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; allowed are letters, digits and /_+=.@-`, 'replace those characters, e.g. with "-"']);
  }
  // Secrets Manager appends "-" and 6 random characters to ARNs; a name that already ends like
  // that makes partial-ARN lookups ambiguous.
  if (/-[A-Za-z0-9]{6}$/.test(name)) {
    problems.push(['SM-5 name-suffix', 'name ends with "-" and six characters, which is confused with the random ARN suffix', 'change the last segment, e.g. "api-key" instead of "key-abc123"']);
  }
  return problems;
}

/** Recovery window: 7..30 days, or 0 (force delete) only where allowed (dev). */
export function recoveryWindowProblem(days: number, zeroAllowed: boolean, production: boolean): [string, string, string] | undefined {
  if (days === 0) {
    return zeroAllowed ? undefined : ['SM-4 recovery-window', 'recovery window 0 deletes the secret immediately, allowed in dev only', 'set recoveryWindowDays between 7 and 30'];
  }
  if (!Number.isInteger(days) || days < 7 || days > 30) {
    return ['SM-4 recovery-window', `recovery window ${days} is outside 7..30 days`, 'set recoveryWindowDays between 7 and 30'];
  }
  if (production && days < 30) {
    return ['SM-4 recovery-window', `production recovery window is ${days} days; deleted production secrets must stay recoverable for 30`, 'set recoveryWindowDays to 30'];
  }
  return undefined;
}

const HOURS = 3600;
/** Parses `rate(N unit)` or returns undefined; cron expressions are judged by their hour field. */
function scheduleIntervalSeconds(expression: string): number | undefined {
  const rate = /^rate\((\d+)\s+(hour|hours|day|days)\)$/.exec(expression);
  if (rate) return Number(rate[1]) * (rate[2].startsWith('hour') ? HOURS : 24 * HOURS);
  const cron = /^cron\(([^)]*)\)$/.exec(expression);
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const hours = fields[1];
  // Every N hours (`0/N`, `*/N`), or a list of hours: the smallest gap counts.
  const step = /^(?:\*|\d+)\/(\d+)$/.exec(hours);
  if (step) return Number(step[1]) * HOURS;
  if (hours === '*') return HOURS;
  if (/^\d+(,\d+)*$/.test(hours)) {
    const hs = hours.split(',').map(Number).sort((a, b) => a - b);
    if (hs.length === 1) return 24 * HOURS;
    const gaps = hs.slice(1).map((h, i) => h - hs[i]).concat(24 - hs[hs.length - 1] + hs[0]);
    return Math.min(...gaps) * HOURS;
  }
  return 24 * HOURS;
}

/** Secrets Manager's schedule bounds and Security Hub SecretsManager.4 (at least every 90 days). */
export function rotationScheduleProblems(s: { afterDays?: number; expression?: string; window?: string }): Array<[string, string, string]> {
  const problems: Array<[string, string, string]> = [];
  const both = s.afterDays !== undefined && s.expression !== undefined;
  const neither = s.afterDays === undefined && s.expression === undefined;
  if (both || neither) {
    problems.push(['SM-6 rotation-schedule', both ? 'both afterDays and expression are set' : 'neither afterDays nor expression is set', 'set exactly one of schedule.afterDays or schedule.expression']);
    return problems;
  }
  let interval: number | undefined;
  if (s.afterDays !== undefined) {
    if (!Number.isInteger(s.afterDays) || s.afterDays < 1 || s.afterDays > 1000) {
      problems.push(['SM-6 rotation-days', `afterDays ${s.afterDays} is outside 1..1000`, 'use a whole number of days from 1 to 90']);
    } else if (s.afterDays > 90) {
      problems.push(['SM-6 rotation-too-rare', `rotation every ${s.afterDays} days exceeds 90 (Security Hub SecretsManager.4)`, 'rotate at least every 90 days']);
    }
    interval = s.afterDays * 24 * HOURS;
  } else {
    interval = scheduleIntervalSeconds(s.expression!);
    if (interval === undefined) {
      problems.push(['SM-6 rotation-expression', `"${s.expression}" is neither rate(N hours|days) nor a 6-field cron()`, 'write e.g. "rate(30 days)" or "cron(0 4 ? * SUN *)"']);
    } else if (interval < 4 * HOURS) {
      problems.push(['SM-6 rotation-too-frequent', `"${s.expression}" rotates more often than every 4 hours`, 'rotate at most every 4 hours']);
    } else if (interval > 90 * 24 * HOURS) {
      problems.push(['SM-6 rotation-too-rare', `"${s.expression}" rotates less often than every 90 days`, 'rotate at least every 90 days']);
    }
  }
  if (s.window !== undefined) {
    const w = /^(\d+)h$/.exec(s.window);
    if (!w || Number(w[1]) < 1 || Number(w[1]) > 24) {
      problems.push(['SM-6 rotation-window', `window "${s.window}" is not 1h..24h`, 'write the window in hours, e.g. "3h"']);
    } else if (interval !== undefined && Number(w[1]) * HOURS > interval) {
      problems.push(['SM-6 rotation-window', `window ${s.window} is longer than the rotation interval`, 'shorten the window or rotate less often']);
    }
  }
  return problems;
}

/** Tag rules of AWS resource tagging. */
export function tagProblems(tags: Record<string, string>): Array<[string, string, string]> {
  const problems: Array<[string, string, string]> = [];
  const entries = Object.entries(tags);
  if (entries.length > 50) problems.push(['TAG-count', `${entries.length} tags; AWS allows 50`, 'drop tags or move them to default tags']);
  for (const [k, v] of entries) {
    if (k.toLowerCase().startsWith('aws:')) problems.push(['TAG-reserved', `tag key "${k}" uses the reserved aws: prefix`, 'rename the tag key']);
    if (k.length > 128) problems.push(['TAG-key-length', `tag key "${k.slice(0, 20)}..." is over 128 characters`, 'shorten the tag key']);
    if (v.length > 256) problems.push(['TAG-value-length', `tag "${k}" value is over 256 characters`, 'shorten the tag value']);
  }
  return problems;
}
