/**
 * Does a string look like a credential? Decided by a maintained scanner's rule set, not by
 * patterns of ours: the default rules of gitleaks (MIT licence, rules/scanner/LICENSE-gitleaks),
 * kept as data in gitleaks-rules.json by tools/gen/gitleaks (regular expressions translated
 * from Go syntax by Go's own parser). This file applies them as gitleaks' detector does
 * (detect/detect.go): keyword prefilter, match, secret group, Shannon entropy, then the global
 * and per-rule allowlists. gitleaks' decoding pass (base64, hex, percent) is not applied.
 */
import data from './gitleaks-rules.json';

interface AllowlistData {
  readonly condition: string;
  readonly regexTarget?: string;
  readonly regexes?: readonly string[];
  readonly paths?: readonly string[];
  readonly stopWords?: readonly string[];
  readonly commits?: number;
}
interface RuleData {
  readonly id: string;
  readonly description: string;
  readonly regex: string;
  readonly entropy?: number;
  readonly secretGroup?: number;
  readonly keywords?: readonly string[];
  readonly allowlists?: readonly AllowlistData[];
}

export interface ScanHit {
  /** The gitleaks rule id, e.g. `stripe-access-token`. */
  readonly ruleId: string;
  readonly description: string;
}

export const SCANNER_SOURCE: string = data.source;
const RULES = data.rules as readonly RuleData[];
const GLOBAL = data.allowlists as readonly AllowlistData[];

const compiled = new Map<string, RegExp>();
/** Compiled once, on first use (most rules never pass their keyword prefilter). */
function re(source: string, flags = 'u'): RegExp {
  const key = `${flags}/${source}`;
  let r = compiled.get(key);
  if (!r) {
    r = new RegExp(source, flags);
    compiled.set(key, r);
  }
  r.lastIndex = 0;
  return r;
}

/** gitleaks' shannonEntropy: over code points, divided by the length in bytes. */
export function shannonEntropy(s: string): number {
  if (s === '') return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const inv = 1 / Buffer.byteLength(s, 'utf8');
  let e = 0;
  for (const n of counts.values()) e -= n * inv * Math.log2(n * inv);
  return e;
}

const anyMatch = (sources: readonly string[] | undefined, text: string) => text !== '' && (sources ?? []).some((s) => re(s).test(text));

/** Whether an allowlist skips a rule for the whole fragment (path criteria only; checkCommitOrPathAllowed). */
function pathAllowed(a: AllowlistData, filePath: string): boolean {
  const path = anyMatch(a.paths, filePath);
  if (a.condition !== 'AND') return path;
  if ((a.regexes ?? []).length > 0 || (a.stopWords ?? []).length > 0) return false;
  const checks = [...((a.commits ?? 0) > 0 ? [false] : []), ...((a.paths ?? []).length > 0 ? [path] : [])];
  return checks.length > 0 && checks.every(Boolean);
}

/** Whether an allowlist skips one finding (checkFindingAllowed). */
function findingAllowed(a: AllowlistData, f: { secret: string; match: string; line: string }, filePath: string): boolean {
  const target = a.regexTarget === 'match' ? f.match : a.regexTarget === 'line' ? f.line : f.secret;
  const regex = anyMatch(a.regexes, target);
  const lower = f.secret.toLowerCase();
  const stop = f.secret !== '' && (a.stopWords ?? []).some((w) => lower.includes(w));
  if (a.condition !== 'AND') return regex || stop;
  const checks = [
    ...((a.commits ?? 0) > 0 ? [false] : []),
    ...((a.paths ?? []).length > 0 ? [anyMatch(a.paths, filePath)] : []),
    ...((a.regexes ?? []).length > 0 ? [regex] : []),
    ...((a.stopWords ?? []).length > 0 ? [stop] : []),
  ];
  return checks.length > 0 && checks.every(Boolean);
}

/**
 * The gitleaks rules that find a credential in `fragment` (text as it would appear in the
 * catalog file `filePath`, e.g. `"smtp_url": "..."`); empty when none does.
 */
export function scanText(fragment: string, filePath: string): ScanHit[] {
  // Environments repeat most texts (systems shared by every catalog): each is scanned once.
  const key = `${filePath}\u0000${fragment}`;
  const known = memo.get(key);
  if (known) return known;
  const hits = scan(fragment, filePath);
  if (memo.size >= 10_000) memo.clear();
  memo.set(key, hits);
  return hits;
}

const memo = new Map<string, ScanHit[]>();

function scan(fragment: string, filePath: string): ScanHit[] {
  const hits: ScanHit[] = [];
  if (GLOBAL.some((a) => pathAllowed(a, filePath))) return hits;
  const lower = fragment.toLowerCase();
  for (const r of RULES) {
    if ((r.keywords ?? []).length > 0 && !r.keywords!.some((k) => lower.includes(k))) continue;
    if ((r.allowlists ?? []).some((a) => pathAllowed(a, filePath))) continue;
    for (const m of fragment.matchAll(re(r.regex, 'gu'))) {
      const match = m[0].replace(/^\n+|\n+$/g, '');
      const start = m.index + m[0].indexOf(match);
      const line = fragment.slice(
        fragment.lastIndexOf('\n', start - 1) + 1,
        (fragment.indexOf('\n', start + match.length) + 1 || fragment.length + 1) - 1,
      );
      let secret = match;
      const groups = re(r.regex).exec(match);
      if (groups && groups.length >= 2) {
        if ((r.secretGroup ?? 0) > 0) {
          if (groups.length <= r.secretGroup!) continue;
          secret = groups[r.secretGroup!] ?? '';
        } else secret = groups.slice(1).find((g) => g !== undefined && g.length > 0) ?? secret;
      }
      if (r.entropy && shannonEntropy(secret) <= r.entropy) continue;
      const f = { secret, match, line };
      if (GLOBAL.some((a) => findingAllowed(a, f, filePath)) || (r.allowlists ?? []).some((a) => findingAllowed(a, f, filePath))) continue;
      hits.push({ ruleId: r.id, description: r.description });
      break;
    }
  }
  return hits;
}
