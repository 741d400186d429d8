/**
 * mysql2 helper: a pool whose new connections use the secret's current credentials.
 *
 * mysql2 reads a pool's user and password once, at `createPool`. This wrapper keeps one mysql2
 * pool per secret version: when the credentials change (rotation seen by the cache, or recovery
 * after a refused login), new connections come from a pool for the new version, and the old
 * pool is ended as soon as its last borrowed connection is released (its idle connections are
 * closed with it). Refused logins (1045, also what RDS Proxy returns for MySQL) are retried as
 * `RotatingCredentials` describes.
 */
import type { FieldPacket, Pool, PoolConnection, PoolOptions, QueryOptions } from 'mysql2/promise';
import { SecretCache } from './cache';
import { AuthRetryOptions, DatabaseCredentials, RotatingCredentials } from './credentials';

/** ER_ACCESS_DENIED_ERROR (1045); 1698 is the unix-socket variant. */
export function isMysqlAuthFailure(e: unknown): boolean {
  const errno = (e as { errno?: unknown } | null)?.errno;
  return errno === 1045 || errno === 1698;
}

export interface RotatingMysqlPoolOptions {
  secrets: SecretCache;
  secretId: string;
  /** mysql2 pool options except user and password (host, port, database default to the secret's). */
  pool?: Omit<PoolOptions, 'user' | 'password'>;
  authRetry?: AuthRetryOptions;
  /** `require('mysql2/promise')` (injectable for tests). */
  mysql?: { createPool(config: PoolOptions): Pool };
}

interface VersionPool {
  versionId: string;
  pool: Pool;
  borrowed: number;
  retiring: boolean;
}

export class RotatingMysqlPool {
  readonly credentials: RotatingCredentials;
  private readonly pools = new Map<string, VersionPool>();
  private readonly mysql: { createPool(config: PoolOptions): Pool };
  private ended = false;
  /** Pools ended because the secret's version changed. */
  retiredPools = 0;

  constructor(private readonly options: RotatingMysqlPoolOptions) {
    this.credentials = new RotatingCredentials(options.secrets, options.secretId, options.authRetry);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.mysql = options.mysql ?? require('mysql2/promise');
  }

  /** A connection made with the current credentials; call `release()` when done. */
  async getConnection(signal?: AbortSignal): Promise<PoolConnection> {
    if (this.ended) throw new Error('RotatingMysqlPool: getConnection after end()');
    return this.credentials.withRetry(
      () => this.credentials.login((c) => this.borrow(c), isMysqlAuthFailure, signal),
      isMysqlAuthFailure,
      signal,
    );
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

  async end(): Promise<void> {
    this.ended = true;
    await Promise.all([...this.pools.values()].map((p) => p.pool.end().catch(() => undefined)));
    this.pools.clear();
  }

  private poolFor(c: DatabaseCredentials): VersionPool {
    let vp = this.pools.get(c.versionId);
    if (!vp) {
      const base = this.options.pool ?? {};
      vp = {
        versionId: c.versionId,
        pool: this.mysql.createPool({
          ...base,
          host: base.host ?? c.host,
          port: base.port ?? c.port,
          database: base.database ?? c.dbname,
          user: c.username,
          password: c.password,
        }),
        borrowed: 0,
        retiring: false,
      };
      this.pools.set(c.versionId, vp);
    }
    for (const other of this.pools.values()) {
      if (other !== vp && !other.retiring) {
        other.retiring = true;
        this.retiredPools++;
        this.maybeEnd(other);
      }
    }
    return vp;
  }

  private maybeEnd(vp: VersionPool): void {
    if (!vp.retiring || vp.borrowed > 0) return;
    if (this.pools.get(vp.versionId) === vp) this.pools.delete(vp.versionId);
    vp.pool.end().catch(() => undefined);
  }

  private async borrow(c: DatabaseCredentials): Promise<PoolConnection> {
    const vp = this.poolFor(c);
    vp.borrowed++;
    let conn: PoolConnection;
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
    return conn;
  }
}
