/**
 * Database password rotation, for any engine that implements `DatabaseEngine`, in the three
 * strategies the reference documents ask for:
 *
 * - single-user: the user changes its own password. If the current password no longer logs in
 *   (changed out of band, or a rotation crashed after setSecret), the previous one is tried.
 * - admin: a separate admin secret's login changes the user's password (the user needs no right
 *   to change passwords, and a leaked application login cannot rotate itself away).
 * - alternating-users: the master secret's login keeps two users, `<user>` and `<user>_clone`,
 *   with the same privileges, and each rotation switches the secret to the other one with a new
 *   password, so the previous login keeps working until the next rotation (no lock-out window
 *   for applications that cached it).
 */
import { DATABASE_PASSWORD_EXCLUDE, DATABASE_PASSWORD_LENGTH, GeneratorRules, rulesFromTags, Strategy, TAG, tagValue, TlsMode, tlsModeFromTags } from './contract';
import { RotationContext, RotationError, RotationStrategy } from './protocol';
import { AWSPREVIOUS } from './secrets-manager';
import { generateValue } from './values';

export interface DbCredentials {
  engine?: string;
  host: string;
  port?: number;
  username: string;
  password: string;
  dbname?: string;
  /** The AWS templates' name for the master secret's ARN; our catalogs use the rotation:admin-secret tag. */
  masterarn?: string;
  [key: string]: unknown;
}

export interface TlsSettings {
  mode: TlsMode;
  /** PEM bundle to trust instead of Node's (tests); in Lambda, NODE_EXTRA_CA_CERTS adds the RDS CAs. */
  ca?: string;
}

export interface ConnectOptions {
  tls: TlsSettings;
  /** Connect and statement timeout. */
  timeoutMs: number;
}

/** An open, authenticated session. Every method escapes what it is given. */
export interface DbSession {
  /** The user the server authenticated (not the one asked for). */
  currentUser(): Promise<string>;
  setOwnPassword(password: string): Promise<void>;
  /** As an admin: sets the password of every account named `username`. */
  setPassword(username: string, password: string): Promise<void>;
  userExists(username: string): Promise<boolean>;
  /** As an admin: creates `username` with the privileges of `template`. */
  createUserLike(username: string, password: string, template: string): Promise<void>;
  /** As an admin: gives `username` the privileges `template` has (additive, idempotent). */
  syncPrivileges(username: string, template: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseEngine {
  name: 'postgres' | 'mysql';
  defaultPort: number;
  maxUsernameLength: number;
  /** Opens a session or throws; a wrong password is `isAuthFailure`. */
  connect(c: DbCredentials, opts: ConnectOptions): Promise<DbSession>;
  isAuthFailure(e: unknown): boolean;
}

export const CLONE_SUFFIX = '_clone';
/** How many unlabelled versions single-user rotation tries when no labelled password logs in. */
export const UNLABELLED_FALLBACKS = 5;
export const DEFAULT_TIMEOUT_MS = 5_000;

export const DATABASE_RULES: GeneratorRules = { format: 'password', length: DATABASE_PASSWORD_LENGTH, excludeCharacters: DATABASE_PASSWORD_EXCLUDE };

export function parseCredentials(json: string, what: string): DbCredentials {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new RotationError(`${what} is not valid JSON; store {"engine","host","port","username","password","dbname"} as JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new RotationError(`${what} is not a JSON object; store {"engine","host","port","username","password","dbname"}`);
  const c = v as Record<string, unknown>;
  const missing = ['host', 'username', 'password'].filter((k) => typeof c[k] !== 'string' || c[k] === '');
  if (missing.length > 0) throw new RotationError(`${what} lacks string field(s) ${missing.join(', ')}; add them to the secret's JSON`);
  if (c.port !== undefined && !(Number.isInteger(Number(c.port)) && Number(c.port) > 0 && Number(c.port) < 65536)) {
    throw new RotationError(`${what} has port ${JSON.stringify(c.port)}, not a TCP port; fix the secret's JSON`);
  }
  return { ...(c as DbCredentials), port: c.port === undefined ? undefined : Number(c.port) };
}

/** Runs `fn` on a session and closes it on every path. */
async function withSession<T>(engine: DatabaseEngine, c: DbCredentials, opts: ConnectOptions, fn: (s: DbSession) => Promise<T>): Promise<T> {
  const session = await engine.connect(c, opts);
  try {
    return await fn(session);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Whether `c` logs in; other failures (network, TLS) are errors, not a "no". */
async function logsIn(engine: DatabaseEngine, c: DbCredentials, opts: ConnectOptions): Promise<boolean> {
  try {
    await withSession(engine, c, opts, async () => undefined);
    return true;
  } catch (e) {
    if (engine.isAuthFailure(e)) return false;
    throw e;
  }
}

export interface DatabaseStrategyOptions {
  engine: DatabaseEngine;
  strategy: Strategy;
  /** Overrides the CA bundle (tests); TLS mode comes from the secret's rotation:tls tag. */
  ca?: string;
  timeoutMs?: number;
}

export function databaseStrategy(o: DatabaseStrategyOptions): RotationStrategy {
  const { engine } = o;
  const connectOptions = (ctx: RotationContext): ConnectOptions => {
    const mode = tlsModeFromTags(ctx.secret.Tags);
    if (mode !== 'verify-full') ctx.log.warn('database TLS is not verifying the server', { tls: mode });
    return { tls: { mode, ca: o.ca }, timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  };
  const describe = (c: DbCredentials) => `${c.username}@${c.host}:${c.port ?? engine.defaultPort}`;
  const sameServer = (a: DbCredentials, b: DbCredentials) => a.host === b.host && (a.port ?? engine.defaultPort) === (b.port ?? engine.defaultPort);

  const adminOf = async (ctx: RotationContext, current: DbCredentials) => {
    const id = tagValue(ctx.secret.Tags, TAG.adminSecret) ?? current.masterarn;
    if (!id) throw new RotationError(`secret ${ctx.secret.Name}: strategy ${o.strategy} needs an admin secret; set the catalog's rotation.adminSecret (tag ${TAG.adminSecret})`);
    const admin = await ctx.otherSecret(id);
    const what = (stage: string) => `admin secret ${admin.name} (${stage})`;
    const logins = [parseCredentials(admin.current, what('AWSCURRENT'))];
    // The admin secret may itself be mid-rotation or changed out of band: its previous login is a fallback.
    if (admin.previous) {
      try {
        logins.push(parseCredentials(admin.previous, what(AWSPREVIOUS)));
      } catch {
        /* a malformed previous admin value is no fallback */
      }
    }
    for (const l of logins) {
      if (!sameServer(l, current)) throw new RotationError(`secret ${ctx.secret.Name}: admin secret ${admin.name} is for ${l.host}:${l.port ?? engine.defaultPort}, not this secret's server ${current.host}:${current.port ?? engine.defaultPort}`);
    }
    return { name: admin.name, logins };
  };

  /** Runs `fn` as the admin, trying its current then its previous login. */
  const asAdmin = async <T>(ctx: RotationContext, current: DbCredentials, fn: (s: DbSession) => Promise<T>): Promise<T> => {
    const admin = await adminOf(ctx, current);
    const opts = connectOptions(ctx);
    for (const login of admin.logins) {
      try {
        return await withSession(engine, { ...login, dbname: login.dbname ?? current.dbname }, opts, fn);
      } catch (e) {
        if (!engine.isAuthFailure(e)) throw e;
        ctx.log.warn('admin login refused; trying the next', { admin: admin.name });
      }
    }
    throw new RotationError(`secret ${ctx.secret.Name}: neither the current nor the previous login of admin secret ${admin.name} is accepted by ${current.host}; fix the admin secret's password, then retry`);
  };

  const baseName = (username: string) => (username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username);

  return {
    async createValue(ctx, current) {
      const c = parseCredentials(current!, `secret ${ctx.secret.Name} (AWSCURRENT)`);
      const rules = rulesFromTags(ctx.secret.Tags, DATABASE_RULES);
      let username = c.username;
      if (o.strategy === 'alternating-users') {
        const base = baseName(c.username);
        username = c.username === base ? base + CLONE_SUFFIX : base;
        if (username.length > engine.maxUsernameLength) {
          throw new RotationError(`secret ${ctx.secret.Name}: user ${username} would be longer than ${engine.name}'s ${engine.maxUsernameLength} characters; shorten the user name`);
        }
      }
      return JSON.stringify({ ...c, username, password: generateValue(rules) });
    },

    async setValue(ctx, pendingText) {
      const pending = parseCredentials(pendingText, `secret ${ctx.secret.Name} (AWSPENDING)`);
      const current = parseCredentials((await ctx.value('AWSCURRENT'))!, `secret ${ctx.secret.Name} (AWSCURRENT)`);
      if (!sameServer(pending, current)) throw new RotationError(`secret ${ctx.secret.Name}: the pending value points at ${pending.host}, the current at ${current.host}; a rotation never moves a secret between servers`);
      const opts = connectOptions(ctx);

      if (o.strategy === 'alternating-users') {
        const base = baseName(current.username);
        if (pending.username === current.username || baseName(pending.username) !== base) {
          throw new RotationError(`secret ${ctx.secret.Name}: alternating-users rotation must switch ${current.username} to ${base === current.username ? base + CLONE_SUFFIX : base}, but the pending value names ${pending.username}`);
        }
        await asAdmin(ctx, current, async (s) => {
          if (await s.userExists(pending.username)) {
            await s.setPassword(pending.username, pending.password);
            await s.syncPrivileges(pending.username, current.username);
          } else {
            await s.createUserLike(pending.username, pending.password, current.username);
            ctx.log.info('created the alternate user', { user: pending.username });
          }
        });
        return;
      }

      if (pending.username !== current.username) {
        throw new RotationError(`secret ${ctx.secret.Name}: the pending value names user ${pending.username}, the current ${current.username}; ${o.strategy} rotation changes one user's password only`);
      }
      if (o.strategy === 'admin') {
        await asAdmin(ctx, current, (s) => s.setPassword(pending.username, pending.password));
        return;
      }

      // single-user. Already set (a retry after a crash)?
      if (await logsIn(engine, pending, opts)) {
        ctx.log.info('pending password already accepted');
        return;
      }
      const candidates: Array<[string, DbCredentials]> = [['AWSCURRENT', current]];
      const addCandidate = (stage: string, text: string | undefined) => {
        if (text === undefined) return;
        try {
          const c = parseCredentials(text, `secret ${ctx.secret.Name} (${stage})`);
          if (c.username === pending.username && sameServer(c, pending)) candidates.push([stage, c]);
        } catch {
          /* a malformed value is no fallback */
        }
      };
      addCandidate(AWSPREVIOUS, await ctx.value(AWSPREVIOUS, { optional: true }));
      const tryLogin = async ([stage, login]: [string, DbCredentials]) => {
        try {
          await withSession(engine, { ...login, dbname: pending.dbname }, opts, async (s) => {
            await s.setOwnPassword(pending.password);
          });
          if (stage !== 'AWSCURRENT') ctx.log.warn('current password was refused; changed the password with an older one', { usedStage: stage });
          return true;
        } catch (e) {
          if (!engine.isAuthFailure(e)) throw e;
          return false;
        }
      };
      for (const c of candidates) if (await tryLogin(c)) return;
      // Last resort: the password of a rotation that a newer one replaced after its setSecret.
      for (const text of await ctx.unlabelledValues(UNLABELLED_FALLBACKS)) {
        const before = candidates.length;
        addCandidate('an unlabelled version', text);
        if (candidates.length > before && (await tryLogin(candidates[candidates.length - 1]))) return;
      }
      throw new RotationError(
        `secret ${ctx.secret.Name}: ${describe(current)} refuses the AWSCURRENT, the AWSPREVIOUS and recent unlabelled passwords, so the password cannot be changed by its own user; ` +
          'reset it with an admin login to the AWSCURRENT value (see README, runbook), then retry the rotation',
      );
    },

    async testValue(ctx, valueText) {
      const c = parseCredentials(valueText, `secret ${ctx.secret.Name}`);
      await withSession(engine, c, connectOptions(ctx), async (s) => {
        const user = await s.currentUser();
        if (user !== c.username) throw new RotationError(`secret ${ctx.secret.Name}: logged in as ${user}, expected ${c.username}`);
      }).catch((e) => {
        if (engine.isAuthFailure(e)) throw new RotationError(`secret ${ctx.secret.Name}: ${describe(c)} does not accept the tested password; setSecret has not taken effect`);
        throw e;
      });
    },
  };
}
