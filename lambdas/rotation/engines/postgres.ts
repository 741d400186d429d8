/**
 * PostgreSQL through `pg`. Passwords are sent as SCRAM-SHA-256 verifiers computed here, so the
 * plaintext never reaches the server, where `log_statement = 'ddl'` would write it to the log.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';
import type { ConnectOptions, DatabaseEngine, DbSession } from '../database';

const SCRAM_ITERATIONS = 4096;

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

/** A standard-conforming string literal (`E'...'` so backslashes mean the same under any setting). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('literal contains a NUL character');
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The verifier PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677). SASLprep leaves
 * printable ASCII unchanged; for anything else the server is left to hash the plaintext itself.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = SCRAM_ITERATIONS): string | undefined {
  if (!/^[\x21-\x7e]+$/.test(password)) return undefined;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const passwordClause = (password: string) => `PASSWORD ${quoteLiteral(scramVerifier(password) ?? password)}`;

/** pg checks the certificate against the host name (or IP address) it connects to. */
function sslOption(o: ConnectOptions): ClientConfig['ssl'] {
  switch (o.tls.mode) {
    case 'disabled':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ca: o.tls.ca };
  }
}

class PostgresSession implements DbSession {
  constructor(private readonly client: Client) {}

  /** session_user: current_user follows a role's `SET role` default and would name another role. */
  async currentUser(): Promise<string> {
    const r = await this.client.query<{ u: string }>('SELECT session_user AS u');
    return r.rows[0].u;
  }

  /** A role changes only its own password, and only as itself: undo a `SET role` default first. */
  async setOwnPassword(password: string): Promise<void> {
    await this.client.query('SET ROLE NONE');
    await this.client.query(`ALTER ROLE SESSION_USER WITH ${passwordClause(password)}`);
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.client.query(`ALTER ROLE ${quoteIdent(username)} WITH ${passwordClause(password)}`);
  }

  async isPrivileged(username: string): Promise<boolean> {
    const r = await this.client.query<{ p: boolean }>(
      `SELECT rolsuper OR rolcreaterole OR rolreplication OR rolbypassrls
              OR EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname IN ('rds_superuser', 'azure_pg_admin', 'cloudsqlsuperuser') AND pg_has_role(r.oid, a.oid, 'MEMBER')) AS p
         FROM pg_roles r WHERE r.rolname = $1`,
      [username],
    );
    return r.rows[0]?.p ?? false;
  }

  /**
   * The clone inherits the template's privileges by membership (as in AWS's multi-user template),
   * so grants made to the template later reach the clone too; nothing flows the other way.
   */
  async matchUser(username: string, password: string, template: string): Promise<void> {
    await this.client.query('BEGIN');
    try {
      const exists = (await this.client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 1;
      await this.client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(username)} WITH LOGIN ${passwordClause(password)}`);
      const member = await this.client.query<{ m: boolean }>("SELECT pg_has_role($1, $2, 'MEMBER') AS m", [username, template]);
      if (!member.rows[0].m) await this.client.query(`GRANT ${quoteIdent(template)} TO ${quoteIdent(username)}`);
      await this.client.query('COMMIT');
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

export const postgres: DatabaseEngine = {
  name: 'postgres',
  defaultPort: 5432,
  maxUsernameLength: 63,
  async connect(c, o) {
    const client = new Client({
      host: c.host,
      port: c.port ?? 5432,
      user: c.username,
      password: c.password,
      database: c.dbname ?? 'postgres',
      ssl: sslOption(o),
      connectionTimeoutMillis: o.timeoutMs,
      statement_timeout: o.timeoutMs,
      query_timeout: o.timeoutMs,
      application_name: 'secrets-rotation',
    });
    // An 'error' event with no listener would crash the process; the failing query rejects anyway.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    return new PostgresSession(client);
  },
  isAuthFailure(e) {
    // 28P01 invalid_password, 28000 invalid_authorization_specification (no such role, pg_hba).
    const code = (e as { code?: string } | null)?.code;
    return code === '28P01' || code === '28000';
  },
  isTimeout(e) {
    // pg's connectionTimeoutMillis ("timeout expired") and query_timeout ("Query read timeout"),
    // the server's statement_timeout (57014 query_canceled), the OS giving up on TCP.
    const r = (e ?? {}) as { code?: string; message?: string };
    return (
      r.code === '57014' ||
      r.code === 'ETIMEDOUT' ||
      /^(timeout expired|Query read timeout|Connection terminated due to connection timeout)$/.test(r.message ?? '')
    );
  },
};
