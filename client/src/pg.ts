/**
 * node-postgres (`pg`): `RotatingPgPool`, a pool with the interface of `pg.Pool` (`query`,
 * `connect`, `end`, counts and events) whose new connections log in as the secret's current user
 * with its current password (so it follows single-user and alternating-users rotation), or with
 * an RDS IAM token, and retries refused logins as `LoginCredentials` describes.
 *
 * Inside, one `pg.Pool` per credentials version (per user and endpoint for IAM), configured
 * through pg's documented options only (`user`, and `password` as a function so an IAM pool gets
 * a fresh token at each login). When the version changes, the old pool takes no new checkout,
 * its idle connections are closed and it ends once its lent connections are released.
 *
 * `pgPassword` (a password function for a plain `pg.Pool`) was removed in 1.0: a plain pool keeps
 * its user (alternating users broke it) and cannot retry a refused login (every login in a
 * single-user rotation window failed). Use `RotatingPgPool`, which libraries taking a `pg.Pool`
 * (Kysely, Drizzle, Slonik-style `query`/`connect` users) accept.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { PoolClient, PoolConfig, QueryConfig, QueryConfigValues, QueryResult, QueryResultRow } from 'pg';
import type { SecretCache } from './cache';
import {
  type AuthRetryOptions,
  type DatabaseCredentials,
  type IamAuthOptions,
  type LoginCredentials,
  RotatingCredentials,
} from './credentials';
import { credentialsFrom, type Held, PoolSet } from './pool-set';

/**
 * PostgreSQL refused the login: 28P01 invalid_password, 28000 invalid_authorization_specification
 * (no such role, pg_hba, an IAM token refused). RDS Proxy answers a PostgreSQL client whose
 * password does not match the proxy's copy of the secret with "The password that was provided for
 * the role ... is wrong", and a user it has no secret for with "This RDS proxy has no credentials
 * for the role ..." (RDS User Guide, Troubleshooting for RDS Proxy); neither is documented with a
 * SQLSTATE, so those are matched by their text.
 */
export function isPgAuthFailure(e: unknown): boolean {
  const r = (e ?? {}) as { code?: unknown; message?: unknown };
  if (r.code === '28P01' || r.code === '28000') return true;
  const m = typeof r.message === 'string' ? r.message : '';
  return /The password that was provided for the role .* is wrong|RDS proxy has no credentials for the role/i.test(m);
}

export interface RotatingPgPoolOptions extends Omit<PoolConfig, 'user' | 'password' | 'Client'> {
  /** The cache to read the secret through (with `secretId`). */
  secrets?: SecretCache | undefined;
  /** The secret holding `{username, password, host, port, dbname}` (name or ARN), or `{username, host, port, dbname, "auth": "iam"}`. */
  secretId?: string | undefined;
  /** Instead of a secret: credentials from elsewhere (e.g. `IamAuthCredentials`). */
  credentials?: LoginCredentials | undefined;
  authRetry?: AuthRetryOptions | undefined;
  /** How IAM tokens are made when the secret says `"auth": "iam"`. */
  iam?: IamAuthOptions | undefined;
  /** Take host, port and database from the credentials when the config does not set them (default true). */
  useSecretEndpoint?: boolean | undefined;
}

type Callback = (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void;

export class RotatingPgPool extends EventEmitter {
  readonly credentials: LoginCredentials;
  /** Connections closed because the credentials they were made with are no longer current. */
  retired = 0;
  private readonly pools: PoolSet<pg.Pool>;
  private readonly config: PoolConfig;

  constructor(options: RotatingPgPoolOptions) {
    super();
    const { secrets, secretId, credentials, authRetry, iam, useSecretEndpoint = true, ...config } = options;
    // PostgreSQL locks no account after refused logins: the refused-login limit stays off.
    this.credentials = credentialsFrom(
      options,
      () => new RotatingCredentials(secrets!, secretId!, { ...authRetry, iam }, false),
      'RotatingPgPool',
    );
    this.config = config;
    this.pools = new PoolSet<pg.Pool>(
      'RotatingPgPool',
      (held) => this.make(held, useSecretEndpoint),
      (p) => this.retire(p),
    );
  }

  private make(held: Held<pg.Pool>, useSecretEndpoint: boolean): pg.Pool {
    const c = held.creds;
    const config: PoolConfig = {
      ...this.config,
      user: c.username,
      // Called at each login: an IAM pool's token is the newest one.
      password: () => held.creds.password,
    };
    if (useSecretEndpoint) {
      if (config.host === undefined && c.host) config.host = c.host;
      if (config.port === undefined && c.port) config.port = c.port;
      if (config.database === undefined && c.dbname) config.database = c.dbname;
    }
    const pool = new pg.Pool(config);
    for (const event of ['connect', 'acquire', 'release', 'remove', 'error'] as const) {
      (pool as EventEmitter).on(event, (...args: unknown[]) => {
        if (event !== 'error' || this.listenerCount('error') > 0) this.emit(event, ...args);
      });
    }
    return pool;
  }

  /** A retired pool: idle connections closed now, the pool ended once nothing waits on it. */
  private retire(pool: pg.Pool): void {
    pool.on('remove', () => this.retired++);
    const tryEnd = () => {
      if (pool.waitingCount > 0 || pool.ending) return;
      pool.off('release', later);
      pool.end().catch(() => undefined);
    };
    const later = () => setImmediate(tryEnd);
    pool.on('release', later);
    tryEnd();
  }

  /** A client made with the current credentials; `release()` it when done. */
  connect(): Promise<PoolClient>;
  connect(callback: Callback): void;
  connect(callback?: Callback): Promise<PoolClient> | void {
    const p = this.checkout();
    if (!callback) return p;
    p.then(
      (client) => callback(undefined, client, (r) => client.release(r as boolean | Error | undefined)),
      (e: Error) => callback(e, undefined, () => undefined),
    );
  }

  private async checkout(signal?: AbortSignal): Promise<PoolClient> {
    // An idle connection of the current credentials needs no login: no gate.
    const held = this.pools.get(this.credentials.peekPoolKey());
    if (held && held.pool.idleCount > 0 && !this.pools.isEnded) return held.pool.connect();
    return this.credentials.withRetry(
      () => this.credentials.login((c: DatabaseCredentials) => this.pools.for(c).pool.connect(), isPgAuthFailure, signal),
      isPgAuthFailure,
      signal,
    );
  }

  /** A query on a pooled connection, as `pg.Pool#query`. */
  async query<R extends QueryResultRow = any, I = any[]>(
    text: string | QueryConfig<I>,
    values?: QueryConfigValues<I>,
  ): Promise<QueryResult<R>> {
    const client = await this.checkout();
    try {
      const r = await client.query<R, I>(text, values);
      client.release();
      return r;
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
  }

  /** Ends every pool (waits for lent connections, as `pg.Pool#end`). Does not close the `SecretCache`. */
  async end(): Promise<void> {
    await Promise.all(this.pools.close().map((p) => p.end().catch(() => undefined)));
  }

  get ended(): boolean {
    return this.pools.isEnded;
  }

  get totalCount(): number {
    return this.sum((p) => p.totalCount);
  }

  get idleCount(): number {
    return this.sum((p) => p.idleCount);
  }

  get waitingCount(): number {
    return this.sum((p) => p.waitingCount);
  }

  private sum(f: (p: pg.Pool) => number): number {
    return this.pools.live().reduce((n, p) => n + f(p), 0);
  }
}
