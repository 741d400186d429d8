/**
 * Secrets Manager schedule expressions, parsed as the service documents them (Secrets Manager
 * User Guide, "Rotation schedules"; the cron grammar is EventBridge's):
 * - `rate(Value Unit)`, Unit `hour|hours|day|days` (singular for 1, plural otherwise, as
 *   EventBridge requires);
 * - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: minutes must be 0 (windows open
 *   on the hour), year must be `*`; hours 0-23 `, - * /`; day-of-month 1-31 `, - * ? / L W`;
 *   month 1-12 or JAN-DEC `, - * /`; day-of-week 1-7 or SUN-SAT `, - * ? / L #`; exactly one of
 *   day-of-month and day-of-week is `?`. Hour increments restart each day (`4/12` = 04:00, 16:00).
 *
 * The real frequency of a cron is found by listing its firings over four years (leap day and
 * every weekday/date combination included), so ranges, steps, lists and month restrictions all
 * count: the shortest and the longest gap between two rotations are exact.
 */

import type { SecretPlan } from '../plan/types';

export type ParsedSchedule =
  | { kind: 'rate'; unit: 'hours' | 'days'; value: number }
  | { kind: 'cron'; hours: number[]; matchesDay: (d: Date) => boolean; source: string };

export interface ScheduleError {
  /** What is wrong, in one sentence. */
  message: string;
  fix: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type FieldResult = { values: Set<number> } | { error: string };

/** A list field of `, - * /` over [min, max], with optional names. */
function listField(text: string, min: number, max: number, names: string[] = [], nameBase = 1): FieldResult {
  const values = new Set<number>();
  const num = (t: string): number | undefined => {
    const i = names.indexOf(t.toUpperCase());
    if (i >= 0) return i + nameBase;
    return /^\d+$/.test(t) ? Number(t) : undefined;
  };
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return { error: `"${part}" is not a value, range, list or increment` };
    let from = min;
    let to = max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      const fa = num(a);
      const fb = b === undefined ? undefined : num(b);
      if (fa === undefined || (b !== undefined && fb === undefined)) return { error: `"${part}" is not a value of this field` };
      from = fa;
      // `a/n` runs from a to the field's maximum.
      to = fb ?? (m[2] ? max : fa);
    }
    if (from < min || to > max || from > max || to < min) return { error: `"${part}" is outside ${min}-${max}` };
    if (from > to) return { error: `"${part}" is a range that runs backwards` };
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) return { error: `"${part}" has an increment of 0` };
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values };
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** Nearest weekday (Mon-Fri) to day `n` of the month, not leaving the month (the `W` rule). */
function nearestWeekday(y: number, m: number, n: number): number {
  const last = daysInMonth(y, m);
  const day = Math.min(n, last);
  const dow = new Date(Date.UTC(y, m, day)).getUTCDay();
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === last ? day - 2 : day + 1;
  return day;
}

function dayOfMonthField(text: string): { match: (d: Date) => boolean } | { error: string } {
  if (text === 'L') return { match: (d) => d.getUTCDate() === daysInMonth(d.getUTCFullYear(), d.getUTCMonth()) };
  if (text === 'LW')
    return {
      match: (d) =>
        d.getUTCDate() === nearestWeekday(d.getUTCFullYear(), d.getUTCMonth(), daysInMonth(d.getUTCFullYear(), d.getUTCMonth())),
    };
  const w = /^(\d{1,2})W$/.exec(text);
  if (w) {
    const n = Number(w[1]);
    if (n < 1 || n > 31) return { error: `"${text}" is outside 1-31` };
    return { match: (d) => d.getUTCDate() === nearestWeekday(d.getUTCFullYear(), d.getUTCMonth(), n) };
  }
  const r = listField(text, 1, 31);
  if ('error' in r) return r;
  return { match: (d) => r.values.has(d.getUTCDate()) };
}

function dayOfWeekField(text: string): { match: (d: Date) => boolean } | { error: string } {
  const dowNum = (t: string) => {
    const i = DAYS.indexOf(t.toUpperCase());
    return i >= 0 ? i + 1 : /^[1-7]$/.test(t) ? Number(t) : undefined;
  };
  if (text === 'L') return { match: (d) => d.getUTCDay() === 6 };
  const last = /^([A-Za-z0-9]+)L$/.exec(text);
  if (last) {
    const n = dowNum(last[1]);
    if (n === undefined) return { error: `"${text}" is not a day of the week` };
    return { match: (d) => d.getUTCDay() === n - 1 && d.getUTCDate() + 7 > daysInMonth(d.getUTCFullYear(), d.getUTCMonth()) };
  }
  const nth = /^([A-Za-z0-9]+)#(\d)$/.exec(text);
  if (nth) {
    const n = dowNum(nth[1]);
    const k = Number(nth[2]);
    if (n === undefined || k < 1 || k > 5) return { error: `"${text}" is not weekday#1-5` };
    return { match: (d) => d.getUTCDay() === n - 1 && Math.ceil(d.getUTCDate() / 7) === k };
  }
  const r = listField(text, 1, 7, DAYS);
  if ('error' in r) return r;
  return { match: (d) => r.values.has(d.getUTCDay() + 1) };
}

/** Parses a schedule expression; an error says what AWS would reject and how to write it. */
export function parseSchedule(expression: string): ParsedSchedule | ScheduleError {
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const singular = !rate[2].endsWith('s');
    if (value === 0) return { message: `"${expression}" has a rate of 0`, fix: 'use a positive number, e.g. "rate(30 days)"' };
    if (singular !== (value === 1)) {
      const unit = rate[2].replace(/s$/, '') + (value === 1 ? '' : 's');
      return { message: `"${expression}": the unit must be singular for 1 and plural otherwise`, fix: `write "rate(${value} ${unit})"` };
    }
    return { kind: 'rate', unit: rate[2].startsWith('hour') ? 'hours' : 'days', value };
  }
  if (/^rate\(/.test(expression)) {
    return {
      message: `"${expression}" is not rate(Value Unit) with a unit of hour(s) or day(s)`,
      fix: 'write e.g. "rate(12 hours)" or "rate(30 days)"; Secrets Manager takes no minutes',
    };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron)
    return { message: `"${expression}" is neither rate(...) nor cron(...)`, fix: 'write e.g. "rate(30 days)" or "cron(0 4 ? * SUN *)"' };
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return {
      message: `"${expression}" has ${fields.length} fields; a cron has 6 (minutes hours day-of-month month day-of-week year)`,
      fix: 'write e.g. "cron(0 4 ? * SUN *)"',
    };
  }
  const [min, hour, dom, month, dow, year] = fields;
  if (/^00+$/.test(min))
    return {
      message: `"${expression}": the minutes field is "${min}"; Secrets Manager's rotation schedules are documented with the minutes field exactly 0, and a zero-padded value is not guaranteed to parse`,
      fix: 'write the minutes field as 0',
    };
  if (min !== '0')
    return {
      message: `"${expression}": the minutes field is "${min}", but Secrets Manager rotation windows open on the hour`,
      fix: 'put 0 in the minutes field',
    };
  if (year !== '*')
    return {
      message: `"${expression}": the year field is "${year}"; Secrets Manager requires "*" (a schedule that stops in some year would stop rotating)`,
      fix: 'put * in the year field',
    };
  if ((dom === '?') === (dow === '?')) {
    return {
      message: `"${expression}": exactly one of day-of-month and day-of-week must be "?"`,
      fix:
        dom === '?' ? 'give the day of the week, or the day of the month' : 'put ? in the field you do not use, e.g. "cron(0 4 ? * SUN *)"',
    };
  }
  const hours = listField(hour, 0, 23);
  if ('error' in hours) return { message: `"${expression}": hours field: ${hours.error}`, fix: 'use 0-23 with , - * /' };
  const months = listField(month, 1, 12, MONTHS);
  if ('error' in months) return { message: `"${expression}": month field: ${months.error}`, fix: 'use 1-12 or JAN-DEC with , - * /' };
  const day = dom === '?' ? dayOfWeekField(dow) : dayOfMonthField(dom);
  if ('error' in day)
    return {
      message: `"${expression}": ${dom === '?' ? 'day-of-week' : 'day-of-month'} field: ${day.error}`,
      fix: dom === '?' ? 'use 1-7 or SUN-SAT with , - * / L #' : 'use 1-31 with , - * / L W',
    };
  return {
    kind: 'cron',
    hours: [...hours.values].sort((a, b) => a - b),
    matchesDay: (d) => months.values.has(d.getUTCMonth() + 1) && day.match(d),
    source: expression,
  };
}

const HOUR_MS = 3_600_000;
/** Four years from a leap year: every date, weekday and leap day occurs. */
const SPAN_START = Date.UTC(2028, 0, 1);
const SPAN_DAYS = 4 * 365 + 1;

/** Firing times (ms) of a cron over the span. */
function firings(s: Extract<ParsedSchedule, { kind: 'cron' }>): number[] {
  const out: number[] = [];
  for (let i = 0; i < SPAN_DAYS; i++) {
    const day = new Date(SPAN_START + i * 24 * HOUR_MS);
    if (s.matchesDay(day)) for (const h of s.hours) out.push(day.getTime() + h * HOUR_MS);
  }
  return out;
}

export interface Frequency {
  /** Shortest time between two rotations, in hours. */
  minHours: number;
  /** Longest time between two rotations, in hours (Infinity: fires at most once in four years). */
  maxHours: number;
  /** Start hours of the rotation windows (UTC). */
  startHours: number[];
  /** `hours`: the schedule repeats within a day (hour rates, several cron hours). */
  inHours: boolean;
}

export function frequency(s: ParsedSchedule): Frequency {
  if (s.kind === 'rate') {
    const hours = s.unit === 'hours' ? s.value : s.value * 24;
    // The window of a rate starts at midnight; an hour rate repeats within the day.
    return { minHours: hours, maxHours: hours, startHours: [0], inHours: s.unit === 'hours' };
  }
  const times = firings(s);
  if (times.length < 2) return { minHours: Infinity, maxHours: Infinity, startHours: s.hours, inHours: s.hours.length > 1 };
  let min = Infinity;
  let max = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] - times[i - 1]) / HOUR_MS;
    min = Math.min(min, gap);
    max = Math.max(max, gap);
  }
  return { minHours: min, maxHours: max, startHours: s.hours, inHours: s.hours.length > 1 };
}

/** A window duration `Nh`, 1..24; undefined when malformed. */
export function windowHours(window: string): number | undefined {
  const m = /^(\d+)h$/.exec(window);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 24 ? n : undefined;
}

/** A rotated secret's schedule, parsed: undefined parts are reported by the schedule rules. */
export function scheduleOf(schedule: { readonly afterDays?: number; readonly expression?: string }): {
  parsed?: ParsedSchedule;
  error?: ScheduleError;
  frequency?: Frequency;
} {
  if (schedule.afterDays !== undefined && schedule.expression === undefined) {
    const days = schedule.afterDays;
    if (!Number.isInteger(days) || days < 1) return {};
    const parsed: ParsedSchedule = { kind: 'rate', unit: 'days', value: days };
    return { parsed, frequency: frequency(parsed) };
  }
  if (schedule.expression !== undefined && schedule.afterDays === undefined) {
    const p = parseSchedule(schedule.expression);
    if ('message' in p) return { error: p };
    return { parsed: p, frequency: frequency(p) };
  }
  return {};
}

/** Each rotated secret with its schedule, parsed, and its window in hours (when valid). */
export function* rotationSchedules(plan: {
  readonly secrets: readonly SecretPlan[];
}): Generator<{ s: SecretPlan; sc: NonNullable<SecretPlan['spec']['rotation']>['schedule']; f?: Frequency; w?: number }> {
  for (const s of plan.secrets) {
    const sc = s.spec.rotation?.schedule;
    if (!sc) continue;
    yield { s, sc, f: scheduleOf(sc).frequency, w: sc.window === undefined ? undefined : windowHours(sc.window) };
  }
}
