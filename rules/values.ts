/** What several value rules read from a planned value: generators, variables, secret-looking text. */
import type { PasswordRules } from '../plan/types';
import type { PlannedValue } from '../plan/types';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** GetRandomPassword's punctuation (Secrets Manager API Reference: GetRandomPassword, ExcludePunctuation). */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The character types GetRandomPassword includes (include_space is off). */
export function characterTypes(excludePunctuation: boolean): Array<[string, string]> {
  const types: Array<[string, string]> = [['uppercase', UPPER], ['lowercase', LOWER], ['digit', DIGITS]];
  if (!excludePunctuation) types.push(['punctuation', PUNCTUATION]);
  return types;
}

/** Every apply-time generator of a value, with the field it fills. */
export function generators(v: PlannedValue): Array<[string, PasswordRules]> {
  if (v.kind === 'text' && 'generate' in v.source) return [['value', v.source.generate]];
  if (v.kind === 'json') return Object.entries(v.secretFields).flatMap(([k, src]) => ('generate' in src ? [[`key "${k}"`, src.generate] as [string, PasswordRules]] : []));
  return [];
}

/** Terraform variables a value is supplied through. */
export function variableNames(v: PlannedValue): string[] {
  if (v.kind === 'text' && 'variable' in v.source) return [v.source.variable];
  if (v.kind === 'json') return Object.values(v.secretFields).flatMap((src) => ('variable' in src ? [src.variable] : []));
  return [];
}

/** Names of the ephemeral random-password resources of a value (as modules/secret.ts derives them). */
export function ephemeralNames(tfId: string, v: PlannedValue): string[] {
  const name = (key: string) => `${tfId}_${key.replace(/[^A-Za-z0-9_]/g, '_')}`.toLowerCase();
  if (v.kind === 'text' && 'generate' in v.source) return [name('value')];
  if (v.kind === 'json') return Object.entries(v.secretFields).flatMap(([k, src]) => ('generate' in src ? [name(k)] : []));
  return [];
}

export const RESERVED_VARIABLES = ['source', 'version', 'providers', 'count', 'for_each', 'lifecycle', 'depends_on', 'locals'];

const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'secret', 'token', 'apikey', 'privatekey', 'credential', 'credentials', 'passphrase', 'pin']);

/** A key whose last word names a secret (`smtp_password`, `clientSecret`, `api-key`). */
export function looksSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? '';
  const lastTwo = words.slice(-2).join('');
  return SECRET_WORDS.has(last) || SECRET_WORDS.has(lastTwo) || (last === 'key' && ['api', 'private', 'secret', 'access', 'signing', 'encryption'].includes(words[words.length - 2] ?? ''));
}

/**
 * Text shaped like a well-known credential: AWS keys, Stripe, GitHub (classic and fine-grained),
 * Slack tokens and webhooks, Google API keys, JSON Web Tokens, PEM keys, and URLs that carry a
 * password (`postgres://user:password@host/db`).
 */
export function looksSecretValue(value: string): boolean {
  return [
    /^(AKIA|ASIA)[A-Z0-9]{16}$/,
    /^sk_(live|test)_[A-Za-z0-9]{10,}/,
    /^gh[pousr]_[A-Za-z0-9]{30,}/,
    /^github_pat_[A-Za-z0-9_]{30,}/,
    /^xox[abpr]-[A-Za-z0-9-]{10,}/,
    /^https:\/\/hooks\.slack\.com\/(services|workflows)\//,
    /^AIza[0-9A-Za-z_-]{35}$/,
    /(^|\s)eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i,
  ].some((r) => r.test(value));
}
