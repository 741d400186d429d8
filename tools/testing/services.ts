/**
 * The real services the integration tests run against, started by scripts/services.sh: a
 * PostgreSQL and a MariaDB server with TLS on loopback, and a Secrets Manager emulator: moto, or
 * LocalStack when SECRETS_BACKEND=localstack (scripts/integration.sh runs the suite once per
 * backend). The test-side checks (creating users, logging in, reading a table) use the drivers
 * directly, not the code under test, so a bug in our engines cannot hide itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import * as mysql2 from 'mysql2/promise';
import { Client } from 'pg';
import { SdkSecretsManager } from '../../lambdas/rotation/secrets-manager';

interface SecretsBackendEnv {
  endpoint: string;
  region: string;
  /** The function RotateSecret names (moto needs none to exist; LocalStack has a stub). */
  rotationFunctionArn: string;
}

interface ServiceEnv {
  postgres: { host: string; port: number; user: string; password: string; database: string; ca: string };
  mysql: { host: string; port: number; user: string; password: string; ca: string };
  moto: SecretsBackendEnv;
  localstack?: SecretsBackendEnv;
}

export type SecretsBackend = 'moto' | 'localstack';

const ENV_FILE = path.resolve(__dirname, '..', '..', '.services', 'env.json');

export function services(): ServiceEnv {
  if (!existsSync(ENV_FILE))
    throw new Error(`${ENV_FILE} is missing: start the services with \`bash scripts/services.sh start\` (npm run test:integration does)`);
  return JSON.parse(readFileSync(ENV_FILE, 'utf8'));
}

export const CA = () => readFileSync(services().postgres.ca, 'utf8');

/** The Secrets Manager emulator of this run: SECRETS_BACKEND (moto by default). */
export function backend(): SecretsBackend {
  const b = process.env.SECRETS_BACKEND ?? 'moto';
  if (b !== 'moto' && b !== 'localstack') throw new Error(`SECRETS_BACKEND=${b}: expected moto or localstack`);
  return b;
}

export function secretsBackend(): SecretsBackendEnv {
  const b = backend();
  const env = services()[b];
  if (!env)
    throw new Error(`SECRETS_BACKEND=${b}, but ${ENV_FILE} has no ${b}: start it with \`bash scripts/services.sh start localstack\``);
  return env;
}

/** A password with every character a careless implementation mishandles. */
export const hostilePassword = () => `p'"\\;--$x\`%@:/?# ${randomBytes(4).toString('hex')}`;
export const plainPassword = () => randomBytes(12).toString('hex');
export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(3).toString('hex')}`;

// ---- Secrets Manager (moto or LocalStack) ----------------------------------------------------

export function smClient(): SecretsManagerClient {
  const m = secretsBackend();
  return new SecretsManagerClient({
    endpoint: m.endpoint,
    region: m.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/**
 * The rotation function's port onto the emulator, with one documented behaviour of the real
 * service that moto 5 and LocalStack 4 both lack: PutSecretValue with an existing version's token
 * and different content fails with ResourceExistsException ("you can't modify an existing
 * version"); the emulators overwrite the value. Two rotations sharing one token (the second
 * RotateSecret is refused while one is pending, so both drive the pending version) would otherwise
 * each store a password under the same version, and the database could end with one that no
 * version holds. The check and the put run one at a time per secret, as the service's are atomic.
 */
export class EmulatorPort extends SdkSecretsManager {
  private static readonly queues = new Map<string, Promise<unknown>>();

  override async putSecretValue(req: {
    SecretId: string;
    ClientRequestToken: string;
    SecretString: string;
    VersionStages: string[];
  }): Promise<void> {
    const queue = EmulatorPort.queues.get(req.SecretId) ?? Promise.resolve();
    const next = queue.then(async () => {
      // RotateSecret's pending version has no value yet: that one is filled, not refused.
      const stored = (await super.getSecretValue({ SecretId: req.SecretId, VersionId: req.ClientRequestToken }).catch(() => undefined))
        ?.SecretString;
      if (stored === undefined) await super.putSecretValue(req);
      else if (stored !== req.SecretString) {
        throw Object.assign(new Error("You can't modify an existing version, you can only create new versions."), {
          name: 'ResourceExistsException',
        });
      }
    });
    EmulatorPort.queues.set(
      req.SecretId,
      next.catch(() => undefined),
    );
    await next;
  }
}

export function smPort(): SdkSecretsManager {
  return new EmulatorPort(smClient());
}

export async function createSecret(name: string, value: unknown, tags: Record<string, string> = {}): Promise<string> {
  const r = await smClient().send(
    new CreateSecretCommand({
      Name: name,
      SecretString: typeof value === 'string' ? value : JSON.stringify(value),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return r.ARN!;
}

/**
 * An operator's put-secret-value: a new version, labelled AWSCURRENT. moto 5.2.5, after a rotation,
 * leaves AWSCURRENT on the previous holder too (DescribeSecret lists it on two versions, and
 * GetSecretValue may answer either); the real service and LocalStack move the label. The move is
 * completed here as the service would do it.
 */
export async function putCurrent(secretId: string, value: unknown): Promise<void> {
  const sm = smClient();
  const put = await sm.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: typeof value === 'string' ? value : JSON.stringify(value) }),
  );
  const stages = (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  for (const [version, labels] of Object.entries(stages)) {
    if (version !== put.VersionId && labels.includes('AWSCURRENT')) {
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: put.VersionId,
          RemoveFromVersionId: version,
        }),
      );
    }
  }
}

/**
 * Secrets Manager's half of RotateSecret: enable rotation and create the AWSPENDING version with no
 * value; the test then invokes the steps itself, as the service would. moto does exactly this and
 * then looks up the rotation function in its own Lambda emulation (which needs Docker): it is not
 * there, so moto answers ResourceNotFound after the version exists. LocalStack checks the function
 * first (services.sh created a stub), answers 200, and fails to run it (no Docker) in the
 * background without touching the secret. Like the real service, LocalStack refuses a new rotation
 * while one is pending; the pending one's token is returned, to be reattempted.
 */
export async function startRotation(secretId: string): Promise<string> {
  const token = randomUUID();
  try {
    await smClient().send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: secretsBackend().rotationFunctionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
  } catch (e) {
    const err = e as Error;
    if (err.name === 'InvalidRequestException' && /previous rotation|isn't complete|in progress/i.test(err.message)) {
      // As the real service (and LocalStack) does: a rotation left pending is reattempted with its own token.
      const pending = Object.entries(
        (await smClient().send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {},
      ).find(([, s]) => s.includes('AWSPENDING') && !s.includes('AWSCURRENT'));
      if (pending) return pending[0];
    }
    if (err.name !== 'ResourceNotFoundException' || backend() !== 'moto') throw e;
  }
  const d = await smClient().send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!d.RotationEnabled || !d.VersionIdsToStages?.[token]?.includes('AWSPENDING')) {
    throw new Error(
      `${backend()} did not start the rotation of ${secretId} as expected (RotationEnabled=${d.RotationEnabled}, stages=${JSON.stringify(d.VersionIdsToStages)})`,
    );
  }
  return token;
}

export async function staged(secretId: string, stage: string): Promise<Record<string, any> | undefined> {
  try {
    const v = await smPort().getSecretValue({ SecretId: secretId, VersionStage: stage });
    return JSON.parse(v.SecretString!);
  } catch {
    return undefined;
  }
}

export async function labels(secretId: string): Promise<Record<string, string[]>> {
  return (await smPort().describeSecret(secretId)).VersionIdsToStages;
}

// ---- Databases (test side: the drivers directly) -------------------------------------------

export interface Login {
  host: string;
  port: number;
  username: string;
  password: string;
  dbname?: string;
}

export interface DatabaseOps {
  kind: 'postgres' | 'mysql';
  /** The secret's `dbname`. */
  dbname: string;
  port(): number;
  admin(): Login;
  /** Runs statements as the server's admin (setup only). */
  createUser(name: string, password: string): Promise<void>;
  /** Whether these credentials log in over TLS that verifies the server; and which user it is. */
  login(c: Login): Promise<{ ok: boolean; user?: string; tls?: boolean }>;
  /** Whether the user can read the canary table (privileges carried to clones). */
  canRead(c: Login): Promise<boolean>;
  canaryIntact(): Promise<boolean>;
  setPasswordAsAdmin(name: string, password: string): Promise<void>;
  /** Revokes the canary read from `name` (a DBA tightening the base user). */
  revokeRead(name: string): Promise<void>;
  /** Runs one statement as the admin (setup only), with `?` values (MySQL) or none. */
  adminExec(sql: string): Promise<void>;
}

async function pgAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const s = services().postgres;
  const c = new Client({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    ssl: { ca: CA(), rejectUnauthorized: true },
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export const pgOps: DatabaseOps = {
  kind: 'postgres',
  dbname: 'postgres',
  port: () => services().postgres.port,
  admin: () => {
    const s = services().postgres;
    return { host: s.host, port: s.port, username: s.user, password: s.password, dbname: s.database };
  },
  createUser: (name, password) =>
    pgAdmin(async (c) => {
      await c.query('CREATE TABLE IF NOT EXISTS rotation_canary (id int)');
      await c.query(`CREATE ROLE ${c.escapeIdentifier(name)} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
      await c.query(`GRANT SELECT ON rotation_canary TO ${c.escapeIdentifier(name)}`);
    }),
  setPasswordAsAdmin: (name, password) =>
    pgAdmin(async (c) => void (await c.query(`ALTER ROLE ${c.escapeIdentifier(name)} PASSWORD ${c.escapeLiteral(password)}`))),
  revokeRead: (name) => pgAdmin(async (c) => void (await c.query(`REVOKE SELECT ON rotation_canary FROM ${c.escapeIdentifier(name)}`))),
  adminExec: (sql) => pgAdmin(async (c) => void (await c.query(sql))),
  async login(l) {
    const c = new Client({
      host: l.host,
      port: l.port,
      user: l.username,
      password: l.password,
      database: l.dbname ?? 'postgres',
      ssl: { ca: CA(), rejectUnauthorized: true },
    });
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => undefined);
      if ((e as { code?: string }).code === '28P01') return { ok: false };
      throw e;
    }
    try {
      const r = await c.query('SELECT current_user AS u, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls');
      return { ok: true, user: r.rows[0].u, tls: r.rows[0].tls };
    } finally {
      await c.end();
    }
  },
  async canRead(l) {
    const c = new Client({
      host: l.host,
      port: l.port,
      user: l.username,
      password: l.password,
      database: 'postgres',
      ssl: { ca: CA(), rejectUnauthorized: true },
    });
    await c.connect();
    try {
      await c.query('SELECT count(*) FROM rotation_canary');
      return true;
    } catch {
      return false;
    } finally {
      await c.end();
    }
  },
  canaryIntact: () => pgAdmin(async (c) => (await c.query("SELECT to_regclass('public.rotation_canary') IS NOT NULL AS ok")).rows[0].ok),
};

async function myAdmin<T>(fn: (c: mysql2.Connection) => Promise<T>): Promise<T> {
  const s = services().mysql;
  const c = await mysql2.createConnection({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    ssl: { ca: CA(), rejectUnauthorized: true },
  });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export const mysqlOps: DatabaseOps = {
  kind: 'mysql',
  dbname: 'rotationdb',
  port: () => services().mysql.port,
  admin: () => {
    const s = services().mysql;
    return { host: s.host, port: s.port, username: s.user, password: s.password };
  },
  createUser: (name, password) =>
    myAdmin(async (c) => {
      await c.query('CREATE DATABASE IF NOT EXISTS rotationdb');
      await c.query('CREATE TABLE IF NOT EXISTS rotationdb.canary (id int)');
      await c.query("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
      await c.query("GRANT SELECT ON rotationdb.* TO ?@'%'", [name]);
      // A second privilege in the database, so revoking the read still lets the user USE it.
      await c.query("GRANT INSERT ON rotationdb.canary TO ?@'%'", [name]);
    }),
  setPasswordAsAdmin: (name, password) => myAdmin(async (c) => void (await c.query("ALTER USER ?@'%' IDENTIFIED BY ?", [name, password]))),
  revokeRead: (name) => myAdmin(async (c) => void (await c.query("REVOKE SELECT ON rotationdb.* FROM ?@'%'", [name]))),
  adminExec: (sql) => myAdmin(async (c) => void (await c.query(sql))),
  async login(l) {
    let c: mysql2.Connection;
    try {
      c = await mysql2.createConnection({
        host: l.host,
        port: l.port,
        user: l.username,
        password: l.password,
        ssl: { ca: CA(), rejectUnauthorized: true },
      });
    } catch (e) {
      if ((e as { errno?: number }).errno === 1045) return { ok: false };
      throw e;
    }
    try {
      const [who] = await c.query<mysql2.RowDataPacket[]>('SELECT CURRENT_USER() AS u');
      const [status] = await c.query<mysql2.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      const u = String(who[0].u);
      return { ok: true, user: u.slice(0, u.lastIndexOf('@')), tls: String(status[0]?.Value ?? '') !== '' };
    } finally {
      await c.end();
    }
  },
  async canRead(l) {
    const c = await mysql2.createConnection({
      host: l.host,
      port: l.port,
      user: l.username,
      password: l.password,
      ssl: { ca: CA(), rejectUnauthorized: true },
    });
    try {
      await c.query('SELECT count(*) FROM rotationdb.canary');
      return true;
    } catch {
      return false;
    } finally {
      await c.end();
    }
  },
  canaryIntact: () =>
    myAdmin(
      async (c) =>
        ((
          await c.query<mysql2.RowDataPacket[]>(
            "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'rotationdb' AND TABLE_NAME = 'canary'",
          )
        )[0][0].n as number) === 1,
    ),
};
