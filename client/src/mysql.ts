/**
 * mysql2: `RotatingMysqlPool`, a pool whose new connections use the current credentials of a
 * secret (or an RDS IAM token).
 *
 * mysql2 reads a pool's user and password once, at `createPool`. This wrapper keeps one mysql2
 * pool per credentials version (per user and endpoint for IAM, whose token is handed to mysql2's
 * `mysql_clear_password` auth plugin at each login): when the credentials change (rotation seen
 * by the cache, or recovery after a refused login), new connections come from a pool for the new
 * version, and the old pool is ended as soon as its last borrowed connection is released (its idle
 * connections are closed with it). Refused logins (1045, also what RDS Proxy returns for MySQL)
 * are retried as `LoginCredentials` describes; MySQL and MariaDB can lock an account after
 * refused logins, so the refused-login limit applies.
 */
import mysql2 from 'mysql2/promise';
import type { FieldPacket, Pool, PoolConnection, PoolOptions, QueryOptions } from 'mysql2/promise';
import type { SecretCache } from './cache';
import {
  type AuthRetryOptions,
  type DatabaseCredentials,
  type IamAuthOptions,
  type LoginCredentials,
  RotatingCredentials,
} from './credentials';
import { credentialsFrom, type Held, PoolSet } from './pool-set';

/** ER_ACCESS_DENIED_ERROR (1045); 1698 is the unix-socket variant. */
export function isMysqlAuthFailure(e: unknown): boolean {
  const errno = (e as { errno?: unknown } | null)?.errno;
  return errno === 1045 || errno === 1698;
}

export interface RotatingMysqlPoolOptions {
  /** The cache to read the secret through (with `secretId`). */
  secrets?: SecretCache | undefined;
  secretId?: string | undefined;
  /** Instead of a secret: credentials from elsewhere (e.g. `IamAuthCredentials`). */
  credentials?: LoginCredentials | undefined;
  /** mysql2 pool options except user and password (host, port, database default to the credentials'). */
  pool?: Omit<PoolOptions, 'user' | 'password'> | undefined;
  authRetry?: AuthRetryOptions | undefined;
  /** How IAM tokens are made when the secret says `"auth": "iam"`. */
  iam?: IamAuthOptions | undefined;
  /** `mysql2/promise` (injectable for tests). */
  mysql?: { createPool(config: PoolOptions): Pool } | undefined;
}

interface VersionPool {
  pool: Pool;
  borrowed: number;
  retiring: boolean;
  /** New connections made (mysql2's `connection` event): a checkout that made none logged in not at all. */
  logins: number;
}

export class RotatingMysqlPool {
  readonly credentials: LoginCredentials;
  private readonly pools: PoolSet<VersionPool>;
  private readonly mysql: { createPool(config: PoolOptions): Pool };
  /** Pools ended because the credentials they were made with are no longer current. */
  retiredPools = 0;

  constructor(private readonly options: RotatingMysqlPoolOptions) {
    this.credentials = credentialsFrom(
      options,
      () => new RotatingCredentials(options.secrets!, options.secretId!, { ...options.authRetry, iam: options.iam }, true),
      'RotatingMysqlPool',
    );
    this.mysql = options.mysql ?? mysql2;
    this.pools = new PoolSet<VersionPool>(
      'RotatingMysqlPool',
      (held) => this.make(held),
      (vp) => {
        vp.retiring = true;
        this.retiredPools++;
        this.maybeEnd(vp);
      },
    );
  }

  private make(held: Held<VersionPool>): VersionPool {
    const c = held.creds;
    const base = this.options.pool ?? {};
    const config: PoolOptions = { ...base, user: c.username, password: c.password };
    const host = base.host ?? c.host;
    const port = base.port ?? c.port;
    const database = base.database ?? c.dbname;
    if (host !== undefined) config.host = host;
    if (port !== undefined) config.port = port;
    if (database !== undefined) config.database = database;
    if (c.auth === 'iam') {
      // RDS asks IAM users for the clear-text plugin (over TLS): hand it the newest token.
      config.authPlugins = { ...base.authPlugins, mysql_clear_password: () => () => Buffer.from(`${held.creds.password}\0`) };
    }
    const vp: VersionPool = { pool: this.mysql.createPool(config), borrowed: 0, retiring: false, logins: 0 };
    vp.pool.on('connection', () => void vp.logins++);
    return vp;
  }

  /** A connection made with the current credentials; call `release()` when done. */
  async getConnection(signal?: AbortSignal): Promise<PoolConnection> {
    const r = await this.credentials.withRetry(
      () =>
        this.credentials.login(
          (c) => this.borrow(c),
          isMysqlAuthFailure,
          signal,
          (b) => !b.loggedIn,
        ),
      isMysqlAuthFailure,
      signal,
    );
    return r.conn;
  }

  async query<T = any>(sql: string | QueryOptions, values?: unknown): Promise<[T, FieldPacket[]]> {
    const conn = await this.getConnection();
    try {
      return (await conn.query(sql as any, values as any)) as unknown as [T, FieldPacket[]];
    } finally {
      conn.release();
    }
  }

  async execute<T = any>(sql: string | QueryOptions, values?: unknown): Promise<[T, FieldPacket[]]> {
    const conn = await this.getConnection();
    try {
      return (await conn.execute(sql as any, values as any)) as unknown as [T, FieldPacket[]];
    } finally {
      conn.release();
    }
  }

  /** Ends every pool. Does not close the `SecretCache`. */
  async end(): Promise<void> {
    await Promise.all(this.pools.close().map((vp) => vp.pool.end().catch(() => undefined)));
  }

  private maybeEnd(vp: VersionPool): void {
    if (!vp.retiring || vp.borrowed > 0) return;
    vp.pool.end().catch(() => undefined);
  }

  /** A connection of the current pool, and whether getting it was a new login. */
  private async borrow(c: DatabaseCredentials): Promise<{ conn: PoolConnection; loggedIn: boolean }> {
    const vp = this.pools.for(c).pool;
    vp.borrowed++;
    let conn: PoolConnection;
    // Logins are serialized (the gate holds its slot around this call): a `connection` event
    // meanwhile is this checkout's.
    const before = vp.logins;
    try {
      conn = await vp.pool.getConnection();
    } catch (e) {
      vp.borrowed--;
      this.maybeEnd(vp);
      throw e;
    }
    let returned = false;
    const giveBack = () => {
      if (returned) return;
      returned = true;
      vp.borrowed--;
      this.maybeEnd(vp);
    };
    const release = conn.release.bind(conn);
    const destroy = conn.destroy.bind(conn);
    conn.release = () => {
      release();
      giveBack();
    };
    conn.destroy = () => {
      destroy();
      giveBack();
    };
    return { conn, loggedIn: vp.logins > before };
  }
}
