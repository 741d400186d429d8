/**
 * MySQL and MariaDB through `mysql2`. An account is `'user'@'host'`; a secret names only the
 * user, so admin operations act on every account of that user name.
 */
import { type Connection, createConnection, escape as sqlEscape, type RowDataPacket } from 'mysql2/promise';
import type { ConnectOptions, DatabaseEngine, DbSession } from '../database';

/** A string literal for a session where backslash escapes are on (see `connect`). */
const quoteLiteral = (value: string): string => sqlEscape(value);

/** An identifier in backticks, embedded backticks doubled (the form SHOW GRANTS prints). */
export const quoteIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

const account = (user: string, host: string) => `${quoteLiteral(user)}@${quoteLiteral(host)}`;

function sslOption(o: ConnectOptions) {
  switch (o.tls.mode) {
    case 'disabled':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      // Without `ca`, Node's trust store (plus NODE_EXTRA_CA_CERTS, which holds the RDS CAs in Lambda).
      return { rejectUnauthorized: true, verifyIdentity: true, ...(o.tls.ca ? { ca: o.tls.ca } : {}) };
  }
}

/** Authentication clauses (with any `OR` alternatives) that SHOW GRANTS prints after the grantee. */
const AUTH_CLAUSE = /\s+IDENTIFIED\s+(?:BY\s+PASSWORD|VIA|WITH)\s+[\s\S]*?(?=\s+(?:REQUIRE|WITH\s+(?:GRANT|ADMIN|MAX_))\b|$)/i;

/**
 * A line of `SHOW GRANTS FOR template@host` rewritten for `username`: the grantee replaced
 * (`GRANT ... TO`, `REVOKE ... FROM`, MariaDB's `SET DEFAULT ROLE ... FOR`) and any
 * authentication clause dropped (MariaDB prints the template's password hash there).
 * Undefined for a line of another shape.
 */
export function rewriteGrant(grant: string, template: string, username: string, host: string): string | undefined {
  const forms = [`${quoteIdent(template)}@${quoteIdent(host)}`, `'${template.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`];
  const verb = /^\s*(GRANT|REVOKE|SET DEFAULT ROLE)\b/i.exec(grant)?.[1].toUpperCase();
  if (!verb) return undefined;
  const joiner = verb === 'GRANT' ? ' TO ' : verb === 'REVOKE' ? ' FROM ' : ' FOR ';
  for (const form of forms) {
    const at = grant.lastIndexOf(`${joiner}${form}`);
    if (at < 0) continue;
    const tail = grant.slice(at + joiner.length + form.length).replace(AUTH_CLAUSE, '');
    return `${grant.slice(0, at)}${joiner}${account(username, host)}${tail}`;
  }
  return undefined;
}

class MysqlSession implements DbSession {
  constructor(
    private readonly conn: Connection,
    private readonly mariadb: boolean,
    private readonly timeoutMs: number,
  ) {}

  /** Every statement with a client-side timeout: DDL can wait on locks that max_statement_time does not cover. */
  private async q(sql: string): Promise<RowDataPacket[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>({ sql, timeout: this.timeoutMs });
    return rows;
  }

  private async hostsOf(username: string): Promise<string[]> {
    const rows = await this.q(`SELECT Host AS host FROM mysql.user WHERE User = ${quoteLiteral(username)} ORDER BY Host`);
    return rows.map((r) => String(r.host));
  }

  /** The session user (USER()), not CURRENT_USER(), which may be a proxied account. */
  async currentUser(): Promise<string> {
    const rows = await this.q('SELECT USER() AS u');
    const u = String(rows[0].u);
    return u.slice(0, u.lastIndexOf('@'));
  }

  /**
   * MariaDB (10.11) demands CREATE USER for `ALTER USER CURRENT_USER()` even on one's own account,
   * but lets any user `SET PASSWORD` for itself; MySQL 8 dropped `PASSWORD()` and lets a user
   * `ALTER USER USER()` itself.
   */
  async setOwnPassword(password: string): Promise<void> {
    await this.q(
      this.mariadb ? `SET PASSWORD = PASSWORD(${quoteLiteral(password)})` : `ALTER USER USER() IDENTIFIED BY ${quoteLiteral(password)}`,
    );
  }

  async setPassword(username: string, password: string): Promise<void> {
    const hosts = await this.hostsOf(username);
    if (hosts.length === 0) throw new Error(`no account named ${username} exists on this server`);
    for (const h of hosts) await this.q(`ALTER USER ${account(username, h)} IDENTIFIED BY ${quoteLiteral(password)}`);
  }

  async isPrivileged(username: string): Promise<boolean> {
    const rows = await this.q(
      `SELECT COUNT(*) AS n FROM mysql.user WHERE User = ${quoteLiteral(username)} AND (Super_priv = 'Y' OR Create_user_priv = 'Y' OR Grant_priv = 'Y')`,
    );
    return Number(rows[0].n) > 0;
  }

  /**
   * Makes `username` an exact copy of `template`, account by account: created where missing,
   * its password set, every privilege revoked and the template's granted again (so a privilege
   * revoked from the template disappears from the copy too), TLS requirement and default roles
   * copied. Nothing is ever copied onto the template.
   */
  async matchUser(username: string, password: string, template: string): Promise<void> {
    const hosts = await this.hostsOf(template);
    if (hosts.length === 0) throw new Error(`template account ${template} does not exist on this server`);
    for (const h of hosts) {
      const target = account(username, h);
      await this.q(`CREATE USER IF NOT EXISTS ${target} IDENTIFIED BY ${quoteLiteral(password)}`);
      await this.q(`ALTER USER ${target} IDENTIFIED BY ${quoteLiteral(password)}`);
      await this.q(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${target}`);
      for (const row of await this.q(`SHOW GRANTS FOR ${account(template, h)}`)) {
        const grant = String(Object.values(row)[0]);
        const rewritten = rewriteGrant(grant, template, username, h);
        if (!rewritten)
          throw new Error(`cannot copy a grant of ${template}@${h} of an unknown form: ${grant.split(' ').slice(0, 3).join(' ')} ...`);
        await this.q(rewritten);
      }
      await this.copyRequire(template, username, h);
      if (!this.mariadb) await this.copyDefaultRoles(template, username, h);
    }
  }

  /** REQUIRE SSL/X509 (MySQL 8 prints it only in SHOW CREATE USER). */
  private async copyRequire(template: string, username: string, host: string): Promise<void> {
    const rows = await this.q(
      `SELECT ssl_type AS t FROM mysql.user WHERE User = ${quoteLiteral(template)} AND Host = ${quoteLiteral(host)}`,
    );
    const t = String(rows[0]?.t ?? '').toUpperCase();
    const clause = t === 'ANY' ? 'SSL' : t === 'X509' ? 'X509' : t === '' ? 'NONE' : undefined;
    if (!clause)
      throw new Error(`${template}@${host} requires a specific certificate (REQUIRE ${t}); copy that requirement to ${username} by hand`);
    await this.q(`ALTER USER ${account(username, host)} REQUIRE ${clause}`);
  }

  private async copyDefaultRoles(template: string, username: string, host: string): Promise<void> {
    const rows = await this.q(
      `SELECT DEFAULT_ROLE_USER AS u, DEFAULT_ROLE_HOST AS h FROM mysql.default_roles WHERE USER = ${quoteLiteral(template)} AND HOST = ${quoteLiteral(host)}`,
    );
    const roles = rows.map((r) => account(String(r.u), String(r.h)));
    await this.q(`SET DEFAULT ROLE ${roles.length > 0 ? roles.join(', ') : 'NONE'} TO ${account(username, host)}`);
  }

  /** QUIT, or the socket destroyed when the server does not answer in time. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.timeoutMs)));
    const outcome = await Promise.race([this.conn.end().then(() => 'ended' as const), timeout]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') this.conn.destroy();
  }
}

export const mysql: DatabaseEngine = {
  name: 'mysql',
  defaultPort: 3306,
  // MySQL 5.7+ allows 32; MariaDB 80. The stricter one, so a secret moves between them safely.
  maxUsernameLength: 32,
  async connect(c, o) {
    const conn = await createConnection({
      host: c.host,
      port: c.port ?? 3306,
      user: c.username,
      password: c.password,
      database: c.dbname,
      ssl: sslOption(o),
      connectTimeout: o.timeoutMs,
      multipleStatements: false,
    });
    conn.on('error', () => undefined);
    let session: MysqlSession;
    try {
      const [v] = await conn.query<RowDataPacket[]>({ sql: 'SELECT VERSION() AS v', timeout: o.timeoutMs });
      session = new MysqlSession(conn, /mariadb/i.test(String(v[0].v)), o.timeoutMs);
      // Literals are escaped with backslashes; make sure the session reads them that way.
      await conn.query({ sql: "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')", timeout: o.timeoutMs });
    } catch (e) {
      conn.destroy();
      throw e;
    }
    return session;
  },
  isAuthFailure(e) {
    // ER_ACCESS_DENIED_ERROR (1045); 1698 is the unix-socket variant.
    const errno = (e as { errno?: number } | null)?.errno;
    return errno === 1045 || errno === 1698;
  },
  isTimeout(e) {
    // mysql2's connectTimeout (ETIMEDOUT) and per-query timeout (PROTOCOL_SEQUENCE_TIMEOUT);
    // the server's max_statement_time (MariaDB 1969) and max_execution_time (MySQL 3024).
    const r = (e ?? {}) as { code?: string; errno?: number };
    return r.code === 'ETIMEDOUT' || r.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || r.errno === 1969 || r.errno === 3024;
  },
};
