/**
 * Database credentials that follow rotation, shared by the pg and mysql2 pools.
 *
 * New connections get the credentials of AWSCURRENT (or an RDS IAM authentication token, when the
 * secret says `"auth": "iam"` or the pool is given `IamAuthCredentials`). When the database
 * refuses them:
 * 1. AWSCURRENT is fetched again (a forced refresh); if it moved, the next login uses it;
 * 2. if it did not move and an AWSPENDING version exists, the next login uses that (single-user
 *    rotation between setSecret and finishSecret: the database already has the new password,
 *    AWSCURRENT still holds the old one);
 * 3. otherwise the same credentials are tried again, paced pool-wide (one try per pacing
 *    interval, not one per waiting connection), looking for newer ones before each try, within
 *    the connect's time budget.
 * New credentials (a version not refused before) always get their try at once. Refused logins are
 * counted per credentials version, and a success clears the count of that user. The limit of
 * `maxFailedLogins` per `failureWindowMs` applies only where the engine locks accounts after
 * refused logins (MySQL/MariaDB; not PostgreSQL, whose pools leave it off). Logins are serialized
 * (`maxConcurrentLogins`, default 1), so a password that just stopped working costs one refused
 * login, not one per connection being opened.
 */
import { AWSCURRENT, AWSPENDING, type CacheEvent, type CacheHooks, type SecretCache } from './cache';
import { type Clock, SecretsClientError, Semaphore, sleep, systemClock } from './util';

export interface DatabaseCredentials {
  username: string;
  /** The password, or for IAM authentication a token valid 15 minutes. */
  password: string;
  host?: string | undefined;
  port?: number | undefined;
  dbname?: string | undefined;
  engine?: string | undefined;
  /** The secret version these came from (IAM: the token's), and the stage it was read through (IAM: `IAM`). */
  versionId: string;
  stage: string;
  /** When the cache fetched them (IAM: when the token was made). */
  fetchedAt: number;
  /** `password`, or `iam` (an RDS IAM authentication token). */
  auth: 'password' | 'iam';
  /** Connections with the same key can share one driver pool: the version, or for IAM the user and endpoint. */
  poolKey: string;
}

export interface AuthRetryOptions {
  /** Longest time one connect may spend on refused logins before giving up (ms). */
  budgetMs?: number | undefined;
  /** Pacing of further tries of refused credentials (jittered, doubling up to `maxDelayMs`). */
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  /** Refused logins allowed per credentials version per window, where the engine locks accounts. */
  maxFailedLogins?: number | undefined;
  failureWindowMs?: number | undefined;
  /**
   * Whether the engine may lock an account after refused logins, so the limit applies. The pools
   * set it: true for MySQL/MariaDB (FAILED_LOGIN_ATTEMPTS, max_password_errors), false for
   * PostgreSQL (no lockout). Set it for directory-backed or plugin authentication that locks.
   */
  lockout?: boolean | undefined;
  /** Try AWSPENDING when AWSCURRENT is refused and has not moved. */
  tryPending?: boolean | undefined;
  maxConcurrentLogins?: number | undefined;
}

/** Defaults where the engine locks accounts (MySQL/MariaDB); PostgreSQL's are `NO_LOCKOUT_DEFAULTS`. */
export const AUTH_RETRY_DEFAULTS = {
  budgetMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  maxFailedLogins: 5,
  failureWindowMs: 60_000,
  lockout: true,
  tryPending: true,
  maxConcurrentLogins: 1,
} as const;

/** Where a refused login cannot lock anything, refused credentials are tried again every second at most. */
export const NO_LOCKOUT_DEFAULTS = { ...AUTH_RETRY_DEFAULTS, lockout: false, baseDelayMs: 500, maxDelayMs: 1_000 } as const;

type RetrySettings = {
  -readonly [K in keyof typeof AUTH_RETRY_DEFAULTS]: (typeof AUTH_RETRY_DEFAULTS)[K] extends boolean ? boolean : number;
};

function settings(options: AuthRetryOptions, engineLocksOut: boolean): RetrySettings {
  const lockout = options.lockout ?? engineLocksOut;
  const base: RetrySettings = { ...(lockout ? AUTH_RETRY_DEFAULTS : NO_LOCKOUT_DEFAULTS) };
  for (const k of Object.keys(base) as Array<keyof RetrySettings>) {
    const v = options[k];
    if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  }
  base.lockout = lockout;
  return base;
}

const CREDS = Symbol('rotation-credentials');

/** The credentials a failed login used (attached to the driver's error by `login`). */
export function credentialsOf(e: unknown): DatabaseCredentials | undefined {
  return (e as { [CREDS]?: DatabaseCredentials } | null)?.[CREDS];
}

/** JSON fields of a database secret, as AWS's templates and our rotation functions write them. */
export function parseDatabaseSecret(
  v: unknown,
  secretId: string,
): {
  username: string;
  password: string | undefined;
  host: string | undefined;
  port: number | undefined;
  dbname: string | undefined;
  engine: string | undefined;
  iam: boolean;
} {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new SecretsClientError('Invalid', `secret ${secretId} is not a JSON object with username and password`, { secretId });
  const o = v as Record<string, unknown>;
  const iam = o.auth === 'iam';
  if (typeof o.username !== 'string' || !o.username || (!iam && (typeof o.password !== 'string' || !o.password))) {
    throw new SecretsClientError(
      'Invalid',
      `secret ${secretId} lacks string fields username and password (or "auth": "iam" for IAM authentication)`,
      { secretId },
    );
  }
  const port = o.port === undefined ? undefined : Number(o.port);
  return {
    username: o.username,
    password: typeof o.password === 'string' ? o.password : undefined,
    host: typeof o.host === 'string' ? o.host : undefined,
    port: Number.isInteger(port) ? port : undefined,
    dbname: typeof o.dbname === 'string' ? o.dbname : typeof o.database === 'string' ? o.database : undefined,
    engine: typeof o.engine === 'string' ? o.engine : undefined,
    iam,
  };
}

// ------------------------------------------------------------------------------ IAM tokens

/** What an RDS IAM authentication token is made for. */
export interface IamTokenRequest {
  hostname: string;
  port: number;
  username: string;
  region?: string | undefined;
}

export interface IamAuthOptions {
  /** Region of the database (default: the SDK's, e.g. AWS_REGION). */
  region?: string | undefined;
  /**
   * Makes a token. Default: `new Signer(request).getAuthToken()` from `@aws-sdk/rds-signer`
   * (an optional peer dependency, loaded only when IAM authentication is used), signing with the
   * SDK's default credentials (the task or function role).
   */
  signer?: ((request: IamTokenRequest) => Promise<string>) | undefined;
  /** Tokens are valid 15 minutes; a new one is made this long after the last (default 10 minutes). */
  refreshAfterMs?: number | undefined;
}

export const IAM_TOKEN_LIFETIME_MS = 15 * 60_000;
const IAM_DEFAULT_REFRESH_MS = 10 * 60_000;

async function rdsSigner(request: IamTokenRequest): Promise<string> {
  let mod: { Signer: new (c: IamTokenRequest) => { getAuthToken(): Promise<string> } };
  try {
    mod = (await import('@aws-sdk/rds-signer')) as unknown as typeof mod;
  } catch {
    throw new SecretsClientError(
      'Failed',
      `IAM authentication for ${request.username}@${request.hostname} needs the package @aws-sdk/rds-signer (npm install @aws-sdk/rds-signer)`,
    );
  }
  return new mod.Signer(request).getAuthToken();
}

/** RDS IAM tokens per user and endpoint, made ahead of their expiry, one signing at a time each. */
export class IamTokens {
  private readonly tokens = new Map<string, { token: string; issuedAt: number; seq: number }>();
  private readonly inflight = new Map<string, Promise<{ token: string; issuedAt: number; seq: number }>>();
  private seq = 0;
  private readonly refreshAfterMs: number;
  private readonly signer: (request: IamTokenRequest) => Promise<string>;

  constructor(
    private readonly clock: Clock,
    private readonly options: IamAuthOptions = {},
  ) {
    this.refreshAfterMs = options.refreshAfterMs ?? IAM_DEFAULT_REFRESH_MS;
    if (!(this.refreshAfterMs > 0 && this.refreshAfterMs < IAM_TOKEN_LIFETIME_MS))
      throw new RangeError(`refreshAfterMs must be between 0 and ${IAM_TOKEN_LIFETIME_MS} (a token's lifetime)`);
    this.signer = options.signer ?? rdsSigner;
  }

  static identity(r: IamTokenRequest): string {
    return `iam:${r.username}@${r.hostname}:${r.port}`;
  }

  /** A token younger than `refreshAfterMs` (`force`: a new one unless made after `newerThan`). */
  async token(r: IamTokenRequest, force = false, newerThan = -1): Promise<{ token: string; issuedAt: number; seq: number }> {
    const id = IamTokens.identity(r);
    const have = this.tokens.get(id);
    const now = this.clock.now();
    if (have && now - have.issuedAt < this.refreshAfterMs && (!force || have.seq > newerThan)) return have;
    let p = this.inflight.get(id);
    if (!p) {
      p = this.signer({ ...r, region: r.region ?? this.options.region }).then((token) => {
        const t = { token, issuedAt: this.clock.now(), seq: ++this.seq };
        this.tokens.set(id, t);
        return t;
      });
      this.inflight.set(id, p);
      p.finally(() => this.inflight.delete(id)).catch(() => undefined);
    }
    return p;
  }

  peek(r: IamTokenRequest): { issuedAt: number; seq: number } | undefined {
    const t = this.tokens.get(IamTokens.identity(r));
    return t && this.clock.now() - t.issuedAt < this.refreshAfterMs ? t : undefined;
  }
}

// ------------------------------------------------------------------------------ the login gate

interface Refusals {
  username: string;
  /** When each refusal happened (those inside the window count toward the limit). */
  times: number[];
  /** Refusals in a row (the pacing doubles with them). */
  streak: number;
  nextTryAt: number;
  /** When other credentials were last looked for. */
  searchedAt: number;
}

type PacedError = SecretsClientError & { retryAt?: number; paced?: boolean };

/**
 * While held back by pacing or the limit, a connect looks for new credentials this often (each
 * look is a forced refresh, which the cache allows once a second per entry: half that interval
 * keeps a fix found within about a second).
 */
const RECHECK_MS = 500;

/**
 * Where database credentials come from, and the rules for logging in with them. Subclasses say
 * what the credentials are (`current`), what a new connection would use without waiting
 * (`peekVersion`, `peekPoolKey`) and how to look for others after a refusal (`findOther`); this
 * class paces, limits and serializes the logins.
 */
export abstract class LoginCredentials {
  /** Names the credentials in messages (a secret id, or the IAM user and endpoint). */
  abstract readonly id: string;
  readonly clock: Clock;
  protected readonly o: RetrySettings;
  private readonly refusals = new Map<string, Refusals>();
  private recovery: Promise<void> | undefined;
  private readonly logins: Semaphore;
  /** The first refusal since the last accepted login. */
  private refusedSince: number | undefined;

  constructor(
    clock: Clock,
    private readonly emitEvent: (kind: keyof CacheHooks, e: CacheEvent) => void,
    private readonly random: () => number,
    options: AuthRetryOptions,
    engineLocksOut: boolean,
  ) {
    this.clock = clock;
    this.o = settings(options, engineLocksOut);
    this.logins = new Semaphore(Math.max(1, this.o.maxConcurrentLogins));
  }

  /** The credentials a new connection should use now. */
  abstract current(signal?: AbortSignal): Promise<DatabaseCredentials>;
  /** The version new connections would use, without waiting (kicks off due refreshes). */
  abstract peekVersion(): string | undefined;
  /** The pool key new connections would use, without waiting. */
  abstract peekPoolKey(): string | undefined;
  /** After `used` was refused: look for credentials that differ from it. */
  protected abstract findOther(used: DatabaseCredentials, signal?: AbortSignal): Promise<void>;

  /** Whether the refused-login limit applies (the engine locks accounts). */
  get lockout(): boolean {
    return this.o.lockout;
  }

  /** Refused logins of a version inside the current window. */
  failedLogins(versionId: string): number {
    const r = this.refusals.get(versionId);
    if (!r) return 0;
    const now = this.clock.now();
    r.times = r.times.filter((t) => now - t < this.o.failureWindowMs);
    return r.times.length;
  }

  /**
   * After `used` was refused: find credentials that differ from it (one search at a time, and for
   * the same credentials at most one per RECHECK_MS: waiting connects share the answer).
   */
  async recover(used: DatabaseCredentials, signal?: AbortSignal): Promise<void> {
    if (!this.recovery) {
      const r = this.refusals.get(used.versionId);
      const now = this.clock.now();
      if (r && now - r.searchedAt < RECHECK_MS && r.searchedAt >= r.times[r.times.length - 1]!) return;
      if (r) r.searchedAt = now;
      this.recovery = (async () => {
        if (this.peekVersion() !== used.versionId) return; // someone already moved on
        await this.findOther(used, signal);
      })().finally(() => {
        this.recovery = undefined;
      });
    }
    await this.recovery.catch(() => undefined);
  }

  /**
   * One login attempt, holding a login slot. Credentials refused before are tried again only when
   * their pacing allows (and under the limit where the engine locks), after one more look for
   * newer ones. A refused login is recorded, recovery runs (before the slot is released, so
   * waiting logins use its outcome) and the driver's error is rethrown with the credentials it
   * used attached. `reused` tells a connection the driver had open already (no login happened:
   * it clears no refusal count).
   */
  async login<T>(
    attempt: (c: DatabaseCredentials) => Promise<T>,
    isAuthFailure: (e: unknown) => boolean,
    signal?: AbortSignal,
    reused?: (r: T) => boolean,
  ): Promise<T> {
    const release = await this.logins.acquire(signal);
    try {
      let c = await this.current(signal);
      if (this.refusals.has(c.versionId)) {
        // Refused before: look once more for newer credentials (a forced refresh, at most one a
        // second); new ones get their try at once, the same ones only when pacing and limit allow.
        await this.recover(c, signal);
        c = await this.current(signal);
        this.checkAllowance(c);
      }
      try {
        const r = await attempt(c);
        if (!reused?.(r)) this.succeeded(c);
        return r;
      } catch (e) {
        if (!isAuthFailure(e)) throw e;
        this.refused(c);
        this.emitEvent('authRetry', {
          secretId: this.id,
          stage: c.stage,
          versionId: c.versionId,
          failedLogins: this.failedLogins(c.versionId),
        });
        await this.recover(c, signal);
        if (e && typeof e === 'object') Object.defineProperty(e, CREDS, { value: c, enumerable: false, configurable: true });
        throw e;
      }
    } finally {
      release();
    }
  }

  /**
   * Runs `once` (which opens a connection through `login`) until it succeeds, retrying refused
   * logins: at once when other credentials were found, otherwise when the pacing (or the limit)
   * allows; never past the budget.
   */
  async withRetry<T>(once: () => Promise<T>, isAuthFailure: (e: unknown) => boolean, signal?: AbortSignal): Promise<T> {
    const start = this.clock.now();
    const deadline = start + this.o.budgetMs;
    let refused = 0;
    let last: DatabaseCredentials | undefined;
    let lastError: unknown;
    for (;;) {
      try {
        return await once();
      } catch (e) {
        const p = e as PacedError;
        if (p?.code === 'LoginLimit' && p.retryAt !== undefined) {
          const now = this.clock.now();
          if (now >= deadline) {
            if (!p.paced) throw e;
            throw this.gaveUp(refused, start, last, lastError);
          }
          // Wake at least every RECHECK_MS: new credentials (a fix put into the secret) are tried at once.
          await sleep(this.clock, Math.max(0, Math.min(p.retryAt, deadline, now + RECHECK_MS) - now), signal);
          continue;
        }
        if (!isAuthFailure(e)) throw e;
        refused++;
        last = credentialsOf(e) ?? last;
        lastError = e;
        if (this.clock.now() >= deadline) throw this.gaveUp(refused, start, last, lastError);
      }
    }
  }

  private gaveUp(refused: number, start: number, used: DatabaseCredentials | undefined, e: unknown): SecretsClientError {
    const what = used ? `${used.stage}, version ${used.versionId}` : 'unknown version';
    return new SecretsClientError(
      'AuthFailed',
      `the database refused the credentials of ${this.id} (${what}) ${refused} time(s) in ${this.clock.now() - start} ms; ${used?.auth === 'iam' ? 'a new IAM token' : `AWSCURRENT${this.o.tryPending ? ' and AWSPENDING' : ''}`} did not help. Check that the database accepts the AWSCURRENT value (docs/client.md, "When the pool gives up")`,
      { secretId: this.id, causeName: errName(e) },
    );
  }

  private refused(c: DatabaseCredentials): void {
    const now = this.clock.now();
    let r = this.refusals.get(c.versionId);
    if (!r) {
      r = { username: c.username, times: [], streak: 0, nextTryAt: 0, searchedAt: -Infinity };
      this.refusals.set(c.versionId, r);
    }
    r.times.push(now);
    r.streak++;
    this.refusedSince ??= now;
    const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(30, r.streak - 1));
    r.nextTryAt = now + delay * (0.5 + this.random() * 0.5);
    this.prune(now);
  }

  /**
   * A login worked: the counts of that user are cleared (the server's count is reset too); after
   * refusals (of any credentials), `authRecovered` says how long logins were refused.
   */
  private succeeded(c: DatabaseCredentials): void {
    for (const [v, r] of this.refusals) if (r.username === c.username || v === c.versionId) this.refusals.delete(v);
    if (this.refusedSince === undefined) return;
    this.emitEvent('authRecovered', {
      secretId: this.id,
      stage: c.stage,
      versionId: c.versionId,
      ageMs: this.clock.now() - this.refusedSince,
    });
    this.refusedSince = undefined;
  }

  /** Versions whose refusals all aged out and whose pacing passed are forgotten. */
  private prune(now: number): void {
    for (const [v, r] of this.refusals) {
      if (now >= r.nextTryAt && r.times.every((t) => now - t >= this.o.failureWindowMs)) this.refusals.delete(v);
    }
  }

  private checkAllowance(c: DatabaseCredentials): void {
    const r = this.refusals.get(c.versionId);
    if (!r) return; // new credentials always get their try
    const now = this.clock.now();
    if (this.o.lockout && this.failedLogins(c.versionId) >= this.o.maxFailedLogins) {
      const err = new SecretsClientError(
        'LoginLimit',
        `${this.id}: ${r.times.length} refused logins of version ${c.versionId} in the last ${this.o.failureWindowMs} ms reached maxFailedLogins (${this.o.maxFailedLogins}); not trying these credentials again yet so the database account is not locked (new credentials are tried at once)`,
        { secretId: this.id, transient: true },
      ) as PacedError;
      err.retryAt = r.times[0]! + this.o.failureWindowMs;
      throw err;
    }
    if (now < r.nextTryAt) {
      const err = new SecretsClientError(
        'LoginLimit',
        `${this.id}: version ${c.versionId} was refused; next try in ${Math.ceil(r.nextTryAt - now)} ms`,
        { secretId: this.id, transient: true },
      ) as PacedError;
      err.retryAt = r.nextTryAt;
      err.paced = true;
      throw err;
    }
  }
}

// ------------------------------------------------------------------------- from a secret

export interface RotatingCredentialsOptions extends AuthRetryOptions {
  /** For secrets that say `"auth": "iam"`: how tokens are made. */
  iam?: IamAuthOptions | undefined;
}

/** Credentials from a Secrets Manager secret, following its rotation (and IAM authentication when it says so). */
export class RotatingCredentials extends LoginCredentials {
  readonly id: string;
  private pinned: { creds: DatabaseCredentials; currentAtPin: string } | undefined;
  private readonly tokens: IamTokens;

  constructor(
    readonly cache: SecretCache,
    readonly secretId: string,
    options: RotatingCredentialsOptions = {},
    /** Whether the engine locks accounts after refused logins (the pools say; default true, the cautious answer). */
    engineLocksOut = true,
  ) {
    super(cache.clock, (k, e) => cache.emit(k, e), cache.random, options, engineLocksOut);
    this.id = `secret ${secretId}`;
    this.tokens = new IamTokens(cache.clock, options.iam);
  }

  private async read(
    stage: string,
    opts: { signal?: AbortSignal | undefined; force?: boolean | undefined; newToken?: number | undefined },
  ): Promise<DatabaseCredentials> {
    const v = await this.cache.getSecret(this.secretId, { versionStage: stage, signal: opts.signal, forceRefresh: opts.force });
    const parsed = parseDatabaseSecret(
      await this.cache.getJson(this.secretId, { versionStage: stage, signal: opts.signal }),
      this.secretId,
    );
    const { iam, password, ...rest } = parsed;
    if (!iam)
      return {
        ...rest,
        password: password!,
        versionId: v.versionId,
        stage,
        fetchedAt: v.fetchedAt,
        auth: 'password',
        poolKey: v.versionId,
      };
    const request = this.iamRequest(parsed);
    const t = await this.tokens.token(request, opts.newToken !== undefined, opts.newToken);
    return {
      ...rest,
      password: t.token,
      versionId: `${v.versionId}:iam:${t.seq}`,
      stage,
      fetchedAt: t.issuedAt,
      auth: 'iam',
      poolKey: IamTokens.identity(request),
    };
  }

  private iamRequest(p: {
    username: string;
    host: string | undefined;
    port: number | undefined;
    engine: string | undefined;
  }): IamTokenRequest {
    if (!p.host)
      throw new SecretsClientError('Invalid', `secret ${this.secretId} says "auth": "iam" but has no host to sign a token for`, {
        secretId: this.secretId,
      });
    return { hostname: p.host, port: p.port ?? (/mysql|maria/i.test(p.engine ?? '') ? 3306 : 5432), username: p.username };
  }

  async current(signal?: AbortSignal): Promise<DatabaseCredentials> {
    const cur = await this.read(AWSCURRENT, { signal });
    const pin = this.pinned;
    if (pin) {
      // Pinned to AWSPENDING until AWSCURRENT moves (to it, when finishSecret ran, or elsewhere).
      if (secretVersion(cur) === pin.currentAtPin) return pin.creds;
      this.pinned = undefined;
    }
    return cur;
  }

  peekVersion(): string | undefined {
    const cur = this.cache.peek(this.secretId, { versionStage: AWSCURRENT });
    if (this.pinned && (!cur || cur.versionId === this.pinned.currentAtPin)) return this.pinned.creds.versionId;
    if (!cur) return undefined;
    const token = this.peekToken(cur.string);
    return token === null ? cur.versionId : token === undefined ? undefined : `${cur.versionId}:iam:${token.seq}`;
  }

  peekPoolKey(): string | undefined {
    const cur = this.cache.peek(this.secretId, { versionStage: AWSCURRENT });
    if (this.pinned && (!cur || cur.versionId === this.pinned.currentAtPin)) return this.pinned.creds.poolKey;
    if (!cur) return undefined;
    const iam = this.iamOf(cur.string);
    return iam ? IamTokens.identity(iam) : cur.versionId;
  }

  /** null: not IAM; undefined: IAM without a fresh token. */
  private peekToken(text: string | undefined): { seq: number } | null | undefined {
    const iam = this.iamOf(text);
    return iam ? this.tokens.peek(iam) : null;
  }

  private iamOf(text: string | undefined): IamTokenRequest | undefined {
    if (!text || !text.includes('"iam"')) return undefined;
    try {
      const p = parseDatabaseSecret(JSON.parse(text), this.secretId);
      return p.iam ? this.iamRequest(p) : undefined;
    } catch {
      return undefined;
    }
  }

  protected async findOther(used: DatabaseCredentials, signal?: AbortSignal): Promise<void> {
    // A forced refresh inside its rate limit answers with what is cached, which may be older
    // than what was just refused: only information fetched after `used` counts.
    const cur = await this.read(AWSCURRENT, { signal, force: true });
    if (secretVersion(cur) !== secretVersion(used) && cur.fetchedAt > used.fetchedAt) {
      this.pinned = undefined;
      return;
    }
    if (used.auth === 'iam') {
      // The same IAM user: a new token (the refused one may have been signed with stale credentials).
      await this.read(AWSCURRENT, { signal, newToken: Number(used.versionId.split(':iam:')[1]) });
      return;
    }
    if (!this.o.tryPending) return;
    let pending: DatabaseCredentials | undefined;
    try {
      pending = await this.read(AWSPENDING, { signal, force: true });
    } catch (e) {
      // No pending version (or no value in it yet, or the role may not read it): nothing to try.
      if (!['NotFound', 'AccessDenied', 'Invalid', 'NotJson'].includes((e as SecretsClientError)?.code)) throw e;
    }
    if (pending && pending.versionId !== used.versionId && pending.versionId !== cur.versionId && pending.fetchedAt >= used.fetchedAt) {
      this.pinned = { creds: pending, currentAtPin: secretVersion(cur) };
    }
  }
}

/** The secret version of credentials (IAM credentials carry the token's sequence after it). */
function secretVersion(c: DatabaseCredentials): string {
  return c.auth === 'iam' ? c.versionId.split(':iam:')[0]! : c.versionId;
}

// -------------------------------------------------------------------------- IAM, no secret

export interface IamAuthCredentialsOptions extends IamAuthOptions, AuthRetryOptions {
  host: string;
  port: number;
  username: string;
  dbname?: string | undefined;
  hooks?: Pick<CacheHooks, 'authRetry' | 'authRecovered'> | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
}

/** RDS IAM authentication without a secret: the user and endpoint are given, tokens are made as needed. */
export class IamAuthCredentials extends LoginCredentials {
  readonly id: string;
  private readonly tokens: IamTokens;
  private readonly request: IamTokenRequest;

  constructor(private readonly options: IamAuthCredentialsOptions) {
    const hooks = options.hooks ?? {};
    super(
      options.clock ?? systemClock,
      (k, e) => {
        try {
          hooks[k as 'authRetry' | 'authRecovered']?.(e);
        } catch {
          // A metrics hook must never break a login.
        }
      },
      options.random ?? Math.random,
      options,
      false, // IAM authentication failures lock no account
    );
    this.request = { hostname: options.host, port: options.port, username: options.username };
    this.id = IamTokens.identity(this.request);
    this.tokens = new IamTokens(this.clock, options);
  }

  async current(): Promise<DatabaseCredentials> {
    const t = await this.tokens.token(this.request);
    return this.creds(t);
  }

  private creds(t: { token: string; issuedAt: number; seq: number }): DatabaseCredentials {
    const o = this.options;
    return {
      username: o.username,
      password: t.token,
      host: o.host,
      port: o.port,
      dbname: o.dbname,
      versionId: `iam:${t.seq}`,
      stage: 'IAM',
      fetchedAt: t.issuedAt,
      auth: 'iam',
      poolKey: this.id,
    };
  }

  peekVersion(): string | undefined {
    const t = this.tokens.peek(this.request);
    return t ? `iam:${t.seq}` : undefined;
  }

  peekPoolKey(): string {
    return this.id;
  }

  protected async findOther(used: DatabaseCredentials): Promise<void> {
    await this.tokens.token(this.request, true, Number(used.versionId.slice(4)));
  }
}

function errName(e: unknown): string {
  const r = (e ?? {}) as { code?: unknown; errno?: unknown; name?: unknown };
  return String(r.code ?? r.errno ?? r.name ?? 'Error');
}
