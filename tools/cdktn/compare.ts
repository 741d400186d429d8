/**
 * The comparison behind `npm run compat:cdktn`, kept free of I/O so unit tests can check that it
 * bites: structural JSON diff, path patterns, normalisation and the explained-differences list.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Segment = string | number;

/** A path pattern: `*` matches one segment, `**` any number (only as the last segment). */
export type Pattern = string[];

export interface Explained {
  file: string;
  path: Pattern;
  /** When given, the value each side must have (JSON); otherwise any value is accepted. */
  cdktf?: Json;
  cdktn?: Json;
  reason: string;
}

export interface Difference {
  file: string;
  path: Segment[];
  cdktf: Json | undefined;
  cdktn: Json | undefined;
}

export const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );

export function matches(pattern: Pattern, at: Segment[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '**' && i === pattern.length - 1) return at.length >= i;
    if (i >= at.length) return false;
    if (pattern[i] !== '*' && pattern[i] !== String(at[i])) return false;
  }
  return pattern.length === at.length;
}

/** Replaces the value at every path matching `pattern` with a placeholder; returns what was there. */
export function normalise(doc: Json, pattern: Pattern, at: Segment[] = [], found: Array<[Segment[], Json]> = []): Array<[Segment[], Json]> {
  if (doc === null || typeof doc !== 'object') return found;
  for (const [k, v] of Object.entries(doc)) {
    const here = [...at, Array.isArray(doc) ? Number(k) : k];
    if (matches(pattern, here)) {
      found.push([here, v]);
      (doc as Record<string, Json>)[k] = '<normalised>';
    } else if (pattern.length > here.length) normalise(v, pattern, here, found);
  }
  return found;
}

export function diff(file: string, a: Json | undefined, b: Json | undefined, at: Segment[], out: Difference[]) {
  const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(file, a[i], b[i], [...at, i], out);
  } else if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diff(file, a[k], b[k], [...at, k], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ file, path: at, cdktf: a, cdktn: b });
  }
}

export function explain(
  diffs: Difference[],
  list: Explained[],
): { unexplained: Difference[]; unused: Explained[]; used: Map<Explained, number> } {
  const used = new Map<Explained, number>();
  const unexplained: Difference[] = [];
  for (const d of diffs) {
    const e = list.find(
      (x) =>
        globToRegExp(x.file).test(d.file) &&
        matches(x.path, d.path) &&
        (x.cdktf === undefined || JSON.stringify(x.cdktf) === JSON.stringify(d.cdktf ?? null)) &&
        (x.cdktn === undefined || JSON.stringify(x.cdktn) === JSON.stringify(d.cdktn ?? null)),
    );
    if (e) used.set(e, (used.get(e) ?? 0) + 1);
    else unexplained.push(d);
  }
  return { unexplained, unused: list.filter((x) => !used.has(x)), used };
}
