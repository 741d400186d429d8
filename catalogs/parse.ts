/**
 * The boundary: every catalog is checked against the schema before anything is derived from
 * it. A catalog that does not fit gets one line per problem, naming the environment, the
 * secret (or reader), the field, what was found and what is allowed, and never reaches the plan.
 */
import * as v from 'valibot';
import type { EnvironmentConfig } from './types';
import type { Violation } from './violation';
import { EnvironmentSchema } from './schema';

/**
 * Every code the shape check reports, with what it means and the usual fix: the one list of them.
 * docs/guardrails.md's "Shape checks" table is generated from it (`npm run docs`), and a
 * violation below can only carry one of these ids.
 */
export const SHAPE_CHECKS = [
  {
    id: 'CAT-UNKNOWN-FIELD',
    meaning:
      'A field the schema does not have, at any depth (usually a misspelt one, which would otherwise be ignored and leave the intended setting at its default).',
    fix: 'Use the field the message suggests ("did you mean ..."), or remove it; catalog.md lists every field.',
  },
  {
    id: 'CAT-REQUIRED',
    meaning:
      "A required field is missing (a secret's `description`, `category`, `value`; an environment's `breakGlass`; a rotation's `schedule`, ...).",
    fix: 'Set the field the message names.',
  },
  {
    id: 'CAT-ENUM',
    meaning:
      "A field that takes one of a fixed list of values (`category`, `value.kind`, `rotation.strategy`, `engine`, `tls`, an environment's `name`, ...) has another value.",
    fix: 'Use one of the values the message lists; a near miss gets "did you mean ...".',
  },
  {
    id: 'CAT-SHAPE',
    meaning:
      'A field has the wrong type: a string where a number or list belongs, a fraction where a whole number does, NaN or Infinity, `null`, or a catalog or secret that is not an object.',
    fix: "Write the field as the type the message expects (catalog.md gives each field's type).",
  },
] as const;

/** The id of a shape check (`CAT-SHAPE`, ...). */
export type ShapeCheckId = (typeof SHAPE_CHECKS)[number]['id'];

/** Every field name the schema knows, for "did you mean" suggestions. */
const KNOWN_FIELDS: readonly string[] = (() => {
  const names = new Set<string>();
  const walk = (schema: unknown, depth: number): void => {
    if (!schema || typeof schema !== 'object' || depth > 12) return;
    const s = schema as {
      entries?: Record<string, unknown>;
      options?: unknown[];
      item?: unknown;
      value?: unknown;
      wrapped?: unknown;
      pipe?: unknown[];
    };
    if (s.entries)
      for (const [k, e] of Object.entries(s.entries)) {
        names.add(k);
        walk(e, depth + 1);
      }
    if (Array.isArray(s.options)) for (const o of s.options) walk(o, depth + 1);
    for (const inner of [s.item, s.value, s.wrapped]) walk(inner, depth + 1);
    if (Array.isArray(s.pipe)) for (const p of s.pipe.slice(1)) walk(p, depth + 1);
  };
  walk(EnvironmentSchema, 0);
  return [...names];
})();

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** The closest of `candidates` to `word`, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** `("a" | "b")` → ['a', 'b']; undefined when `expected` is not a list of literals. */
function literalOptions(expected: string | null): string[] | undefined {
  if (!expected) return undefined;
  const parts = expected.replace(/[()]/g, '').split(' | ');
  if (!parts.every((p) => /^"[^"]*"$/.test(p))) return undefined;
  return parts.map((p) => p.slice(1, -1));
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

const expectedText = (expected: string | null): string =>
  (expected ?? 'another value')
    .replace(/\bArray\b/g, 'a list')
    .replace(/\bObject\b/g, 'an object')
    .replace(/^\((.*)\)$/, '$1');

type PathItem = { key?: unknown; origin?: string };

/** Turns a schema issue into a violation: the subject from the path, then the field. */
function issueToViolation(environment: string, raw: unknown, issue: v.BaseIssue<unknown>): Violation & { rule: ShapeCheckId } {
  const path = (issue.path ?? []) as PathItem[];
  const keys = path.map((p) => p.key);
  let secretId: string | undefined;
  let name = 'catalog';
  let fieldKeys = keys;
  const root = raw as Record<string, unknown> | undefined;
  if (keys[0] === 'secrets' && typeof keys[1] === 'number') {
    const entry = Array.isArray(root?.secrets) ? (root!.secrets as unknown[])[keys[1]] : undefined;
    const id = entry && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && id) secretId = id;
    name = secretId !== undefined ? `secret ${secretId}` : `secrets[${keys[1]}]`;
    fieldKeys = keys.slice(2);
  } else if (keys[0] === 'readers' && typeof keys[1] === 'string' && keys.length > 2) {
    name = `reader ${keys[1]}`;
    fieldKeys = keys.slice(2);
  }
  const field =
    fieldKeys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(the whole entry)';
  const base = { environment, ...(secretId !== undefined ? { secretId } : {}), name };

  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const key = String(keys[keys.length - 1]);
    const guess = closest(key, KNOWN_FIELDS);
    return {
      ...base,
      rule: 'CAT-UNKNOWN-FIELD',
      message: `unknown field "${fieldKeys.map(String).join('.')}"`,
      fix: guess ? `did you mean "${guess}"? (or remove it)` : 'remove it; see catalogs/schema.ts for the fields a catalog takes',
    };
  }
  if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) {
    // valibot reports NaN as "expected number" and Infinity (through a union) as "another value".
    return {
      ...base,
      rule: 'CAT-SHAPE',
      message: `${field} is ${describe(issue.input)}; expected a finite number`,
      fix: `write ${field} as a finite number (JSON has no NaN or Infinity)`,
    };
  }
  const options = literalOptions(issue.expected);
  if (issue.input === undefined && !(issue.type === 'variant' && options)) {
    // For a missing key valibot's `expected` is the key itself; the type is in the schema's docs.
    const what = issue.expected && issue.expected !== `"${String(keys[keys.length - 1])}"` ? ` (${expectedText(issue.expected)})` : '';
    return { ...base, rule: 'CAT-REQUIRED', message: `${field} is required${what}`, fix: `set ${field} (see catalogs/schema.ts)` };
  }
  if (options) {
    const guess = typeof issue.input === 'string' ? closest(issue.input, options) : undefined;
    return {
      ...base,
      rule: 'CAT-ENUM',
      message: `${field} ${describe(issue.input)} is not one of ${options.join(', ')}`,
      fix: guess ? `did you mean "${guess}"?` : `use one of ${options.join(', ')}`,
    };
  }
  return {
    ...base,
    rule: 'CAT-SHAPE',
    message: `${field} is ${describe(issue.input)}; expected ${expectedText(issue.expected)}`,
    fix: `make ${field} ${expectedText(issue.expected)}`,
  };
}

/** The name a catalog is known by in messages: its `name` when usable, else its position. */
function environmentLabel(raw: unknown, index: number): string {
  const n = raw && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  return typeof n === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(n) ? n : `catalog #${index + 1}`;
}

export interface ParsedCatalogs {
  /** The catalogs that fit the schema (all of them when `problems` is empty). */
  readonly catalogs: EnvironmentConfig[];
  readonly problems: Violation[];
}

/** Checks every catalog against the schema; collects every problem of every catalog. */
export function parseCatalogs(inputs: readonly unknown[]): ParsedCatalogs {
  const catalogs: EnvironmentConfig[] = [];
  const problems: Violation[] = [];
  inputs.forEach((raw, i) => {
    const environment = environmentLabel(raw, i);
    const result = v.safeParse(EnvironmentSchema, raw, { abortEarly: false });
    if (result.success) catalogs.push(result.output);
    else problems.push(...result.issues.map((issue) => issueToViolation(environment, raw, issue)));
  });
  return { catalogs, problems };
}
