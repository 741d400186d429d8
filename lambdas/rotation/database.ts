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
import {
  DATABASE_PASSWORD_EXCLUDE,
  DATABASE_PASSWORD_LENGTH,
  type GeneratorRules,
  rulesFromTags,
  type Strategy,
  TAG,
  tagValue,
  type TlsMode,
  tlsModeFromTags,
} from './contract';
import { type RotationContext, RotationError, type RotationStrategy } from './protocol';
import { AWSCURRENT, AWSPREVIOUS } from './secrets-manager';
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
  /** The secret being rotated, for error messages. */
  secretName?: string;
}

/** An open, authenticated session. Every method escapes what it is given. */
export interface DbSession {
  /** The user the server authenticated (the session user, whatever role it has switched to). */
  currentUser(): Promise<string>;
  setOwnPassword(password: string): Promise<void>;
  /** As an admin: sets the password of every account named `username`. */
  setPassword(username: string, password: string): Promise<void>;
  /** Whether `username` can create users, grant, or is a superuser (never an application's user). */
  isPrivileged(username: string): Promise<boolean>;
  /**
   * As an admin: makes `username` exist wherever `template` does, with `password` and the
   * privileges of `template` (idempotent; finishes what an interrupted call started).
   */
  matchUser(username: string, password: string, template: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseEngine {
  name: 'postgres' | 'mysql';
  defaultPort: number;
  maxUsernameLength: number;
  /** Opens a session or throws; a wrong password is `isAuthFailure`. */
  connect(c: DbCredentials, opts: ConnectOptions): Promise<DbSession>;
  isAuthFailure(e: unknown): boolean;
  /** Whether `e` is the driver's timeout (of a connect or of a statement); undefined otherwise. */
  isTimeout(e: unknown): boolean;
}

export const CLONE_SUFFIX = '_clone';
/** How many unlabelled versions single-user rotation tries when no labelled password logs in. */
const UNLABELLED_FALLBACKS = 5;
const DEFAULT_TIMEOUT_MS = 5_000;

const DATABASE_RULES: GeneratorRules = {
  format: 'password',
  length: DATABASE_PASSWORD_LENGTH,
  excludeCharacters: DATABASE_PASSWORD_EXCLUDE,
};

function parseCredentials(json: string, what: string): DbCredentials {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new RotationError(`${what} is not valid JSON; store {"engine","host","port","username","password","dbname"} as JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new RotationError(`${what} is not a JSON object; store {"engine","host","port","username","password","dbname"}`);
  const c = v as Record<string, unknown>;
  const missing = ['host', 'username', 'password'].filter((k) => typeof c[k] !== 'string' || c[k] === '');
  if (missing.length > 0) throw new RotationError(`${what} lacks string field(s) ${missing.join(', ')}; add them to the secret's JSON`);
  if (c.port !== undefined && !(Number.isInteger(Number(c.port)) && Number(c.port) > 0 && Number(c.port) < 65536)) {
    throw new RotationError(`${what} has port ${JSON.stringify(c.port)}, not a TCP port; fix the secret's JSON`);
  }
  return { ...(c as DbCredentials), port: c.port === undefined ? undefined : Number(c.port) };
}

/**
 * A driver's timeout as an operator can act on it: which server, as whom, and whether it was the
 * connection or a statement that got no answer (a driver says only "timeout expired").
 */
function timeoutError(engine: DatabaseEngine, e: unknown, c: DbCredentials, opts: ConnectOptions, phase: 'connect' | 'statement'): unknown {
  if (!engine.isTimeout(e)) return e;
  const where = `${opts.secretName ? `secret ${opts.secretName}: ` : ''}database ${c.host}:${c.port ?? engine.defaultPort} did not answer: `;
  return new RotationError(
    phase === 'connect'
      ? `${where}connecting as ${c.username} timed out after ${opts.timeoutMs} ms; check that the database is running and reachable from the rotation function (security groups, subnets, route), then retry`
      : `${where}a statement timed out after ${opts.timeoutMs} ms (connected as ${c.username}); look for locks held on the user or an overloaded database, then retry`,
  );
}

/** Runs `fn` on a session and closes it on every path. */
async function withSession<T>(
  engine: DatabaseEngine,
  c: DbCredentials,
  opts: ConnectOptions,
  fn: (s: DbSession) => Promise<T>,
): Promise<T> {
  let session: DbSession;
  try {
    session = await engine.connect(c, opts);
  } catch (e) {
    throw timeoutError(engine, e, c, opts, 'connect');
  }
  try {
    return await fn(session);
  } catch (e) {
    throw timeoutError(engine, e, c, opts, 'statement');
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
  /** The weakest TLS mode a tag may ask for (the function's ROTATION_MIN_TLS). */
  minTls?: TlsMode;
}

export function databaseStrategy(o: DatabaseStrategyOptions): RotationStrategy {
  const { engine } = o;
  const connectOptions = (ctx: RotationContext): ConnectOptions => {
    const mode = tlsModeFromTags(ctx.secret.Tags, o.minTls);
    if (mode !== 'verify-full') ctx.log.warn('database TLS is not verifying the server', { tls: mode });
    return { tls: { mode, ca: o.ca }, timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS, secretName: ctx.secret.Name };
  };
  const describe = (c: DbCredentials) => `${c.username}@${c.host}:${c.port ?? engine.defaultPort}`;
  const sameServer = (a: DbCredentials, b: DbCredentials) =>
    a.host === b.host && (a.port ?? engine.defaultPort) === (b.port ?? engine.defaultPort);
  const fail = (ctx: RotationContext, message: string): never => {
    throw new RotationError(`secret ${ctx.secret.Name}: ${message}`);
  };

  /** The user this secret is for, as the catalog pinned it (alternating users: the base name). */
  const pinnedUser = (ctx: RotationContext) => tagValue(ctx.secret.Tags, TAG.username);
  const baseName = (ctx: RotationContext, username: string) =>
    pinnedUser(ctx) ?? (username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username);

  const adminOf = async (ctx: RotationContext, current: DbCredentials) => {
    const id = tagValue(ctx.secret.Tags, TAG.adminSecret) ?? current.masterarn;
    if (!id) fail(ctx, `strategy ${o.strategy} needs an admin secret; set the catalog's rotation.adminSecret (tag ${TAG.adminSecret})`);
    const admin = await ctx.otherSecret(id!);
    const what = (stage: string) => `admin secret ${admin.name} (${stage})`;
    const first = parseCredentials(admin.current, what('AWSCURRENT'));
    if (!sameServer(first, current)) {
      fail(
        ctx,
        `admin secret ${admin.name} is for ${first.host}:${first.port ?? engine.defaultPort}, not this secret's server ${current.host}:${current.port ?? engine.defaultPort}`,
      );
    }
    const logins = [first];
    // The admin secret may itself be mid-rotation or changed out of band: its previous login on
    // the same server is a fallback (one for another server, after a migration, is skipped).
    if (admin.previous) {
      try {
        const previous = parseCredentials(admin.previous, what(AWSPREVIOUS));
        if (sameServer(previous, current)) logins.push(previous);
      } catch {
        /* a malformed previous admin value is no fallback */
      }
    }
    return { name: admin.name, logins };
  };

  /**
   * Runs `fn` as the admin, trying its current then its previous login. Refuses to act on the
   * admin's own login or on a privileged user: whoever can write this secret's value must not be
   * able to make rotation hand them the admin's password or a superuser's.
   */
  const asAdmin = async (
    ctx: RotationContext,
    current: DbCredentials,
    targets: string[],
    fn: (s: DbSession) => Promise<void>,
  ): Promise<void> => {
    const admin = await adminOf(ctx, current);
    for (const t of targets) {
      if (admin.logins.some((l) => l.username === t)) fail(ctx, `refusing to rotate ${t}: it is the login of admin secret ${admin.name}`);
    }
    const opts = connectOptions(ctx);
    for (const login of admin.logins) {
      try {
        await withSession(engine, { ...login, dbname: login.dbname ?? current.dbname }, opts, async (s) => {
          for (const t of targets) {
            if (await s.isPrivileged(t))
              fail(ctx, `refusing to rotate ${t}: it can create users or is a superuser, so it must not be an application secret's user`);
          }
          await fn(s);
        });
        return;
      } catch (e) {
        if (!engine.isAuthFailure(e)) throw e;
        ctx.log.warn('admin login refused; trying the next', { admin: admin.name });
      }
    }
    fail(
      ctx,
      `neither the current nor the previous login of admin secret ${admin.name} is accepted by ${current.host}; fix the admin secret's password, then retry`,
    );
  };

  /** Checks `c` names the user the catalog pinned (or, for alternating users, its clone). */
  const checkUser = (ctx: RotationContext, c: DbCredentials, stage: string) => {
    const pinned = pinnedUser(ctx);
    if (!pinned) return;
    const allowed = o.strategy === 'alternating-users' ? [pinned, pinned + CLONE_SUFFIX] : [pinned];
    if (!allowed.includes(c.username))
      fail(ctx, `the ${stage} value names user ${c.username}, but the catalog pins ${allowed.join(' or ')}; restore the value`);
  };

  return {
    async createValue(ctx, current) {
      const c = parseCredentials(current!, `secret ${ctx.secret.Name} (AWSCURRENT)`);
      checkUser(ctx, c, 'AWSCURRENT');
      const rules = rulesFromTags(ctx.secret.Tags, DATABASE_RULES);
      let username = c.username;
      if (o.strategy === 'alternating-users') {
        const base = baseName(ctx, c.username);
        username = c.username === base ? base + CLONE_SUFFIX : base;
        if (username.length > engine.maxUsernameLength) {
          fail(ctx, `user ${username} would be longer than ${engine.name}'s ${engine.maxUsernameLength} characters; shorten the user name`);
        }
      }
      return JSON.stringify({ ...c, username, password: generateValue(rules) });
    },

    async setValue(ctx, pendingText) {
      const pending = parseCredentials(pendingText, `secret ${ctx.secret.Name} (AWSPENDING)`);
      const current = parseCredentials((await ctx.value(AWSCURRENT))!, `secret ${ctx.secret.Name} (AWSCURRENT)`);
      if (!sameServer(pending, current))
        fail(
          ctx,
          `the pending value points at ${pending.host}, the current at ${current.host}; a rotation never moves a secret between servers`,
        );
      checkUser(ctx, pending, 'AWSPENDING');

      if (o.strategy === 'alternating-users') {
        const base = baseName(ctx, current.username);
        const clone = base + CLONE_SUFFIX;
        if (pending.username === current.username || ![base, clone].includes(pending.username)) {
          fail(
            ctx,
            `alternating-users rotation must switch ${current.username} to ${current.username === base ? clone : base}, but the pending value names ${pending.username}`,
          );
        }
        await asAdmin(ctx, current, [base, clone], async (s) => {
          if (pending.username === clone) {
            // The clone is made equal to the base user; the base user's privileges are never
            // copied back from the clone (a revocation on the base user stays revoked).
            await s.matchUser(clone, pending.password, base);
          } else {
            await s.setPassword(base, pending.password);
          }
        });
        return;
      }

      if (pending.username !== current.username) {
        fail(
          ctx,
          `the pending value names user ${pending.username}, the current ${current.username}; ${o.strategy} rotation changes one user's password only`,
        );
      }
      if (o.strategy === 'admin') {
        await asAdmin(ctx, current, [pending.username], (s) => s.setPassword(pending.username, pending.password));
        return;
      }

      const opts = connectOptions(ctx);
      // single-user: the user changes its own password, logging in with the first password the
      // server accepts: AWSCURRENT (the normal case, no failed login), then AWSPENDING (a retry
      // after a crash past this step), AWSPREVIOUS (AWSCURRENT changed out of band), and last
      // the newest unlabelled versions (a rotation replaced by another after its setSecret).
      const sameUser = (stage: string, text: string | undefined): DbCredentials | undefined => {
        if (text === undefined) return undefined;
        try {
          const c = parseCredentials(text, `secret ${ctx.secret.Name} (${stage})`);
          return c.username === pending.username && sameServer(c, pending) ? c : undefined;
        } catch {
          return undefined; // a malformed value is no fallback
        }
      };
      const changeWith = async (stage: string, login: DbCredentials | undefined): Promise<boolean> => {
        if (!login) return false;
        try {
          await withSession(engine, { ...login, dbname: pending.dbname }, opts, (s) => s.setOwnPassword(pending.password));
        } catch (e) {
          if (engine.isAuthFailure(e)) return false;
          throw e;
        }
        if (stage !== AWSCURRENT)
          ctx.log.warn('current password was refused; changed the password with an older one', { usedStage: stage });
        return true;
      };
      if (await changeWith(AWSCURRENT, current)) return;
      if (await logsIn(engine, pending, opts)) {
        ctx.log.info('pending password already accepted');
        return;
      }
      if (await changeWith(AWSPREVIOUS, sameUser(AWSPREVIOUS, await ctx.value(AWSPREVIOUS, { optional: true })))) return;
      for (const text of await ctx.unlabelledValues(UNLABELLED_FALLBACKS)) {
        if (await changeWith('an unlabelled version', sameUser('an unlabelled version', text))) return;
      }
      fail(
        ctx,
        `${describe(current)} refuses the AWSCURRENT, the AWSPREVIOUS and recent unlabelled passwords, so the password cannot be changed by its own user; ` +
          'reset it with an admin login to the AWSCURRENT value (see docs/rotation.md), then retry the rotation',
      );
    },

    async testValue(ctx, valueText) {
      const c = parseCredentials(valueText, `secret ${ctx.secret.Name}`);
      await withSession(engine, c, connectOptions(ctx), async (s) => {
        const user = await s.currentUser();
        if (user !== c.username) fail(ctx, `logged in as ${user}, expected ${c.username}`);
      }).catch((e) => {
        if (engine.isAuthFailure(e)) fail(ctx, `${describe(c)} does not accept the tested password; setSecret has not taken effect`);
        throw e;
      });
    },
  };
}
