/**
 * EventBridge event-pattern matching, written from AWS's documented semantics ("Amazon EventBridge
 * event patterns" and "Content filtering"), so tests can prove a rule matches the CloudTrail event
 * it is for and not an unrelated one without calling TestEventPattern (AWS is unreachable here).
 *
 * - Every field of a pattern must match (AND); `$or` holds alternative sub-patterns, one of which
 *   must match.
 * - A field's value is an object (match the event's nested object) or an array of matchers, any
 *   one of which must match; an array in the event matches when any of its elements matches.
 * - Matchers: literal strings, numbers (compared as numbers), booleans and null; `prefix`,
 *   `suffix`, `equals-ignore-case`, `wildcard`, `anything-but` (value, list, prefix or suffix),
 *   `numeric`, `exists`, `cidr` (IPv4).
 * - A field missing from the event matches only `{ exists: false }`. `exists` applies to leaves.
 */
type Json = unknown;
type Pattern = { [k: string]: Json };

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function wildcardMatch(value: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

function numericMatch(value: Json, spec: Json[]): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const n = spec[i + 1] as number;
    const ok =
      op === '='
        ? value === n
        : op === '<'
          ? value < n
          : op === '<='
            ? value <= n
            : op === '>'
              ? value > n
              : op === '>='
                ? value >= n
                : false;
    if (!ok) return false;
  }
  return true;
}

/** One matcher against one present scalar value. */
function matchOne(value: Json, m: Json): boolean {
  if (!isObject(m)) return typeof m === 'number' && typeof value === 'number' ? m === value : m === value;
  const [op, arg] = Object.entries(m)[0];
  const str = typeof value === 'string' ? value : undefined;
  switch (op) {
    case 'prefix':
      if (isObject(arg)) return str !== undefined && str.toLowerCase().startsWith(String(arg['equals-ignore-case']).toLowerCase());
      return str !== undefined && str.startsWith(String(arg));
    case 'suffix':
      if (isObject(arg)) return str !== undefined && str.toLowerCase().endsWith(String(arg['equals-ignore-case']).toLowerCase());
      return str !== undefined && str.endsWith(String(arg));
    case 'equals-ignore-case':
      return str !== undefined && str.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return str !== undefined && wildcardMatch(str, String(arg));
    case 'anything-but':
      if (isObject(arg)) return !matchOne(value, arg);
      return !(Array.isArray(arg) ? arg : [arg]).some((a) => matchOne(value, a));
    case 'numeric':
      return numericMatch(value, arg as Json[]);
    case 'cidr': {
      const [net, bits] = String(arg).split('/');
      const v = str !== undefined ? ipv4(str) : undefined;
      const n = ipv4(net);
      if (v === undefined || n === undefined) return false;
      const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
      return (v & mask) >>> 0 === (n & mask) >>> 0;
    }
    case 'exists':
      return arg === true;
    default:
      throw new Error(`unsupported matcher ${op}`);
  }
}

function matchField(value: Json, spec: Json): boolean {
  if (isObject(spec)) {
    // An array of objects in the event (CloudTrail's `resources`) matches when any element does.
    if (Array.isArray(value)) return value.some((v) => isObject(v) && matchPattern(v, spec));
    return isObject(value) && matchPattern(value, spec);
  }
  if (!Array.isArray(spec)) throw new Error(`pattern values must be arrays or objects, got ${JSON.stringify(spec)}`);
  if (value === undefined) return spec.some((m) => isObject(m) && 'exists' in m && m.exists === false);
  if (isObject(value)) return spec.some((m) => isObject(m) && 'exists' in m && m.exists === true);
  const values = Array.isArray(value) ? value : [value];
  return spec.some((m) => values.some((v) => !(isObject(m) && 'exists' in m && m.exists === false) && matchOne(v, m)));
}

export function matchPattern(event: Record<string, Json>, pattern: Pattern): boolean {
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(spec as Pattern[]).some((alt) => matchPattern(event, alt))) return false;
      continue;
    }
    if (!matchField(event[key], spec)) return false;
  }
  return true;
}
