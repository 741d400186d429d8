/** What several value rules read from a planned value: generators, deploy-time names, secret-looking text. */
import type { PasswordRules, PlannedValue } from '../plan/types';
import { valueSources } from '../plan/values';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** GetRandomPassword's punctuation (Secrets Manager API Reference: GetRandomPassword, ExcludePunctuation). */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The character types GetRandomPassword includes (include_space is off). */
export function characterTypes(excludePunctuation: boolean): Array<[string, string]> {
  const types: Array<[string, string]> = [
    ['uppercase', UPPER],
    ['lowercase', LOWER],
    ['digit', DIGITS],
  ];
  if (!excludePunctuation) types.push(['punctuation', PUNCTUATION]);
  return types;
}

/** Every generator of a value the values step writes, with the field it fills. */
export function generators(v: PlannedValue): Array<[string, PasswordRules]> {
  return valueSources(v).flatMap(([field, src]) => ('generate' in src ? [[field, src.generate] as [string, PasswordRules]] : []));
}

/** Names in DEPLOY_TIME_VALUES a value is supplied through. */
export function deployTimeNames(v: PlannedValue): string[] {
  return valueSources(v).flatMap(([, src]) => ('deployTime' in src ? [src.deployTime] : []));
}

/** What tools/ci/values.cjs accepts as a DEPLOY_TIME_VALUES name (its INPUT_NAME). */
export const DEPLOY_TIME_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'credential',
  'credentials',
  'passphrase',
  'pin',
]);

/** A key whose last word names a secret (`smtp_password`, `clientSecret`, `api-key`). */
export function looksSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? '';
  const lastTwo = words.slice(-2).join('');
  return (
    SECRET_WORDS.has(last) ||
    SECRET_WORDS.has(lastTwo) ||
    (last === 'key' && ['api', 'private', 'secret', 'access', 'signing', 'encryption'].includes(words[words.length - 2] ?? ''))
  );
}

/**
 * A credential embedded in a connection string, found by parsing it rather than by pattern: the
 * password of a URL's userinfo (RFC 3986 section 3.2.1, which deprecates it), or a parameter
 * whose name is a secret word in a URL query, a libpq `key=value` DSN or an ADO.NET / JDBC
 * `Key=Value;` string (`password=`, `Pwd=`, `sslpassword=`, `token=`). Returns what was found.
 */
export function embeddedCredential(value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url?.password) return 'a password in its URL';
  const params: Array<[string, string]> = [];
  if (url) for (const [k, v] of url.searchParams) params.push([k, v]);
  // jdbc:postgresql://host/db?password=... is not a URL to WHATWG (its scheme has no "//" after it).
  const query = /^jdbc:[^?]*\?(.*)$/i.exec(value)?.[1];
  if (query) for (const [k, v] of new URLSearchParams(query)) params.push([k, v]);
  for (const part of value.split(/[;\s]+/)) {
    const m = /^([A-Za-z][\w .-]*?)\s*=\s*(.+)$/.exec(part.trim());
    if (m) params.push([m[1], m[2]]);
  }
  const hit = params.find(([k, v]) => v.trim() !== '' && looksSecretKey(k));
  return hit ? `a ${hit[0]} parameter` : undefined;
}

/**
 * What stands where a value would be but is none: a template or placeholder (`<set by rotation>`,
 * `${DB_PASSWORD}`, `{{ secrets.X }}`, `%PASSWORD%`, `$PASSWORD`, `[redacted]`, `(see the runbook)`,
 * `***`), or a reference to where the value lives (an ARN, a URL, an e-mail address).
 */
const NOT_A_VALUE = /^(?:[<[({%$*]|arn:|[a-z][a-z0-9+.-]*:\/\/|[^@\s]+@[\w-]+(?:\.[\w-]+)+$)/i;
/** A word (`rotated`, `OAuth2`, `AES256`), a number or a number with its unit (`30d`): prose and identifiers, not credentials. */
const PROSE_PART = /^(?:\p{L}+\d{0,3}|\d+\p{L}*)$/u;

/**
 * Whether the text written after `password=` looks like a credential rather than words: at least
 * 8 characters mixing three of upper case, lower case, digits and symbols, or letters and digits
 * over 10 or more, and not only words and numbers joined by `-`, `_`, `.`, `/` or an apostrophe
 * (`32-character`, `us-east-1`, `OAuth2-client-credentials`, `prod/payments/db-2`).
 */
export function looksLikeCredential(value: string): boolean {
  if (value.length < 8 || NOT_A_VALUE.test(value)) return false;
  const letters = /\p{L}/u.test(value);
  const digits = /\d/.test(value);
  const classes = [/\p{Lu}/u, /\p{Ll}/u, /\d/, /[^\p{L}\d]/u].filter((r) => r.test(value)).length;
  if (classes < 3 && !(letters && digits && value.length >= 10)) return false;
  return !value.split(/[-_./'\u2019]/).every((part) => part === '' || PROSE_PART.test(part));
}

/**
 * `<key> <op> <value>`: a key of one or two words, `=`, `:`, `:=` or `=>`, and the value up to a
 * space or a separator, read ahead so that an assignment inside another's value (a URL's
 * `?token=`) is found too.
 */
const ASSIGNMENT = /([\p{L}\p{N}_.-]+(?: [\p{L}\p{N}_.-]+)?)[ \t]*(:=|=>|[:=])(?=[ \t]*["'`]?([^\s;&"'`]+))/gu;

/**
 * A credential written into free text (a description, a tag, a reason) as `<secret word>=<value>`
 * or `<secret word>: <value>` (`password=Summer2024!xyz`, `API key: Zx81KqPwT7mN`), which
 * gitleaks' generic rule misses when the value holds characters outside its class. Prose about
 * passwords (`password rotation every 30 days`, `password: rotated monthly`) and placeholders
 * (`password=<set by rotation>`) are not. Returns the key and operator found (`password=`),
 * never the value.
 */
export function assignedCredential(text: string): string | undefined {
  for (const m of text.matchAll(ASSIGNMENT)) {
    const value = m[3].replace(/[.,;:!?)\]}]+$/, '');
    if (looksSecretKey(m[1]) && looksLikeCredential(value)) return `${m[1]}${m[2]}`;
  }
  return undefined;
}
