/**
 * The contract between the stacks (which configure a rotation function and tag the secrets it
 * rotates) and the handlers (which read that configuration at run time). Plain TypeScript with
 * no dependencies, so both sides import the same names and neither can drift.
 *
 * Per-secret settings travel as tags on the secret because one function rotates many secrets and
 * Lambda environment variables are capped at 4 KB. Tags can be changed by anyone allowed
 * `secretsmanager:TagResource`, so the handlers re-check every rule read from a tag (see
 * `rulesFromTags`): a tampered tag can fail a rotation, never weaken a value.
 */

/** Environment variable naming the database strategy of a function. */
export const STRATEGY_ENV = 'ROTATION_STRATEGY';
export const STRATEGIES = ['single-user', 'admin', 'alternating-users'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const HANDLERS = ['postgres', 'mysql', 'generated'] as const;
export type HandlerName = (typeof HANDLERS)[number];

export const TAG = {
  format: 'rotation:format',
  length: 'rotation:length',
  /** Characters to exclude, base64-encoded: tag values allow only letters, digits, spaces and `_.:/=+-@`. */
  exclude: 'rotation:exclude-b64',
  jsonKey: 'rotation:json-key',
  /** Name of the admin (master) secret for the `admin` and `alternating-users` strategies. */
  adminSecret: 'rotation:admin-secret',
  /** TLS mode of database connections: `verify-full` (default), `require` or `disabled`. */
  tls: 'rotation:tls',
  /** The database user the secret is for (alternating users: the base name); pinned by the catalog. */
  username: 'rotation:username',
} as const;

/** Environment variable with the weakest TLS mode the function's catalog allows (a tag cannot go lower). */
export const MIN_TLS_ENV = 'ROTATION_MIN_TLS';

/** What AWS accepts as a tag value. */
export function isTagValue(v: string): boolean {
  return /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(v);
}

export type ValueFormat = 'password' | 'alphanumeric' | 'hex' | 'base64' | 'base64url';
export const VALUE_FORMATS: readonly ValueFormat[] = ['password', 'alphanumeric', 'hex', 'base64', 'base64url'];

export interface GeneratorRules {
  format: ValueFormat;
  /** Characters of the value (for hex/base64 formats, of the encoded text). */
  length: number;
  excludeCharacters?: string;
  /** For JSON secrets: the key whose value is regenerated; the other keys are kept. */
  jsonKey?: string;
}

export type TlsMode = 'verify-full' | 'require' | 'disabled';
export const TLS_MODES: readonly TlsMode[] = ['verify-full', 'require', 'disabled'];

/** Secrets Manager's limit on a secret value (SecretString or SecretBinary), in bytes (Secrets Manager quotas). */
export const MAX_SECRET_VALUE_BYTES = 65_536;

/** The least entropy a generated value may have, whatever its tags say. */
export const MIN_ENTROPY_BITS = 96;
const MAX_GENERATED_LENGTH = 4096;

/** Printable ASCII without space: the alphabet `password` values draw from before exclusions. */
const PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Characters left out of database passwords: quotes and backslash (shell and SQL quoting), and the
 * characters that break connection URLs and DSNs (`@ / : ; ? # % & $` and the backtick). What is
 * left (letters, digits and 20 punctuation marks, ~6.3 bits a character) works unescaped in
 * PostgreSQL and MySQL URLs, libpq key/value strings, JDBC URLs and `.env` files.
 */
export const DATABASE_PASSWORD_EXCLUDE = '"\'\\`/@:;?#%&$';
/** Characters left out of other `password`-format values: quotes, backslash and backtick. */
export const DEFAULT_PASSWORD_EXCLUDE = '"\'\\`';
export const DATABASE_PASSWORD_LENGTH = 32;

/** The characters a value of this format may contain. */
export function alphabet(format: ValueFormat, excludeCharacters = ''): string {
  const base =
    format === 'password'
      ? PRINTABLE
      : format === 'alphanumeric'
        ? ALNUM
        : format === 'hex'
          ? '0123456789abcdef'
          : format === 'base64'
            ? `${ALNUM}+/`
            : `${ALNUM}-_`;
  return [...base].filter((c) => !excludeCharacters.includes(c)).join('');
}

export function entropyBits(rules: Pick<GeneratorRules, 'format' | 'length' | 'excludeCharacters'>): number {
  const n = alphabet(rules.format, rules.excludeCharacters).length;
  return n < 2 ? 0 : rules.length * Math.log2(n);
}

/** Problems with a set of rules, as sentences; empty when the rules are sound. */
export function rulesProblems(r: GeneratorRules): string[] {
  const out: string[] = [];
  if (!VALUE_FORMATS.includes(r.format)) out.push(`format "${r.format}" is not one of ${VALUE_FORMATS.join(', ')}`);
  if (!Number.isInteger(r.length) || r.length < 1 || r.length > MAX_GENERATED_LENGTH)
    out.push(`length ${r.length} is outside 1..${MAX_GENERATED_LENGTH}`);
  // Encodings of random bytes cannot leave characters out; only password and alphanumeric values can.
  if (r.excludeCharacters && (r.format === 'hex' || r.format === 'base64' || r.format === 'base64url')) {
    out.push(`format ${r.format} encodes random bytes and cannot exclude characters; use format password or alphanumeric`);
  }
  if (out.length === 0 && entropyBits(r) < MIN_ENTROPY_BITS) {
    out.push(`${r.length} ${r.format} characters carry ${Math.floor(entropyBits(r))} bits of entropy, fewer than ${MIN_ENTROPY_BITS}`);
  }
  return out;
}

export function rulesToTags(r: GeneratorRules): Record<string, string> {
  const tags: Record<string, string> = { [TAG.format]: r.format, [TAG.length]: String(r.length) };
  if (r.excludeCharacters) tags[TAG.exclude] = Buffer.from(r.excludeCharacters, 'utf8').toString('base64');
  if (r.jsonKey) tags[TAG.jsonKey] = r.jsonKey;
  return tags;
}

export type Tags = Array<{ Key?: string; Value?: string }> | undefined;

export function tagValue(tags: Tags, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Generator rules from a secret's tags, with `fallback` for what the tags leave out. */
export function rulesFromTags(tags: Tags, fallback: GeneratorRules): GeneratorRules {
  const formatTag = tagValue(tags, TAG.format);
  const lengthTag = tagValue(tags, TAG.length);
  const excludeTag = tagValue(tags, TAG.exclude);
  // The fallback's exclusions belong to the fallback's format: a tagged format brings its own.
  const fallbackExclude = formatTag === undefined ? fallback.excludeCharacters : undefined;
  const rules: GeneratorRules = {
    format: (formatTag ?? fallback.format) as ValueFormat,
    length: lengthTag === undefined ? fallback.length : Number(lengthTag),
    excludeCharacters: excludeTag === undefined ? fallbackExclude : Buffer.from(excludeTag, 'base64').toString('utf8'),
    jsonKey: tagValue(tags, TAG.jsonKey) ?? fallback.jsonKey,
  };
  const problems = rulesProblems(rules);
  if (problems.length > 0) {
    throw new Error(
      `generator rules from the secret's rotation:* tags are unsafe: ${problems.join('; ')}. Fix the tags (they are set by the catalog; re-deploy) `,
    );
  }
  return rules;
}

/**
 * The TLS mode for a secret: its tag, which may not be weaker than `floor` (the function's
 * environment, set from the catalog), so a tag changed by hand can only fail a rotation.
 */
export function tlsModeFromTags(tags: Tags, floor: TlsMode = 'verify-full'): TlsMode {
  const v = tagValue(tags, TAG.tls) ?? 'verify-full';
  if (!TLS_MODES.includes(v as TlsMode))
    throw new Error(`tag ${TAG.tls}="${v}" is not one of ${TLS_MODES.join(', ')}; fix the catalog's rotation.tls and re-deploy`);
  if (TLS_MODES.indexOf(v as TlsMode) > TLS_MODES.indexOf(floor)) {
    throw new Error(
      `tag ${TAG.tls}="${v}" is weaker than this function allows (${floor}); the tag was changed outside the catalog: re-deploy`,
    );
  }
  return v as TlsMode;
}

/** The weakest of some TLS modes (the floor a function rotating all of them needs). */
export function weakestTls(modes: TlsMode[]): TlsMode {
  return modes.reduce<TlsMode>((w, m) => (TLS_MODES.indexOf(m) > TLS_MODES.indexOf(w) ? m : w), 'verify-full');
}
