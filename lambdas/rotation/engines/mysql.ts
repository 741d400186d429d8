/**
 * MySQL and MariaDB through `mysql2`. An account is `'user'@'host'`; a secret names only the
 * user, so admin operations act on every account of that user name.
 */
import { Connection, createConnection, escape, RowDataPacket } from 'mysql2/promise';
import { ConnectOptions, DatabaseEngine, DbSession } from '../database';

/** A string literal for a session where backslash escapes are on (see `connect`). */
export const quoteLiteral = (value: string): string => escape(value);

/** An identifier in backticks, embedded backticks doubled (the form SHOW GRANTS prints). */
export const quoteIdent = (name: string): string => '`' + name.replace(/`/g, '``') + '`';

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

/**
 * A grant line of `SHOW GRANTS FOR template` rewritten for `username`: the grantee replaced (the
 * last ` TO <account>`), and any password clause dropped (MariaDB prints the template's hash).
 */
export function rewriteGrant(grant: string, template: string, username: string, host: string): string | undefined {
  const forms = [`${quoteIdent(template)}@${quoteIdent(host)}`, `'${template.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`];
  for (const form of forms) {
    const at = grant.lastIndexOf(` TO ${form}`);
    if (at < 0) continue;
    const tail = grant
      .slice(at + 4 + form.length)
      .replace(/\s+IDENTIFIED (BY PASSWORD|VIA|WITH)\s+('([^']|'')*'|\S+)(\s+(USING|AS)\s+('([^']|'')*'|\S+))?/gi, '');
    return `${grant.slice(0, at)} TO ${account(username, host)}${tail}`;
  }
  return undefined;
}

class MysqlSession implements DbSession {
  constructor(
    private readonly conn: Connection,
    private readonly mariadb: boolean,
  ) {}

  private async hostsOf(username: string): Promise<string[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(`SELECT Host AS host FROM mysql.user WHERE User = ${quoteLiteral(username)} ORDER BY Host`);
    return rows.map((r) => String(r.host));
  }

  async currentUser(): Promise<string> {
    const [rows] = await this.conn.query<RowDataPacket[]>('SELECT CURRENT_USER() AS u');
    const u = String(rows[0].u);
    return u.slice(0, u.lastIndexOf('@'));
  }

  /**
   * MariaDB (10.11) demands CREATE USER for `ALTER USER CURRENT_USER()` even on one's own account,
   * but lets any user `SET PASSWORD` for itself; MySQL 8 dropped `PASSWORD()` and lets a user
   * `ALTER USER USER()` itself.
   */
  async setOwnPassword(password: string): Promise<void> {
    const sql = this.mariadb ? `SET PASSWORD = PASSWORD(${quoteLiteral(password)})` : `ALTER USER USER() IDENTIFIED BY ${quoteLiteral(password)}`;
    await this.conn.query(sql);
  }

  async setPassword(username: string, password: string): Promise<void> {
    const hosts = await this.hostsOf(username);
    if (hosts.length === 0) throw new Error(`no account named ${username} exists on this server`);
    for (const h of hosts) await this.conn.query(`ALTER USER ${account(username, h)} IDENTIFIED BY ${quoteLiteral(password)}`);
  }

  async userExists(username: string): Promise<boolean> {
    return (await this.hostsOf(username)).length > 0;
  }

  async createUserLike(username: string, password: string, template: string): Promise<void> {
    const hosts = await this.hostsOf(template);
    if (hosts.length === 0) throw new Error(`template account ${template} does not exist on this server`);
    for (const h of hosts) await this.conn.query(`CREATE USER ${account(username, h)} IDENTIFIED BY ${quoteLiteral(password)}`);
    await this.syncPrivileges(username, template);
  }

  /** Copies the template's grants account by account (GRANT is additive, so repeats are harmless). */
  async syncPrivileges(username: string, template: string): Promise<void> {
    const mine = new Set(await this.hostsOf(username));
    for (const h of await this.hostsOf(template)) {
      if (!mine.has(h)) continue;
      const [rows] = await this.conn.query<RowDataPacket[]>(`SHOW GRANTS FOR ${account(template, h)}`);
      for (const row of rows) {
        const grant = String(Object.values(row)[0]);
        const rewritten = rewriteGrant(grant, template, username, h);
        if (!rewritten) throw new Error(`cannot read a grant of ${template}@${h} to copy it`);
        if (/^GRANT USAGE ON \*\.\* TO /i.test(rewritten) && !/ WITH | REQUIRE /i.test(rewritten)) continue;
        await this.conn.query(rewritten);
      }
    }
  }

  async close(): Promise<void> {
    await this.conn.end();
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
    let mariadb: boolean;
    try {
      const [v] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
      mariadb = /mariadb/i.test(String(v[0].v));
      // Literals are escaped with backslashes; make sure the session reads them that way.
      await conn.query("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
      await conn.query(`SET SESSION max_statement_time = ${Math.ceil(o.timeoutMs / 1000)}`).catch(() =>
        // MySQL's name for it (milliseconds, SELECT only); MariaDB's above covers every statement.
        conn.query(`SET SESSION max_execution_time = ${o.timeoutMs}`).catch(() => undefined),
      );
    } catch (e) {
      await conn.end().catch(() => undefined);
      throw e;
    }
    return new MysqlSession(conn, mariadb);
  },
  isAuthFailure(e) {
    // ER_ACCESS_DENIED_ERROR (1045); 1698 is the unix-socket variant.
    const errno = (e as { errno?: number } | null)?.errno;
    return errno === 1045 || errno === 1698;
  },
};
