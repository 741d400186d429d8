/**
 * fast-check arbitraries for catalogs: valid catalog sets generated from the schema
 * (catalogs/schema.ts) and the guardrails (rules/), and single mutations of them.
 *
 * A generated set holds one to three environments (distinct accounts, network ids and database
 * hosts), each with readers of every kind (accounts with one or more roles, organisations, IAM
 * roles of the account, IAM paths where the platform takes them), secrets of every value kind
 * (deploy-time, generated, external text/binary/JSON, JSON with literal, generated and deploy-time
 * keys, binary files where allowed), databases on each engine with each rotation strategy (single
 * user, admin secret, alternating users driven by a master) and TLS mode, generated-value rotation
 * of whole values and JSON keys, schedules of each form, ECS services that inject or read at run
 * time, replicas in other Regions, AWS-managed-key secrets, name overrides and tags.
 *
 * Valid means what the README and the guardrails say: dev shares nothing across accounts and
 * replicates nothing; masters are read by rotation only; a value that rotates is read at run time,
 * never injected; each login has one owner; every name, id and tag is one AWS accepts. Where the
 * schema offers an optional field (organizationId, existingEndpointSecurityGroupId, ...), the
 * generator uses it only when catalogs/schema.ts has it (`FEATURES`).
 */
import fc from 'fast-check';
import type { EnvironmentConfig, EnvironmentName, Reader, RotationSchedule, SecretSpec } from '../../catalogs/types';
import { NAME_PREFIX } from '../../catalogs/project';
import { FEATURES } from './features';

type G = fc.GeneratorValue;
// Uniform draws (noBias): fast-check's default bias towards small values and first options would
// turn "2% of catalogs are large" into one in ten, and "0 to 9 secrets" into mostly none.
const uniformOf = <T>(...xs: T[]) => fc.noBias(fc.constantFrom(...xs));
const uniformInt = (min: number, max: number) => fc.noBias(fc.integer({ min, max }));
const uniformSubset = <T>(xs: T[], maxLength: number) => fc.noBias(fc.shuffledSubarray(xs, { minLength: 0, maxLength }));
const pick = <T>(g: G, xs: readonly T[]): T => g(uniformOf, ...xs) as T;
const int = (g: G, min: number, max: number): number => g(uniformInt, min, max);
const chance = (g: G, percent: number): boolean => int(g, 0, 99) < percent;
const subset = <T>(g: G, xs: readonly T[], max = xs.length): T[] => g(uniformSubset, [...xs] as unknown[], Math.min(max, xs.length)) as T[];

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'eu-north-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ca-central-1',
  'sa-east-1',
];
const SERVICES = [
  'orders',
  'billing',
  'payments',
  'search',
  'catalog',
  'identity',
  'ledger',
  'shipping',
  'notifications',
  'reporting',
  'checkout',
  'inventory',
  'fraud',
  'pricing',
];
const VENDORS = ['stripe', 'sendgrid', 'twilio', 'datadog', 'pagerduty', 'algolia', 'segment', 'sentry', 'mapbox', 'okta'];
const TEAMS = ['payments-team', 'platform-team', 'commerce', 'data-eng', 'identity-squad'];
const ROTATION_REASONS = [
  'Issued by the vendor and rolled in its console; the value version is raised after',
  'Rotated by the identity provider on its own schedule, then copied here',
  'Rolling it invalidates every session; rolled with a coordinated key-set release',
  'Mixes vendor tokens rotated at their issuers; its value version is raised to rewrite',
];
/** Valid schedules of every form, each with a window that fits (SCHED-* rules). */
const SCHEDULES: RotationSchedule[] = [
  { afterDays: 1 },
  { afterDays: 7, window: '4h' },
  { afterDays: 14 },
  { afterDays: 30, window: '3h' },
  { afterDays: 30 },
  { afterDays: 60, window: '2h' },
  { afterDays: 90 },
  { expression: 'rate(4 hours)', window: '2h' },
  { expression: 'rate(1 day)' },
  { expression: 'rate(10 days)', window: '4h' },
  { expression: 'cron(0 4 ? * SUN *)', window: '3h' },
  { expression: 'cron(0 2 1 * ? *)' },
  { expression: 'cron(0 0/6 * * ? *)', window: '2h' },
  { expression: 'cron(0 22 ? * MON-FRI *)', window: '2h' },
];

/** Hex of `n` digits from a number (ids that EC2 and STS would accept). */
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

interface Org {
  /** Accounts of the environments and of the readers: all distinct. */
  accounts: string[];
  /** The organisation of production, and of the other environments. */
  prodOrg: string;
  nonProdOrg: string;
  seed: number;
}

/** The per-environment state that keeps names, ids and hosts unique. */
class EnvBuilder {
  readonly secrets: SecretSpec[] = [];
  readonly readers: Record<string, Reader> = {};
  readonly services = new Set<string>();
  private readonly envNames = new Map<string, Set<string>>();
  private readonly ids = new Set<string>();
  private readonly names = new Set<string>();
  private readonly logins = new Set<string>();
  private n = 0;
  private readonly envIndex: number;

  constructor(
    readonly g: G,
    readonly name: EnvironmentName,
    readonly region: string,
    readonly org: Org,
    readonly network: EnvironmentConfig['network'],
    envIndex: number,
  ) {
    this.envIndex = envIndex;
  }

  get prefix(): string {
    return NAME_PREFIX[this.name];
  }
  get shares(): boolean {
    return this.name !== 'dev';
  }

  /** A fresh id (unique in Terraform's normalisation) and name parts (unique as a secret name). */
  identity(service: string, component: string, type: string): Pick<SecretSpec, 'id' | 'service' | 'component' | 'type'> {
    let t = type;
    // A suffix `-v<n>` keeps the name from ending like an ARN suffix (`-` and six characters).
    for (let i = 2; this.names.has(`${service}/${component}/${t}`); i++) t = `${type}-v${i}`;
    this.names.add(`${service}/${component}/${t}`);
    const base = `${service}_${component}_${t}`.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
    let id = base;
    for (let i = 2; this.ids.has(id); i++) id = `${base}_${i}`;
    this.ids.add(id);
    return { id, service, component, type: t };
  }

  /** A database host of this environment: an RDS endpoint, a private name or a private address. */
  host(service: string, engine: string): string {
    const i = ++this.n;
    return pick(this.g, [
      `${service}-${engine}.cluster-${hex(this.org.seed + this.envIndex * 7919 + i, 10)}.${this.region}.rds.amazonaws.com`,
      `${service}-db.${this.name}.example.internal`,
      `10.${10 + this.envIndex}.${i % 250}.${5 + (i % 200)}`,
    ]);
  }

  /** One login per (engine family, host, port, user): the user gets a suffix when taken. */
  login(engine: string, host: string, user: string): string {
    const family = engine === 'postgres' ? 'postgres' : 'mysql';
    let u = user;
    for (let i = 2; this.logins.has(`${family}|${host}|${u}`); i++) u = `${user}${i}`;
    this.logins.add(`${family}|${host}|${u}`);
    this.logins.add(`${family}|${host}|${u}_clone`);
    return u;
  }

  /** A security group id of this environment (distinct from every other environment's). */
  sg(i: number): string {
    return `sg-0${hex(this.envIndex + 1, 2)}${hex(this.org.seed % 0xffff, 4)}${hex(i, 10)}`;
  }

  readerNames(kind: Reader['kind']): string[] {
    return Object.entries(this.readers)
      .filter(([, r]) => r.kind === kind)
      .map(([n]) => n);
  }

  /** Readers for a secret that may be shared: a few of the declared ones (none in dev). */
  someReaders(allowCross: boolean): string[] | undefined {
    const names = Object.entries(this.readers)
      .filter(([, r]) => allowCross || r.kind === 'iam-role')
      .map(([n]) => n);
    const chosen = subset(this.g, names, 3);
    return chosen.length > 0 ? chosen : undefined;
  }

  /** An environment variable name not yet injected into `service`. */
  envName(service: string, base: string): string {
    const taken = this.envNames.get(service) ?? new Set<string>();
    let n = base;
    for (let i = 2; taken.has(n); i++) n = `${base}_${i}`;
    taken.add(n);
    this.envNames.set(service, taken);
    return n;
  }

  ecsService(base: string): string {
    const name = pick(this.g, [base, `${base}-api`, `${base}-worker`, `${base}-web`]);
    this.services.add(name);
    return name;
  }

  /** A schedule; `firstByRotation`: the rotation writes the first value (rotateImmediately may only say so). */
  schedule(firstByRotation = false): RotationSchedule {
    const s = { ...pick(this.g, SCHEDULES) };
    if (chance(this.g, 10)) s.rotateImmediately = firstByRotation;
    return s;
  }

  /** A value version (the values step writes again when it is raised), sometimes. */
  version(): { version?: number } {
    return chance(this.g, 15) ? { version: int(this.g, 1, 5) } : {};
  }

  replicas(): string[] | undefined {
    if (!this.shares || !chance(this.g, 30)) return undefined;
    const r = subset(
      this.g,
      REGIONS.filter((x) => x !== this.region),
      2,
    );
    return r.length > 0 ? r : undefined;
  }

  noRotationReason(): string | undefined {
    return this.name === 'dev' && chance(this.g, 50) ? undefined : pick(this.g, ROTATION_REASONS);
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets, by kind.

function vendorKey(b: EnvBuilder): void {
  const g = b.g;
  const vendor = pick(g, VENDORS);
  const service = pick(g, SERVICES);
  const id = b.identity(service, vendor, pick(g, ['api-key', 'client-credential', 'token', 'webhook-key']));
  const readers = b.someReaders(b.shares);
  const s: SecretSpec = {
    ...id,
    description: `${vendor} credentials of ${service}, issued by ${vendor}`,
    category: pick(g, ['api-keys', 'service-accounts']),
    value: chance(g, 20)
      ? { kind: 'deploy-time', variable: `${id.id}_${pick(g, ['token', 'key', 'secret'])}`.replace(/-/g, '_'), ...b.version() }
      : { kind: 'deploy-time', ...b.version() },
    noRotationReason: b.noRotationReason(),
    ...(readers ? { readers } : {}),
  };
  const replicas = b.replicas();
  if (replicas) s.replicas = replicas;
  if (chance(g, 40)) {
    const svc = b.ecsService(service);
    s.ecs = [
      { service: svc, ...(chance(g, 50) ? { inject: [{ env: b.envName(svc, `${vendor.toUpperCase()}_API_KEY`) }] } : { runtime: true }) },
    ];
  }
  if (!readers?.some((r) => b.readers[r].kind !== 'iam-role') && !replicas && chance(g, 15)) s.awsManagedKey = true;
  b.secrets.push(s);
}

function generatedValue(b: EnvBuilder): void {
  const g = b.g;
  const service = pick(g, SERVICES);
  const format = pick(g, ['alphanumeric', 'password'] as const);
  const s: SecretSpec = {
    ...b.identity(service, pick(g, ['auth', 'session', 'crypto']), pick(g, ['signing-key', 'encryption-key', 'cookie-signing-key'])),
    description: `${service} key generated once at deploy time`,
    category: 'application',
    value: {
      kind: 'generated',
      generator: {
        length: pick(g, [24, 32, 48, 64, 128]),
        format,
        ...(format === 'password' && chance(g, 30) ? { excludeCharacters: '"\'\\`' } : {}),
      },
      ...b.version(),
    },
    noRotationReason: b.noRotationReason(),
  };
  if (chance(g, 50)) {
    const svc = b.ecsService(service);
    s.ecs = [
      {
        service: svc,
        ...(chance(g, 60) ? { inject: [{ env: b.envName(svc, `${service.toUpperCase()}_SIGNING_KEY`) }] } : { runtime: true }),
      },
    ];
  }
  const readers = b.someReaders(false);
  if (readers) s.readers = readers;
  b.secrets.push(s);
}

function external(b: EnvBuilder): void {
  const g = b.g;
  const service = pick(g, SERVICES);
  const format = pick(g, ['text', 'binary', 'json'] as const);
  const s: SecretSpec = {
    ...b.identity(
      service,
      pick(g, ['tls', 'partner', 'sso']),
      format === 'binary' ? pick(g, ['private-key', 'keystore']) : pick(g, ['certificate-key', 'saml-signing', 'bootstrap']),
    ),
    description: `${service} ${format} value uploaded by an operator`,
    category: pick(g, ['service-accounts', 'application']),
    value:
      format === 'json'
        ? {
            kind: 'external',
            format: 'json',
            jsonKeys: subset(g, ['client_id', 'client_secret', 'issuer', 'audience'], 4).concat(['private_key']),
          }
        : { kind: 'external', format },
    noRotationReason: b.noRotationReason(),
  };
  if (chance(g, 30)) s.ecs = [{ service: b.ecsService(service), runtime: true }];
  const readers = b.someReaders(b.shares);
  if (readers) s.readers = readers;
  b.secrets.push(s);
}

function jsonConfig(b: EnvBuilder): void {
  const g = b.g;
  const service = pick(g, SERVICES);
  const fields: Record<string, string | number | boolean> = {};
  for (const [k, v] of subset(g, [
    ['region', b.region],
    ['endpoint', `https://${service}.${b.name}.example.com/v2`],
    ['timeoutSeconds', pick(g, [5, 30, 120])],
    ['retryEnabled', pick(g, [true, false])],
    ['queue_url', `https://sqs.${b.region}.amazonaws.com/${b.org.accounts[0]}/${service}-events`],
    ['feature-flags', 'checkout-v2,fast-refunds'],
  ] as Array<[string, string | number | boolean]>))
    fields[k] = v;
  const generated = Object.fromEntries(
    subset(g, ['CACHE_PASSWORD', 'ENCRYPTION_KEY', 'HMAC_KEY'], 2).map((k) => [
      k,
      { length: pick(g, [32, 40, 64]), format: pick(g, ['alphanumeric', 'password'] as const) },
    ]),
  );
  const deployTime = subset(g, ['SMTP_PASSWORD', 'VENDOR_TOKEN', 'LICENSE_KEY_2026'], 2);
  if (Object.keys(fields).length + Object.keys(generated).length + deployTime.length === 0) fields.region = b.region;
  const s: SecretSpec = {
    ...b.identity(service, 'app', pick(g, ['config', 'settings'])),
    description: `${service} application configuration (JSON)`,
    category: 'application',
    value: {
      kind: 'json',
      fields,
      ...(Object.keys(generated).length > 0 ? { generated } : {}),
      ...(deployTime.length > 0 ? { deployTime } : {}),
      ...b.version(),
    },
    noRotationReason: b.noRotationReason(),
  };
  const keys = [...Object.keys(generated), ...deployTime];
  if (chance(g, 60)) {
    const svc = b.ecsService(service);
    const inject = subset(g, keys, 3).map((k) => ({ env: b.envName(svc, k), jsonKey: k }));
    s.ecs = [{ service: svc, ...(inject.length > 0 ? { inject } : { runtime: true }) }];
  }
  // A generated rotation of one generated key (the others are kept).
  if (Object.keys(generated).length > 0 && chance(g, 25)) {
    const key = pick(g, Object.keys(generated));
    s.rotation = {
      kind: 'generated',
      format: pick(g, ['alphanumeric', 'base64url', 'hex']),
      length: 64,
      jsonKey: key,
      schedule: b.schedule(),
    };
    delete s.noRotationReason;
    // A rotating key is read at run time, never injected.
    for (const a of s.ecs ?? []) {
      a.inject = (a.inject ?? []).filter((i) => i.jsonKey !== key);
      if (a.inject.length === 0) {
        delete a.inject;
        a.runtime = true;
      }
    }
  }
  const readers = b.someReaders(b.shares);
  if (readers) s.readers = readers;
  const replicas = b.replicas();
  if (replicas) s.replicas = replicas;
  b.secrets.push(s);
}

function rotatedToken(b: EnvBuilder): void {
  const g = b.g;
  const service = pick(g, SERVICES);
  const format = pick(g, ['password', 'alphanumeric', 'hex', 'base64', 'base64url'] as const);
  const length = {
    password: pick(g, [32, 64]),
    alphanumeric: pick(g, [32, 48]),
    hex: pick(g, [32, 64]),
    base64: pick(g, [24, 44]),
    base64url: pick(g, [32, 48]),
  }[format];
  const s: SecretSpec = {
    ...b.identity(service, pick(g, ['webhook', 'gateway', 'internal']), pick(g, ['hmac', 'shared-key', 'service-token'])),
    description: `${service} token generated and rotated by the platform`,
    category: 'service-accounts',
    value: { kind: 'external', format: 'text' },
    // The rotation writes the first value of an external text it generates.
    rotation: {
      kind: 'generated',
      format,
      length,
      ...(format === 'password' && chance(g, 30) ? { excludeCharacters: '"\'\\`' } : {}),
      schedule: b.schedule(true),
    },
  };
  const readers = b.someReaders(b.shares);
  if (readers) s.readers = readers;
  if (chance(g, 40)) s.ecs = [{ service: b.ecsService(service), runtime: true }];
  const replicas = b.replicas();
  if (replicas) s.replicas = replicas;
  b.secrets.push(s);
}

function binaryFile(b: EnvBuilder): void {
  if (b.name !== 'dev') return;
  b.secrets.push({
    ...b.identity('partner', 'mtls', 'ca-certificates'),
    description: 'Partner CA bundle (DER), binary from a file',
    category: 'service-accounts',
    value: { kind: 'binary-file', path: 'fixtures/dev-partner-ca.der', ...b.version() },
    noRotationReason: b.noRotationReason(),
  });
}

/** A database with its logins: single user, an admin secret, or a master and alternating users. */
function database(b: EnvBuilder): void {
  const g = b.g;
  if (!b.network) return;
  const engine = pick(g, ['postgres', 'mysql', 'mariadb'] as const);
  const service = pick(g, SERVICES);
  const host = b.host(service, engine);
  const port = engine === 'postgres' ? 5432 : 3306;
  const strategy = pick(g, ['single-user', 'admin', 'alternating-users'] as const);
  const bySecurityGroup = !/^\d/.test(host) || chance(g, 50);
  const target = bySecurityGroup
    ? { databaseSecurityGroupIds: [b.sg(100 + int(g, 0, 5))] }
    : { databaseCidrs: [pick(g, [`${host}/32`, `${host.split('.').slice(0, 3).join('.')}.0/24`])] };
  const tls =
    b.name === 'dev'
      ? pick(g, [undefined, undefined, 'require', 'disabled'] as const)
      : pick(g, [undefined, undefined, undefined, 'require', 'disabled'] as const);
  const tlsFields = {
    ...(tls ? { tls } : {}),
    ...(tls === 'disabled' && b.name !== 'dev' ? { tlsReason: 'Legacy appliance without TLS support; replaced in the next quarter' } : {}),
  };
  const schedule = b.schedule();
  const dbname = service.replace(/-/g, '_');
  // Single-user rotation logs in with the current password: a person supplies the first one at
  // deploy time (ROT-FIRST-PASSWORD); the admin and alternating strategies set it through the admin.
  const loginValue = (user: string, firstPassword: 'deployTime' | 'generated') => ({
    kind: 'json' as const,
    fields: { engine, host, ...(chance(g, 80) ? { port } : {}), dbname, username: user },
    ...(firstPassword === 'deployTime' ? { deployTime: ['password'] } : { generated: { password: {} } }),
    ...b.version(),
  });
  const rotation = (extra: Partial<Extract<NonNullable<SecretSpec['rotation']>, { kind: 'database' }>> = {}) => ({
    kind: 'database' as const,
    engine,
    strategy: 'single-user' as const,
    schedule,
    ...target,
    ...tlsFields,
    ...extra,
  });
  const appUse = (s: SecretSpec) => {
    const readers = b.someReaders(b.shares);
    if (readers) s.readers = readers;
    if (chance(g, 70)) {
      const svc = b.ecsService(service);
      s.ecs = [{ service: svc, runtime: true }];
      // The host and database name do not rotate: they may be injected.
      if (s.rotation?.kind === 'database' && s.rotation.strategy === 'alternating-users' && chance(g, 30))
        s.ecs[0].inject = [{ env: b.envName(svc, 'DB_HOST'), jsonKey: 'host' }];
    }
  };
  if (strategy === 'single-user') {
    const user = b.login(engine, host, `${dbname}_svc`);
    const s: SecretSpec = {
      ...b.identity(service, engine, pick(g, ['credentials', 'service-login'])),
      description: `${service} ${engine} login`,
      category: 'database',
      value: loginValue(user, 'deployTime'),
      rotation: rotation(),
    };
    appUse(s);
    const replicas = b.replicas();
    if (replicas) s.replicas = replicas;
    b.secrets.push(s);
    return;
  }
  // The admin (or master) login: rotated single-user, read by the rotation functions only.
  const adminUser = b.login(engine, host, `${dbname}_rotator`);
  const adminExternal = strategy === 'admin' && chance(g, 50);
  const admin: SecretSpec = {
    ...b.identity(service, engine, strategy === 'admin' ? 'rotation-admin' : 'master-credentials'),
    description: `${service} ${engine} ${strategy === 'admin' ? 'rotation admin' : 'master login'}; read by rotation only`,
    category: 'database',
    value: adminExternal
      ? { kind: 'external', format: 'json', jsonKeys: ['engine', 'host', 'port', 'username', 'password'] }
      : loginValue(adminUser, 'deployTime'),
    rotation: rotation(),
  };
  b.secrets.push(admin);
  for (let i = 0, n = int(g, 1, 2); i < n; i++) {
    const user = b.login(engine, host, `${dbname}_${pick(g, ['app', 'reporting', 'batch'])}`);
    const s: SecretSpec = {
      ...b.identity(service, engine, pick(g, ['app-credentials', 'credentials', 'service-login'])),
      description: `${service} ${engine} login ${user} (${strategy})`,
      category: 'database',
      value: loginValue(user, 'generated'),
      rotation: rotation({ strategy, adminSecret: admin.id }),
    };
    appUse(s);
    b.secrets.push(s);
  }
}

// ---------------------------------------------------------------------------------------------
// Readers and environments.

function readers(b: EnvBuilder): void {
  const g = b.g;
  const accounts = b.org.accounts.slice(3);
  let used = 0;
  const role = (name: string) =>
    FEATURES.iamPaths && chance(g, 25) ? `${pick(g, ['service-role/', 'app/', '/teams/data/'])}${name}` : name;
  if (b.shares) {
    for (const name of subset(g, ['apps', 'partner', 'monitoring', 'analytics'], 3)) {
      b.readers[name] = {
        kind: 'account',
        accountId: accounts[used++ % accounts.length],
        roleNames: [...new Set(subset(g, ['secrets-reader', `${name}-service`, 'batch-jobs'], 2).concat([`${name}-reader`]))].map(role),
      };
    }
    // An organisation reader only where it cannot reach another environment's accounts (READER-ENV-ORG).
    if ((!FEATURES.organizationId || b.name === 'production') && chance(g, 30)) {
      b.readers.organisation = {
        kind: 'organization',
        organizationId: FEATURES.organizationId ? b.org.prodOrg : b.org.nonProdOrg,
        description: 'every account of the organisation',
      };
    }
  }
  for (const name of subset(g, ['reports-lambda', 'batch-instance', 'etl-job'], 2))
    b.readers[`${name}`] = { kind: 'iam-role', roleName: role(`${name}-role`) };
}

function network(g: G, name: EnvironmentName, envIndex: number, seed: number): EnvironmentConfig['network'] {
  const id = (kind: string, i: number) => `${kind}-0${hex(envIndex + 1, 2)}${hex(seed % 0xffff, 4)}${hex(i, 10)}`;
  const subnets = Array.from({ length: int(g, 2, 3) }, (_, i) => id('subnet', 0x10 + i));
  const existing = FEATURES.existingEndpoint && chance(g, 15);
  if (existing)
    return {
      vpcId: id('vpc', 1),
      subnetIds: subnets,
      createSecretsManagerEndpoint: false,
      existingEndpointSecurityGroupId: id('sg', 0x99),
    } as EnvironmentConfig['network'];
  const byCidr = chance(g, 30);
  return {
    vpcId: id('vpc', 1),
    subnetIds: subnets,
    ...(byCidr
      ? { endpointClientCidrs: [`10.${10 + envIndex}.${int(g, 1, 99)}.0/24`, `10.${10 + envIndex}.200.${pick(g, [0, 64, 128])}/26`] }
      : { endpointClientSecurityGroupIds: Array.from({ length: int(g, 1, 3) }, (_, i) => id('sg', 0x30 + i)) }),
    ...(name === 'production' && chance(g, 10) ? { createSecretsManagerEndpoint: true } : {}),
  };
}

const KINDS: Array<[number, (b: EnvBuilder) => void]> = [
  [4, vendorKey],
  [2, generatedValue],
  [2, external],
  [3, jsonConfig],
  [2, rotatedToken],
  [3, database],
  [1, binaryFile],
];

function environment(g: G, name: EnvironmentName, envIndex: number, org: Org, large: boolean, minSecrets: number): EnvironmentConfig {
  const region = pick(g, REGIONS);
  const accountId = org.accounts[envIndex];
  const hasNetwork = chance(g, 85);
  const b = new EnvBuilder(g, name, region, org, hasNetwork ? network(g, name, envIndex, org.seed) : undefined, envIndex);
  readers(b);
  const weighted = KINDS.flatMap(([w, f]) => Array<typeof f>(w).fill(f));
  const count = large ? int(g, 41, 46) : int(g, 0, 9);
  if (large) for (let i = 0; i < count; i++) rotatedToken(b);
  else for (let i = 0; i < count; i++) pick(g, weighted)(b);
  // Some kinds add nothing (a database without a network, a binary file outside dev).
  for (let i = 0; b.secrets.length < minSecrets && i < 20; i++) pick(g, weighted)(b);
  const deployName = pick(g, ['secrets-platform-deploy', 'terraform-deployer', 'ci/secrets-deployer']);
  const env: EnvironmentConfig = {
    name,
    accountId,
    region,
    ...(b.secrets.length > 0 || chance(g, 70) ? { deployRoleArn: `arn:aws:iam::${accountId}:role/${deployName}` } : {}),
    breakGlass: {
      roleName: pick(g, ['secrets-platform-break-glass', 'BreakGlassAdmin', 'emergency-access']),
      ...(chance(g, 50) ? { description: 'Assumed only through the audited emergency procedure' } : {}),
      ...(chance(g, 20)
        ? { permissionSet: 'EmergencyAccess' }
        : chance(g, 10)
          ? { mfaPrincipals: [`arn:aws:iam::${accountId}:user/oncall-lead`] }
          : {}),
    },
    ...(chance(g, 20)
      ? {
          operator: chance(g, 50)
            ? { permissionSet: 'PlatformOperators' }
            : { mfaPrincipals: [`arn:aws:iam::${accountId}:role/ops-admins`] },
        }
      : {}),
    owner: pick(g, TEAMS),
    costCenter: pick(g, ['cc-1042', 'platform-security', `${name}-infra`]),
    recoveryWindowDays: name === 'production' ? 30 : name === 'dev' ? pick(g, [0, 7, 10]) : pick(g, [7, 14, 30]),
    keyDeletionWindowDays: name === 'production' ? 30 : pick(g, [7, 14, 30]),
    logRetentionDays: pick(g, [30, 90, 365, 731, 3653]),
    readers: b.readers,
    ...(b.network ? { network: b.network } : {}),
    ...(chance(g, 60) ? { alertEmail: pick(g, ['platform-alerts@example.com', 'secops+alerts@example.org']) } : {}),
    secrets: b.secrets,
    ...(chance(g, 30) ? { tags: { Team: pick(g, TEAMS), ...(chance(g, 50) ? { DataClassification: 'confidential' } : {}) } } : {}),
    ...(FEATURES.organizationId ? { organizationId: name === 'production' ? org.prodOrg : org.nonProdOrg } : {}),
  } as EnvironmentConfig;
  // Every ECS service and every granted IAM-role reader reach the endpoint through a named client (NET-ENDPOINT-NO-CLIENTS).
  for (const s of env.secrets) {
    if (s.recoveryWindowDays === undefined && name !== 'production' && chance(g, 10)) s.recoveryWindowDays = pick(g, [7, 30]);
    if (chance(g, 10)) s.tags = { DataClass: pick(g, ['internal', 'pci', 'pii']) };
  }
  if (b.secrets.length > 0 && chance(g, 10)) b.secrets[0].name = `${b.prefix}/legacy/${b.secrets[0].id}`;
  return env;
}

/** Valid catalog sets: one to three environments, in deployment order. */
export const validCatalogs: fc.Arbitrary<EnvironmentConfig[]> = fc.gen().map((g) => {
  const seed = int(g, 1, 0xfffffff);
  const accounts = g(fc.uniqueArray, fc.integer({ min: 100000000000, max: 999999999999 }), { minLength: 8, maxLength: 8 }).map(String);
  const org: Org = { accounts, seed, prodOrg: `o-p${hex(seed, 9)}`, nonProdOrg: `o-n${hex(seed, 9)}` };
  const names = subset(g, ['dev', 'staging', 'production'] as const);
  const chosen =
    names.length > 0 ? (['dev', 'staging', 'production'] as const).filter((n) => names.includes(n)) : (['production'] as const);
  const large = chance(g, 3);
  // A catalog set holds at least one secret (an environment of its own may hold none).
  const out: EnvironmentConfig[] = [];
  for (const [i, name] of chosen.entries()) {
    const last = i === chosen.length - 1;
    out.push(environment(g, name, i, org, large && last, last && out.every((e) => e.secrets.length === 0) ? 1 : 0));
  }
  return out;
});
