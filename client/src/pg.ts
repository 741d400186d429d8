/**
 * node-postgres (`pg`) helpers:
 *
 * - `pgPassword(credentials)`: an async `password` function for a plain `pg.Pool`/`Client`
 *   (the user name stays what the config says; refused logins are not retried).
 * - `RotatingPgPool`: a `pg.Pool` whose new connections log in as the secret's current user with
 *   its current password (so it follows alternating users), retries refused logins as
 *   `RotatingCredentials` describes, and retires idle connections made with an older version of
 *   the secret when they are next checked out.
 */
import { Client, Pool, PoolClient, PoolConfig } from 'pg';
import { SecretCache } from './cache';
import { AuthRetryOptions, DatabaseCredentials, RotatingCredentials } from './credentials';

/**
 * PostgreSQL refused the login: 28P01 invalid_password, 28000 invalid_authorization_specification
 * (no such role, pg_hba). RDS Proxy answers a PostgreSQL client whose password does not match the
 * proxy's copy of the secret with "The password that was provided for the role ... is wrong",
 * and a user it has no secret for with "This RDS proxy has no credentials for the role ..."
 * (RDS User Guide, Troubleshooting for RDS Proxy); neither is documented with a SQLSTATE, so
 * those are matched by their text.
 */
export function isPgAuthFailure(e: unknown): boolean {
  const r = (e ?? {}) as { code?: unknown; message?: unknown };
  if (r.code === '28P01' || r.code === '28000') return true;
  const m = typeof r.message === 'string' ? r.message : '';
  return /The password that was provided for the role .* is wrong|RDS proxy has no credentials for the role/i.test(m);
}

/** An async password function for `pg` that returns the current password of the secret. */
export function pgPassword(credentials: RotatingCredentials): () => Promise<string> {
  return async () => (await credentials.current()).password;
}

export interface RotatingPgPoolOptions extends Omit<PoolConfig, 'user' | 'password' | 'Client'> {
  secrets: SecretCache;
  /** The secret holding `{username, password, host, port, dbname}` (name or ARN). */
  secretId: string;
  authRetry?: AuthRetryOptions;
  /** Take host, port and database from the secret when the config does not set them (default true). */
  useSecretEndpoint?: boolean;
}

const VERSION = Symbol('secret-version');
type Tagged = { [VERSION]?: string };

export class RotatingPgPool extends Pool {
  readonly credentials: RotatingCredentials;
  /** Idle connections closed because the secret's version changed. */
  retired = 0;

  constructor(options: RotatingPgPoolOptions) {
    const { secrets, secretId, authRetry, useSecretEndpoint = true, ...config } = options;
    const credentials = new RotatingCredentials(secrets, secretId, authRetry);
    const explicit = { host: config.host, port: config.port, database: config.database };

    class RotatingClient extends Client {
      override connect(callback?: (err: Error) => void): any {
        const p = credentials.login(
          async (c: DatabaseCredentials) => {
            applyCredentials(this, c, useSecretEndpoint, explicit);
            (this as Tagged)[VERSION] = c.versionId;
            await super.connect();
          },
          isPgAuthFailure,
        );
        if (callback) {
          p.then(() => callback(undefined as unknown as Error), (e) => callback(e));
          return undefined;
        }
        return p;
      }
    }
    super({ ...config, Client: RotatingClient });
    this.credentials = credentials;
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: (err: Error | undefined, client: PoolClient | undefined, done: (release?: any) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: PoolClient | undefined, done: (release?: any) => void) => void): any {
    const p = this.credentials.withRetry(() => this.checkout(), isPgAuthFailure);
    if (callback) {
      p.then(
        (client) => callback(undefined, client, client.release),
        (e) => callback(e, undefined, () => undefined),
      );
      return undefined;
    }
    return p;
  }

  /** A client from the pool; idle ones made with an older version of the secret are closed. */
  private async checkout(): Promise<PoolClient> {
    for (let i = 0; ; i++) {
      const client = await super.connect();
      const made = (client as unknown as Tagged)[VERSION];
      const now = this.credentials.peekVersion();
      if (made === undefined || now === undefined || made === now || i > (this.options.max ?? 10)) return client;
      this.retired++;
      client.release(true);
    }
  }
}

function applyCredentials(client: Client, c: DatabaseCredentials, useSecretEndpoint: boolean, explicit: { host?: string; port?: number; database?: string }): void {
  const params = (client as unknown as { connectionParameters: Record<string, unknown> }).connectionParameters;
  const target = client as unknown as Record<string, unknown>;
  target.user = params.user = c.username;
  target.password = params.password = c.password;
  if (!useSecretEndpoint) return;
  if (!explicit.host && c.host) target.host = params.host = c.host;
  if (!explicit.port && c.port) target.port = params.port = c.port;
  if (!explicit.database && c.dbname) target.database = params.database = c.dbname;
}
