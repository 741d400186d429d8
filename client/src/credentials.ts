/**
 * Database credentials that follow rotation, shared by the pg and mysql2 helpers.
 *
 * New connections get the credentials of AWSCURRENT. When the database refuses them:
 * 1. AWSCURRENT is fetched again (a forced refresh); if it moved, the next login uses it;
 * 2. if it did not move and an AWSPENDING version exists, the next login uses that (single-user
 *    rotation between setSecret and finishSecret: the database already has the new password,
 *    AWSCURRENT still holds the old one);
 * 3. otherwise the login is retried with the same credentials after a capped, jittered backoff,
 *    within a time budget.
 * Logins are serialized (`maxConcurrentLogins`, default 1) so that a password that just stopped
 * working costs one refused login, not one per connection being opened, and no more than
 * `maxFailedLogins` refused logins are made per `failureWindowMs` (accounts can lock).
 */
import { AWSCURRENT, AWSPENDING, SecretCache } from './cache';
import { Clock, SecretsClientError, Semaphore, sleep } from './util';

export interface DatabaseCredentials {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
  engine?: string;
  /** The secret version these came from, and the stage it was read through. */
  versionId: string;
  stage: string;
  /** When the cache fetched them. */
  fetchedAt: number;
}

export interface AuthRetryOptions {
  /** Longest time one connect may spend on refused logins before giving up (ms). */
  budgetMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Refused logins allowed per window, across the whole pool. */
  maxFailedLogins?: number;
  failureWindowMs?: number;
  /** Try AWSPENDING when AWSCURRENT is refused and has not moved. */
  tryPending?: boolean;
  maxConcurrentLogins?: number;
}

export const AUTH_RETRY_DEFAULTS: Required<AuthRetryOptions> = {
  budgetMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  maxFailedLogins: 5,
  failureWindowMs: 60_000,
  tryPending: true,
  maxConcurrentLogins: 1,
};

const CREDS = Symbol('rotation-credentials');

/** The credentials a failed login used (attached to the driver's error by `login`). */
export function credentialsOf(e: unknown): DatabaseCredentials | undefined {
  return (e as { [CREDS]?: DatabaseCredentials } | null)?.[CREDS];
}

/** JSON fields of a database secret, as AWS's templates and our rotation functions write them. */
export function parseDatabaseSecret(v: unknown, secretId: string): Omit<DatabaseCredentials, 'versionId' | 'stage' | 'fetchedAt'> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SecretsClientError('Invalid', `secret ${secretId} is not a JSON object with username and password`, { secretId });
  const o = v as Record<string, unknown>;
  if (typeof o.username !== 'string' || !o.username || typeof o.password !== 'string' || !o.password) {
    throw new SecretsClientError('Invalid', `secret ${secretId} lacks string fields username and password`, { secretId });
  }
  const port = o.port === undefined ? undefined : Number(o.port);
  return {
    username: o.username,
    password: o.password,
    host: typeof o.host === 'string' ? o.host : undefined,
    port: Number.isInteger(port) ? port : undefined,
    dbname: typeof o.dbname === 'string' ? o.dbname : typeof o.database === 'string' ? o.database : undefined,
    engine: typeof o.engine === 'string' ? o.engine : undefined,
  };
}

export class RotatingCredentials {
  private readonly o: Required<AuthRetryOptions>;
  private readonly clock: Clock;
  private pinned?: { creds: DatabaseCredentials; currentAtPin: string };
  private failures: number[] = [];
  private recovery?: Promise<void>;
  private readonly logins: Semaphore;

  constructor(
    readonly cache: SecretCache,
    readonly secretId: string,
    options: AuthRetryOptions = {},
  ) {
    this.o = { ...AUTH_RETRY_DEFAULTS, ...options };
    this.clock = cache.clock;
    this.logins = new Semaphore(Math.max(1, this.o.maxConcurrentLogins));
  }

  private async read(stage: string, opts: { signal?: AbortSignal; force?: boolean }): Promise<DatabaseCredentials> {
    const v = await this.cache.getSecret(this.secretId, { versionStage: stage, signal: opts.signal, forceRefresh: opts.force });
    const parsed = await this.cache.getJson(this.secretId, { versionStage: stage, signal: opts.signal });
    return { ...parseDatabaseSecret(parsed, this.secretId), versionId: v.versionId, stage, fetchedAt: v.fetchedAt };
  }

  /** The credentials a new connection should use now. */
  async current(signal?: AbortSignal): Promise<DatabaseCredentials> {
    const cur = await this.read(AWSCURRENT, { signal });
    const pin = this.pinned;
    if (pin) {
      // Pinned to AWSPENDING until AWSCURRENT moves (to it, when finishSecret ran, or elsewhere).
      if (cur.versionId === pin.currentAtPin) return pin.creds;
      this.pinned = undefined;
    }
    return cur;
  }

  /** The version new connections would use, without waiting (kicks off due refreshes). */
  peekVersion(): string | undefined {
    const cur = this.cache.peek(this.secretId, { versionStage: AWSCURRENT });
    if (this.pinned && (!cur || cur.versionId === this.pinned.currentAtPin)) return this.pinned.creds.versionId;
    return cur?.versionId;
  }

  failedLoginsInWindow(): number {
    const now = this.clock.now();
    this.failures = this.failures.filter((t) => now - t < this.o.failureWindowMs);
    return this.failures.length;
  }

  /**
   * One login attempt with the current credentials, holding a login slot. A refused login is
   * recorded, recovery runs (before the slot is released, so waiting logins use its outcome)
   * and the driver's error is rethrown with the credentials it used attached.
   */
  async login<T>(attempt: (c: DatabaseCredentials) => Promise<T>, isAuthFailure: (e: unknown) => boolean, signal?: AbortSignal): Promise<T> {
    const release = await this.logins.acquire(signal);
    try {
      // Checked inside the slot, so logins queued behind a refused one see its failure; the
      // wait for the window to free happens outside the slot (withRetry).
      this.checkLoginAllowance();
      const c = await this.current(signal);
      try {
        return await attempt(c);
      } catch (e) {
        if (!isAuthFailure(e)) throw e;
        this.failures.push(this.clock.now());
        this.cache.emit('authRetry', { secretId: this.secretId, stage: c.stage, versionId: c.versionId, failedLogins: this.failedLoginsInWindow() });
        await this.recover(c, signal);
        if (e && typeof e === 'object') Object.defineProperty(e, CREDS, { value: c, enumerable: false, configurable: true });
        throw e;
      }
    } finally {
      release();
    }
  }

  /** After `used` was refused: find credentials that differ from it (one recovery at a time). */
  async recover(used: DatabaseCredentials, signal?: AbortSignal): Promise<void> {
    if (!this.recovery) {
      this.recovery = (async () => {
        if (this.peekVersion() !== used.versionId) return; // someone already moved on
        // A forced refresh inside its rate limit answers with what is cached, which may be older
        // than what was just refused: only information fetched after `used` counts.
        const cur = await this.read(AWSCURRENT, { signal, force: true });
        if (cur.versionId !== used.versionId && cur.fetchedAt > used.fetchedAt) {
          this.pinned = undefined;
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
          this.pinned = { creds: pending, currentAtPin: cur.versionId };
        }
      })().finally(() => {
        this.recovery = undefined;
      });
    }
    await this.recovery.catch(() => undefined);
  }

  /**
   * Runs `once` (which opens a connection through `login`) until it succeeds, retrying refused
   * logins: at once when recovery found other credentials, otherwise after a backoff; never past
   * the budget or the failed-login limit.
   */
  async withRetry<T>(once: () => Promise<T>, isAuthFailure: (e: unknown) => boolean, signal?: AbortSignal): Promise<T> {
    const start = this.clock.now();
    const deadline = start + this.o.budgetMs;
    let backoffs = 0;
    let refused = 0;
    for (;;) {
      try {
        return await once();
      } catch (e) {
        const retryAt = (e as LoginLimitError).retryAt;
        if (retryAt !== undefined && (e as LoginLimitError).code === 'LoginLimit') {
          if (retryAt > deadline) throw e;
          await sleep(this.clock, retryAt - this.clock.now(), signal);
          continue;
        }
        if (!isAuthFailure(e)) throw e;
        refused++;
        const used = credentialsOf(e);
        if (used && this.peekVersion() !== used.versionId) continue;
        const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** backoffs) * (0.5 + this.cache.random() * 0.5);
        backoffs++;
        if (this.clock.now() + delay > deadline) {
          throw new SecretsClientError(
            'AuthFailed',
            `the database refused the credentials of secret ${this.secretId} (${used ? `${used.stage}, version ${used.versionId}` : 'unknown version'}) ${refused} time(s) in ${this.clock.now() - start} ms; AWSCURRENT${this.o.tryPending ? ' and AWSPENDING' : ''} did not help. Check that the database accepts the AWSCURRENT value (README, client runbook)`,
            { secretId: this.secretId, causeName: errName(e) },
          );
        }
        await sleep(this.clock, delay, signal);
        // Before trying the same credentials again, look once more for newer ones.
        if (used) await this.recover(used, signal);
      }
    }
  }

  private checkLoginAllowance(): void {
    if (this.failedLoginsInWindow() < this.o.maxFailedLogins) return;
    const err = new SecretsClientError(
      'LoginLimit',
      `secret ${this.secretId}: ${this.failures.length} refused logins in the last ${this.o.failureWindowMs} ms reached maxFailedLogins (${this.o.maxFailedLogins}); not trying again yet so the database account is not locked`,
      { secretId: this.secretId, transient: true },
    ) as LoginLimitError;
    err.retryAt = this.failures[0] + this.o.failureWindowMs;
    throw err;
  }
}

type LoginLimitError = SecretsClientError & { retryAt?: number };

function errName(e: unknown): string {
  const r = (e ?? {}) as { code?: unknown; errno?: unknown; name?: unknown };
  return String(r.code ?? r.errno ?? r.name ?? 'Error');
}
