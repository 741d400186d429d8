/**
 * A database engine in memory for the protocol's unit tests: users with passwords and
 * privileges, a switch to take the server down, and a count of open sessions (every path must
 * close what it opened). The real engines are proven against real servers in the integration
 * tests.
 */
import type { DatabaseEngine, DbCredentials, DbSession } from '../../lambdas/rotation/database';
import { postgres } from '../../lambdas/rotation/engines/postgres';

export class FakeDatabase {
  readonly users = new Map<string, { password: string; privileges: Set<string>; admin: boolean }>();
  down = false;
  open = 0;
  /** Logins refused for a wrong password (a live account can be locked after a few). */
  failedLogins = 0;
  /** Fails the next setOwnPassword/setPassword once (a fault while changing the password). */
  failNextChange = false;
  /** The server stops answering: at connect, or during statements (pg's own timeout errors). */
  stalls?: 'connect' | 'statement';
  readonly statements: string[] = [];

  addUser(name: string, password: string, opts: { admin?: boolean; privileges?: string[] } = {}): void {
    this.users.set(name, { password, admin: !!opts.admin, privileges: new Set(opts.privileges ?? []) });
  }

  accepts(username: string, password: string): boolean {
    return this.users.get(username)?.password === password;
  }

  engine(): DatabaseEngine {
    const db = this;
    return {
      name: 'postgres',
      defaultPort: 5432,
      maxUsernameLength: 63,
      async connect(c: DbCredentials): Promise<DbSession> {
        if (db.down) throw Object.assign(new Error(`connect ECONNREFUSED ${c.host}:${c.port}`), { code: 'ECONNREFUSED' });
        if (db.stalls === 'connect') throw new Error('timeout expired');
        if (!db.accepts(c.username, c.password)) db.failedLogins++;
        if (!db.accepts(c.username, c.password))
          throw Object.assign(new Error(`password authentication failed for user "${c.username}"`), { code: '28P01' });
        db.open++;
        let closed = false;
        const me = c.username;
        const change = (user: string, password: string) => {
          if (db.stalls === 'statement') throw new Error('Query read timeout');
          if (db.failNextChange) {
            db.failNextChange = false;
            throw Object.assign(new Error('connection terminated unexpectedly'), { code: 'ECONNRESET' });
          }
          db.users.get(user)!.password = password;
        };
        const requireAdmin = () => {
          if (!db.users.get(me)!.admin) throw Object.assign(new Error('permission denied'), { code: '42501' });
        };
        return {
          async currentUser() {
            return me;
          },
          async setOwnPassword(password) {
            db.statements.push(`ALTER ROLE CURRENT_USER (${me})`);
            change(me, password);
          },
          async setPassword(username, password) {
            requireAdmin();
            if (!db.users.has(username)) throw new Error(`role "${username}" does not exist`);
            db.statements.push(`ALTER ROLE ${username}`);
            change(username, password);
          },
          async isPrivileged(username) {
            return db.users.get(username)?.admin ?? false;
          },
          async matchUser(username, password, template) {
            requireAdmin();
            db.statements.push(`MATCH ${username} TO ${template}`);
            const existing = db.users.get(username);
            if (!existing) db.addUser(username, password);
            else change(username, password);
            // Exact copy: what the template lost, the copy loses too.
            db.users.get(username)!.privileges = new Set(db.users.get(template)!.privileges);
          },
          async close() {
            if (!closed) db.open--;
            closed = true;
          },
        };
      },
      isAuthFailure(e) {
        return (e as { code?: string }).code === '28P01';
      },
      isTimeout: (e) => postgres.isTimeout(e),
    };
  }
}
