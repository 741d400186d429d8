/**
 * The validator manifest (tools/tf-stub/checks/<kind>.<type>.json), read from TypeScript: the
 * plan-time checks the real providers make on the attributes our stacks set, with where each was
 * read in the provider's source, the catalog guardrails that catch the same mistake earlier, and
 * the attributes the provider does not check at all. The stub embeds the same files (manifest.go)
 * and enforces them; this side feeds the docs page, the coverage figure and the tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Kind, SetAttributes } from './attributes';
import { ROOT } from './terraform';

export const CHECKS_DIR = path.join(ROOT, 'tools', 'tf-stub', 'checks');

export interface Source {
  repo: string;
  path: string;
  commit: string;
  version?: string;
  note?: string;
}

export interface Check {
  check: string;
  min?: number;
  max?: number;
  ints?: number[];
  values?: string[];
  pattern?: string;
  ignore_case?: boolean;
  message?: string;
  keys?: string[];
  any?: Check[];
  all?: Check[];
  rule?: string;
  attributes?: string[];
  each?: boolean;
  diag_key?: boolean;
  source?: string;
  line?: number;
  guardrails?: string[];
  note?: string;
  stub?: boolean;
}

export interface AttributeEntry {
  source?: string;
  line?: number;
  none?: string;
  checks?: Check[];
}

export interface Manifest {
  kind: Kind;
  type: string;
  provider: string;
  wording: 'sdkv2' | 'framework';
  sources: Record<string, Source>;
  attributes: Record<string, AttributeEntry>;
  config_rules?: Check[];
  plan_rules?: Check[];
  file: string;
}

export function loadManifests(dir = CHECKS_DIR): Manifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Omit<Manifest, 'file'>), file: f }));
}

export const manifestKey = (m: Pick<Manifest, 'kind' | 'type'>): string => `${m.kind} ${m.type}`;

/** Which layer catches a mistake this check guards against: the catalog guardrails, the stub, both, or neither before the real provider. */
export function layerOf(c: Check): 'both' | 'stub' | 'guardrail' | 'provider only' {
  const stub = c.stub !== false;
  const guard = (c.guardrails ?? []).length > 0;
  return stub && guard ? 'both' : stub ? 'stub' : guard ? 'guardrail' : 'provider only';
}

const list = (xs: (string | number)[], max = 8): string =>
  xs.length > max ? `${xs.slice(0, max).join(', ')}, … (${xs.length} values)` : xs.join(', ');

/** A check in words, for the docs table. */
export function describeCheck(c: Check): string {
  switch (c.check) {
    case 'int_between':
      return `integer ${c.min}–${c.max}`;
    case 'int_at_least':
      return `integer ≥ ${c.min}`;
    case 'int_in_slice':
      return `one of ${list(c.ints ?? [], 12)}`;
    case 'int_divisible_by':
      return `a multiple of ${c.min}`;
    case 'string_len_between':
      return `length ${c.min}–${c.max}`;
    case 'string_in_slice':
      return `one of ${list(c.values ?? [])}${c.ignore_case ? ' (any case)' : ''}`;
    case 'string_match':
      return `matches \`${c.pattern}\``;
    case 'string_does_not_match':
      return `does not match \`${c.pattern}\``;
    case 'message_if_match':
      return `does not match \`${c.pattern}\``;
    case 'message_if_not_match':
      return `matches \`${c.pattern}\``;
    case 'message_if_longer':
      return `at most ${c.max} characters`;
    case 'message_if_arn':
      return 'not an ARN';
    case 'no_zero_values':
      return 'not empty';
    case 'string_not_empty':
      return 'not empty';
    case 'json':
      return 'valid JSON';
    case 'iam_policy_json':
      return 'an IAM policy JSON object (no leading space, no duplicate keys)';
    case 'event_pattern':
      return `JSON, at most ${c.max} characters normalized`;
    case 'arn':
      return 'an ARN';
    case 'account_id':
      return 'a 12-digit account ID';
    case 'base64':
      return 'base64';
    case 'url_https_no_query':
      return 'an https URL without a query';
    case 'ipv4_cidr_network':
      return 'an IPv4 CIDR network address';
    case 'lambda_function_name':
      return 'function name part at most 64 characters';
    case 'list_max_items':
      return `at most ${c.max} items`;
    case 'list_min_items':
      return `at least ${c.min} items`;
    case 'block_max_items':
      return `at most ${c.max} blocks`;
    case 'conflicts_with':
    case 'fw_conflicts_with':
      return `ConflictsWith ${(c.check === 'fw_conflicts_with' ? (c.keys ?? []).slice(1) : (c.keys ?? [])).join(', ')}`;
    case 'required_with':
      return `RequiredWith ${(c.keys ?? []).join(', ')}`;
    case 'exactly_one_of':
    case 'fw_exactly_one_of':
      return `ExactlyOneOf ${(c.keys ?? []).join(', ')}`;
    case 'at_least_one_of':
    case 'fw_at_least_one_of':
      return `AtLeastOneOf ${(c.keys ?? []).join(', ')}`;
    case 'any':
      return (c.any ?? []).map(describeCheck).join(' or ');
    case 'all':
      return (c.all ?? []).map(describeCheck).join('; ');
    case 'rule':
      return `plan rule \`${c.rule}\``;
    default:
      return c.check;
  }
}

export interface CountedCheck {
  manifest: Manifest;
  /** The attribute (or, for whole-resource rules, the attributes) the check is about. */
  attribute: string;
  where: 'attribute' | 'config' | 'plan';
  check: Check;
}

/**
 * The checks counted for coverage: every check on an attribute the stacks set, and every
 * whole-resource rule of a type they synthesize.
 */
export function countedChecks(manifests: Manifest[], set: SetAttributes): CountedCheck[] {
  const out: CountedCheck[] = [];
  for (const m of manifests) {
    const attrs = set.get(manifestKey(m));
    if (!attrs) continue;
    for (const [name, entry] of Object.entries(m.attributes)) {
      if (!attrs.has(name)) continue;
      for (const check of entry.checks ?? []) out.push({ manifest: m, attribute: name, where: 'attribute', check });
    }
    for (const check of m.config_rules ?? [])
      out.push({ manifest: m, attribute: (check.attributes ?? check.keys ?? []).join(', '), where: 'config', check });
    for (const check of m.plan_rules ?? []) out.push({ manifest: m, attribute: (check.attributes ?? []).join(', '), where: 'plan', check });
  }
  return out;
}

export function coverage(counted: CountedCheck[]): { total: number; enforced: number; percent: number } {
  const enforced = counted.filter((c) => c.check.stub !== false).length;
  return { total: counted.length, enforced, percent: counted.length === 0 ? 100 : Math.floor((1000 * enforced) / counted.length) / 10 };
}

/** Synthesized types and attributes that have no manifest entry (each must have one, checks or "none"). */
export function missingEntries(manifests: Manifest[], set: SetAttributes): string[] {
  const byKey = new Map(manifests.map((m) => [manifestKey(m), m]));
  const missing: string[] = [];
  for (const [key, attrs] of set) {
    const m = byKey.get(key);
    if (!m) {
      missing.push(`${key}: no manifest file (tools/tf-stub/checks/${key.replace(' ', '.')}.json)`);
      continue;
    }
    for (const a of attrs.keys()) if (!m.attributes[a]) missing.push(`${key}: attribute ${a} has no manifest entry`);
  }
  return missing.sort();
}

/** The citation of a check: repository, file, line and commit (or the stored copy's id when no commit was given). */
export function citation(m: Manifest, sourceKey: string | undefined, line: number | undefined): string {
  const s = m.sources[sourceKey ?? ''];
  if (!s) return '';
  const at = line ? `:${line}` : '';
  const rev = s.version
    ? `${s.version}${s.commit ? ` (${s.commit.slice(0, 8)})` : ''}`
    : s.commit
      ? `@${s.commit.slice(0, 8)}`
      : `(${s.note?.match(/store ids? [\d ,and]+/)?.[0]?.trim() ?? 'stored copy'})`;
  return `${s.path}${at} ${rev}`;
}
