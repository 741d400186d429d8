/**
 * Single mutations of a valid catalog set, the mistakes a team makes in one edit: a field changed
 * to a plausible bad value, a required field dropped, an id duplicated, a reader or admin that
 * names nothing, a value taken from another environment, an unknown field. Each names what it
 * touched (the environment, and the secret when it touched one), so a refusal can be checked to
 * name it. Whether a mutation must be refused is not decided here: the property is that the
 * platform either refuses it in one clear line or builds stacks that keep every invariant.
 */
import fc from 'fast-check';
import type { EnvironmentConfig } from '../../catalogs/types';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Mutation {
  /** What was changed, for the failure message: `production secret orders_db: rotation.strategy = "alternating"`. */
  readonly what: string;
  /** The environments the mistake involves (the refusal must name one of them). */
  readonly environments: readonly string[];
  /** The secret it touched, when it touched one (the refusal must name it, or an environment-wide subject). */
  readonly secretId?: string;
}

type G = fc.GeneratorValue;
const pick = <T>(g: G, xs: readonly T[]): T => g(fc.constantFrom, ...xs);
/** One of `xs`, or undefined when there is none. */
const maybe = <T>(g: G, xs: readonly T[]): T | undefined => (xs.length > 0 ? pick(g, xs) : undefined);

interface Target {
  envs: Json[];
  env: Json;
  g: G;
}
type Mutator = (t: Target) => (Omit<Mutation, 'environments'> & { environments?: string[] }) | undefined;

const secretOf = (t: Target, want: (s: Json) => boolean = () => true): Json | undefined => {
  return maybe(t.g, t.env.secrets.filter(want));
};
const set = (t: Target, s: Json, field: string, value: unknown) => {
  const parts = field.split('.');
  let o = s;
  for (const p of parts.slice(0, -1)) o = o[p];
  if (value === undefined) delete o[parts[parts.length - 1]];
  else o[parts[parts.length - 1]] = value;
  return { what: `${t.env.name} secret ${s.id}: ${field} = ${JSON.stringify(value)}`, secretId: s.id };
};
const setEnv = (t: Target, path: string, value: unknown) => {
  const parts = path.split('.');
  let o = t.env;
  for (const p of parts.slice(0, -1)) o = o[p];
  if (value === undefined) delete o[parts[parts.length - 1]];
  else o[parts[parts.length - 1]] = value;
  return { what: `${t.env.name}: ${path} = ${JSON.stringify(value)}` };
};
const other = (t: Target) => t.envs.filter((e) => e !== t.env);
const prefix = (name: string) => ({ dev: 'dev', staging: 'staging', production: 'prod' })[name] ?? name;
/** Secrets that drive another's rotation (a reader or an ECS service on them is a second mistake). */
const adminIds = (env: Json) =>
  new Set<string>(env.secrets.flatMap((s: Json) => (s.rotation?.adminSecret ? [s.rotation.adminSecret] : [])));

/** A field of a secret to a plausible bad value. */
const SECRET_FIELDS: Mutator[] = [
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, 'category', pick(t.g, ['api-key', 'databases', 'secrets', 'Database']));
  },
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, 'recoveryWindowDays', pick(t.g, [3, 45, 7.5, 0, -1, 365]));
  },
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, 'service', pick(t.g, ['zahlungsdienst-ü', '', 'billing service', 'a:b']));
  },
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, 'type', pick(t.g, ['key-abc123', 'token/', '']));
  },
  (t) => {
    const s = secretOf(t);
    return (
      s &&
      set(
        t,
        s,
        'description',
        pick(t.g, ['Payments login. '.repeat(129).slice(0, 2049), 42, '', '   ', 'TODO', '-', 'Legacy login; password=Summer2024!xyz']),
      )
    );
  },
  (t) => {
    const s = secretOf(t);
    const p = prefix(t.env.name);
    return s && set(t, s, 'name', pick(t.g, [`other/${s.id}`, `${p}/legacy app key`, `${p}/${'x'.repeat(510)}`, `${p}/app/key-abc123`]));
  },
  (t) => {
    const s = secretOf(t, (x) => !x.awsManagedKey);
    const twice = t.env.region === 'eu-west-1' ? 'eu-north-1' : 'eu-west-1';
    return s && set(t, s, 'replicas', pick(t.g, [[t.env.region], ['us-east-7'], ['cn-north-1'], [twice, twice], 'us-west-2']));
  },
  (t) => {
    const s = secretOf(t, (x) => !x.rotation && !(x.ecs ?? []).some((a: Json) => (a.inject ?? []).length > 0));
    return (
      s &&
      set(
        t,
        s,
        'value',
        pick(t.g, [
          { kind: 'deploytime' },
          { kind: 'generated', generator: { length: 8 } },
          { kind: 'generated', generator: { length: 5000 } },
          { kind: 'json', fields: {} },
          { kind: 'external' },
          ...(t.env.name === 'dev' ? [{ kind: 'binary-file', path: 'fixtures/no-such-file.der' }] : []),
        ]),
      )
    );
  },
  (t) => {
    const s = secretOf(t, (x) => x.value.kind === 'json');
    if (!s) return undefined;
    const keys = ['smtp_password', 'api_token', 'DATABASE_URL', 'note'].filter(
      (k) => !(k in s.value.fields) && !(k in (s.value.generated ?? {})) && !(s.value.deployTime ?? []).includes(k),
    );
    return set(
      t,
      s,
      `value.fields.${pick(t.g, keys)}`,
      pick(t.g, [
        'hunter2-hunter2',
        'postgres://app:pa55word@db.internal/app',
        'AKIAIOSFODNN7EXAMPLE',
        'ghp_0123456789abcdefghijABCDEFGHIJ012345',
      ]),
    );
  },
  (t) => {
    const s = secretOf(t, (x) => x.value.kind === 'json');
    return s && set(t, s, 'value.deployTime', [...(s.value.deployTime ?? []), pick(t.g, ['smtp-api-key', 'smtp password', ''])]);
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation);
    return (
      s &&
      set(
        t,
        s,
        'rotation.schedule',
        pick(t.g, [
          { afterDays: 0 },
          { afterDays: 365 },
          { expression: 'rate(1 hour)' },
          { expression: 'cron(0 * * * ? *)' },
          { afterDays: 30, window: '25h' },
          { afterDays: 30, expression: 'rate(1 day)' },
          {},
          { expression: 'every day' },
        ]),
      )
    );
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database');
    return s && set(t, s, 'rotation.strategy', pick(t.g, ['alternating', 'multi-user', 'admin', 'alternating-users', 'single-user']));
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database');
    return s && set(t, s, 'rotation.engine', pick(t.g, ['postgresql', 'mysql', 'postgres', 'mariadb', 'oracle']));
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database');
    return s && set(t, s, 'rotation.tls', pick(t.g, ['disabled', 'verify', 'require']));
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database' && x.value.kind === 'json');
    return (
      s &&
      set(
        t,
        s,
        'value.fields.host',
        pick(t.g, ['localhost', 'postgres://db.internal:5432/app', 'db.cluster-ro-abc123.us-east-1.rds.amazonaws.com', '']),
      )
    );
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database' && x.value.kind === 'json');
    return s && set(t, s, 'value.fields.port', pick(t.g, ['5432', 70000, s.rotation.engine === 'postgres' ? 3306 : 5432]));
  },
  (t) => {
    // Each still admits the database's address when it is one, so the CIDR is the only mistake.
    const s = secretOf(t, (x) => x.rotation?.kind === 'database');
    const host = s?.value.kind === 'json' && /^\d+\.\d+\.\d+\.\d+$/.test(s.value.fields.host) ? s.value.fields.host : '10.0.1.5';
    return (
      s &&
      set(t, s, 'rotation.databaseCidrs', pick(t.g, [['0.0.0.0/0'], [`${host}/16`], [`${host.split('.').slice(0, 3).join('.')}.300/32`]]))
    );
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'generated');
    return s && set(t, s, 'rotation.length', pick(t.g, [8, 5000, 12.5]));
  },
  (t) => {
    const s = secretOf(t, (x) => (x.ecs?.[0]?.inject ?? []).length > 0);
    return s && set(t, s, 'ecs.0.inject.0.env', pick(t.g, ['1BAD', 'AWS_ACCESS_KEY_ID', 'api-key']));
  },
  (t) => {
    const s = secretOf(t, (x) => (x.ecs ?? []).length > 0);
    return s && set(t, s, 'ecs.0.service', pick(t.g, ['my service', 'x'.repeat(70), 'svc/api']));
  },
  (t) => {
    const s = secretOf(t, (x) => (x.ecs ?? []).length > 0);
    return s && set(t, s, 'ecs.0', { service: s.ecs[0].service });
  },
  (t) => {
    const s = secretOf(t);
    return (
      s &&
      set(
        t,
        s,
        'tags',
        pick(t.g, [
          { 'aws:owner': 'x' },
          { 'rotation:format': 'hex' },
          { k: 'v'.repeat(300) },
          { 'bad<key>': 'v' },
          { Environment: 'elsewhere' },
        ]),
      )
    );
  },
  (t) => {
    const s = secretOf(
      t,
      (x) => !x.replicas && (x.readers ?? []).some((r: string) => ['account', 'organization'].includes(t.env.readers[r]?.kind)),
    );
    return s && set(t, s, 'awsManagedKey', true);
  },
  (t) => {
    const s = secretOf(t, (x) => !x.rotation);
    return s && set(t, s, 'noRotationReason', pick(t.g, [undefined, 'n/a']));
  },
];

/** An environment-wide setting to a plausible bad value. */
const ENV_FIELDS: Mutator[] = [
  (t) => setEnv(t, 'accountId', pick(t.g, ['12345', '1234567890123', 123456789012])),
  (t) => setEnv(t, 'region', pick(t.g, ['us-east-7', 'cn-north-1', 'US-EAST-1', 'useast1'])),
  (t) => setEnv(t, 'keyDeletionWindowDays', pick(t.g, [5, 45, 14.5])),
  (t) => setEnv(t, 'recoveryWindowDays', pick(t.g, [3, 60, -7])),
  (t) => setEnv(t, 'logRetentionDays', pick(t.g, [100, 0, 10000])),
  (t) => setEnv(t, 'breakGlass.roleName', pick(t.g, ['arn:aws:iam::123456789012:role/x', 'admin*', 'break glass'])),
  (t) =>
    setEnv(t, 'deployRoleArn', pick(t.g, ['not-an-arn', 'arn:aws:iam::123:role/deploy', `arn:aws:iam::${t.env.accountId}:user/deploy`])),
  (t) => setEnv(t, 'alertEmail', pick(t.g, ['alerts-at-example.com', 'alerts@', ''])),
  (t) => setEnv(t, 'owner', pick(t.g, ['  ', '', ' team '])),
  (t) => {
    const before = t.env.name;
    t.env.name = pick(t.g, ['prod', 'Production', 'qa']);
    return {
      what: `${before}: name = ${JSON.stringify(t.env.name)}`,
      environments: [before, t.env.name, `catalog #${t.envs.indexOf(t.env) + 1}`],
    };
  },
  (t) => setEnv(t, 'tags', pick(t.g, [{ 'aws:team': 'x' }, { environment: 'x' }, { Team: 'a'.repeat(257) }])),
  (t) => (t.env.network ? setEnv(t, 'network.vpcId', pick(t.g, ['vpc-123', 'vpc-XYZ00000', ''])) : undefined),
  (t) =>
    t.env.network
      ? setEnv(t, 'network.subnetIds', pick(t.g, [[], ['subnet-1'], [t.env.network.subnetIds[0], t.env.network.subnetIds[0]]]))
      : undefined,
  (t) =>
    t.env.network && t.env.network.createSecretsManagerEndpoint !== false
      ? setEnv(t, 'network.endpointClientCidrs', pick(t.g, [['10.0.0.0/8'], ['0.0.0.0/0'], ['0.0.0.0/1', '128.0.0.0/1'], ['10.0.0.1/24']]))
      : undefined,
  (t) => {
    const names = Object.keys(t.env.readers).filter((n) => t.env.readers[n].kind === 'account');
    if (names.length === 0) return undefined;
    const n = pick(t.g, names);
    const r = t.env.readers[n];
    const [field, value] = pick(t.g, [
      ['accountId', '12345678901'],
      ['accountId', t.env.accountId],
      ['roleNames', ['*']],
      ['roleNames', ['arn:aws:iam::111111111111:role/x']],
      ['roleNames', []],
    ] as Array<[string, unknown]>);
    r[field] = value;
    return { what: `${t.env.name}: reader ${n}: ${field} = ${JSON.stringify(value)}` };
  },
  (t) => {
    const names = Object.keys(t.env.readers).filter((n) => t.env.readers[n].kind === 'organization');
    if (names.length === 0) return undefined;
    const n = pick(t.g, names);
    t.env.readers[n].organizationId = pick(t.g, ['org-123', 'o-SHORT', 'o-']);
    return { what: `${t.env.name}: reader ${n}: organizationId = ${t.env.readers[n].organizationId}` };
  },
];

/** A required field dropped. */
const DROPS: Mutator[] = [
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, pick(t.g, ['description', 'service', 'component', 'type', 'category', 'value', 'id']), undefined);
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation);
    return s && set(t, s, pick(t.g, ['rotation.schedule', 'rotation.kind']), undefined);
  },
  (t) => setEnv(t, pick(t.g, ['breakGlass', 'owner', 'costCenter', 'region', 'accountId', 'readers', 'secrets']), undefined),
];

/** An id duplicated; a reader or admin pointing at nothing; an unknown field. */
const REFERENCES: Mutator[] = [
  (t) => {
    // The secret that takes another's id is one no rotation names as its admin (else the rename is a second mistake).
    const admins = adminIds(t.env);
    const b = maybe<Json>(
      t.g,
      t.env.secrets.filter((x: Json) => !admins.has(x.id)),
    );
    const a =
      b &&
      maybe<Json>(
        t.g,
        t.env.secrets.filter((x: Json) => x !== b),
      );
    if (!a || !b) return undefined;
    const before = b.id;
    b.id = a.id;
    return { what: `${t.env.name}: secret ${before} takes the id of ${a.id}`, secretId: a.id };
  },
  (t) => {
    const admins = adminIds(t.env);
    const s = secretOf(t, (x) => !admins.has(x.id));
    return s && set(t, s, 'readers', [...(s.readers ?? []), pick(t.g, ['ghost', 'app-acounts', 'partners'])]);
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database' && x.rotation.adminSecret);
    return s && set(t, s, 'rotation.adminSecret', pick(t.g, ['ghost', `${s.rotation.adminSecret}x`, s.id]));
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database' && x.rotation.strategy !== 'single-user');
    return s && set(t, s, 'rotation.adminSecret', undefined);
  },
  (t) => {
    const s = secretOf(t, (x) => x.rotation?.kind === 'database' && x.rotation.strategy === 'single-user');
    return (
      s &&
      set(
        t,
        s,
        'rotation.adminSecret',
        pick(
          t.g,
          t.env.secrets.map((x: Json) => x.id),
        ),
      )
    );
  },
  (t) => {
    const s = secretOf(t);
    return s && set(t, s, pick(t.g, ['replica', 'reader', 'rotations', 'kmsKey']), ['x']);
  },
  (t) => setEnv(t, pick(t.g, ['account', 'secret', 'networks']), 'x'),
];

/** Something taken from another environment. */
const CROSS: Mutator[] = [
  (t) => {
    const o = other(t);
    if (o.length === 0) return undefined;
    const src = pick(t.g, o);
    t.env.accountId = src.accountId;
    return { what: `${t.env.name}: accountId = ${src.name}'s`, environments: [t.env.name, src.name] };
  },
  (t) => {
    const o = other(t);
    const names = Object.keys(t.env.readers).filter((n) => t.env.readers[n].kind === 'account');
    if (o.length === 0 || names.length === 0) return undefined;
    const src = pick(t.g, o);
    const n = pick(t.g, names);
    t.env.readers[n].accountId = src.accountId;
    return { what: `${t.env.name}: reader ${n} in ${src.name}'s account`, environments: [t.env.name, src.name] };
  },
  (t) => {
    const src = maybe(
      t.g,
      other(t).filter((e) => e.network),
    );
    if (!src || !t.env.network) return undefined;
    t.env.network.vpcId = src.network.vpcId;
    return { what: `${t.env.name}: network.vpcId = ${src.name}'s`, environments: [t.env.name, src.name] };
  },
  (t) => {
    const o = other(t);
    const s = secretOf(t);
    if (o.length === 0 || !s) return undefined;
    const src = pick(t.g, o);
    s.name = `${prefix(src.name)}/${s.service}/${s.component}/${s.type}`;
    return { what: `${t.env.name} secret ${s.id}: named under ${src.name}'s prefix`, secretId: s.id, environments: [t.env.name, src.name] };
  },
  (t) => {
    const src = maybe(t.g, other(t));
    if (!src || !t.env.deployRoleArn) return undefined;
    t.env.deployRoleArn = `arn:aws:iam::${src.accountId}:role/secrets-platform-deploy`;
    return { what: `${t.env.name}: deployRoleArn in ${src.name}'s account`, environments: [t.env.name, src.name] };
  },
  (t) => {
    const src = maybe(t.g, other(t));
    if (!src) return undefined;
    t.envs.push(structuredClone({ ...src }));
    return { what: `${src.name} declared twice`, environments: [src.name] };
  },
];

export const MUTATION_KINDS = {
  'field to a bad value': SECRET_FIELDS,
  'environment setting to a bad value': ENV_FIELDS,
  'required field dropped': DROPS,
  'id duplicated, reference to nothing, unknown field': REFERENCES,
  'across environments': CROSS,
} as const;

/** A valid catalog set with one mistake in it (a copy: the input is left alone). */
export function mutated(valid: fc.Arbitrary<EnvironmentConfig[]>): fc.Arbitrary<{ catalogs: Json[]; mutation: Mutation; kind: string }> {
  return fc.tuple(valid, fc.gen()).map(([catalogs, g]) => {
    const envs = structuredClone(catalogs) as Json[];
    const kinds = Object.keys(MUTATION_KINDS) as Array<keyof typeof MUTATION_KINDS>;
    for (let attempt = 0; attempt < 20; attempt++) {
      const kind = pick(g, kinds);
      const env = pick(g, envs);
      const m = pick(g, MUTATION_KINDS[kind] as readonly Mutator[])({ envs, env, g });
      if (m) return { catalogs: envs, kind, mutation: { ...m, environments: m.environments ?? [env.name] } };
    }
    const env = envs[0];
    env.owner = ' ';
    return {
      catalogs: envs,
      kind: 'environment setting to a bad value',
      mutation: { what: `${env.name}: owner = " "`, environments: [env.name] },
    };
  });
}

/**
 * One mistake, several lines: the cascades the guardrails print today, as families (a root rule
 * and the rules that repeat it), reported to the rules' owners with the catalogs that show them
 * (issue 19 asks for one line per mistake, and no line that points elsewhere than the cause). A
 * multi-line refusal passes only when its rules are one family's root and some of its echoes;
 * any other fails the property. `namesAnother`: the family's lines name the secrets that depend on
 * the one changed, not the one changed. Remove a family when its rules stop cascading.
 */
export const KNOWN_CASCADES: Array<{ root: string; echoes: string[]; why: string; namesAnother?: boolean }> = [
  { root: 'ACCT-ID', echoes: ['ACCT-DEPLOY-ROLE'], why: 'a malformed accountId also puts the deploy role "in another account"' },
  {
    root: 'ACCT-SHARED',
    echoes: ['ACCT-DEPLOY-ROLE'],
    why: 'an account taken from another environment also puts the deploy role "in another account"',
  },
  {
    root: 'CAT-ID-DUPLICATE',
    echoes: ['VALUE-VARIABLE-COLLIDE', 'ACCESS-MASTER-READERS', 'ROT-ADMIN-FIELDS', 'ROT-ADMIN-SELF', 'ROT-ADMIN-ENGINE', 'ROT-ADMIN-HOST'],
    why: 'a duplicated id also collides its derived Terraform names ("for secret itself"), and an admin\'s duplicated id is judged as the other secret',
  },
  {
    root: 'ROT-ADMIN-UNUSED',
    echoes: ['ACCESS-MASTER-READERS', 'ROT-ADMIN-ENGINE', 'ROT-FIRST-PASSWORD'],
    why: "a single-user rotation's ignored adminSecret makes the secret it names a master, and is checked for its engine; a strategy switched to single-user also can no longer set a generated first password (both lines name the strategy as the fix)",
  },
  { root: 'ROT-ADMIN-SELF', echoes: ['ACCESS-MASTER-READERS'], why: 'adminSecret naming the secret itself makes it a master with readers' },
  {
    root: 'ROT-ENGINE-MISMATCH',
    echoes: ['ROT-ADMIN-ENGINE', 'ROT-DATABASE-PORT'],
    why: "a rotation engine changed: its port and its admin's engine are reported too",
  },
  {
    root: 'ROT-ADMIN-ENGINE',
    echoes: [],
    why: "an admin's engine changed: one line per login it drives, on the logins",
    namesAnother: true,
  },
  {
    root: 'ROT-DATABASE-ENDPOINT',
    echoes: ['ROT-ADMIN-HOST'],
    why: 'a loopback or reader host: also "name the admin secret of localhost"',
  },
  { root: 'ROT-DATABASE-HOST', echoes: ['ROT-ADMIN-HOST'], why: 'a host that is a URL: also the admin host check' },
  { root: 'ROT-DATABASE-PORT', echoes: ['ROT-ADMIN-HOST'], why: 'a port out of range: also the admin port check' },
  { root: 'ROT-ADMIN-HOST', echoes: [], why: "an admin's host changed: one line per login it drives, on the logins", namesAnother: true },
  {
    root: 'REGION-PARTITION',
    echoes: ['ARN-PARTITION', 'REGION-REPLICA-PARTITION'],
    why: 'a region of another partition: also the deploy role ARN and every replica',
  },
  {
    root: 'ECS-SERVICE-NAME',
    echoes: ['IAM-ROLE-NAME', 'ECS-REPOSITORY'],
    why: 'a bad ECS service name: also its repository default and both role names',
  },
  { root: 'IAM-ROLE-NAME', echoes: [], why: 'a long ECS service name: one line per role' },
  { root: 'NET-CIDR-OPEN', echoes: ['NET-ENDPOINT-CLIENTS'], why: '0.0.0.0/0 as an endpoint client: open, and broader than /24' },
  {
    root: 'VALUE-JSON-KEY-CHARS',
    echoes: ['VALUE-VARIABLE-NAME', 'VALUE-DEPLOY-NAME'],
    why: 'a deploy-time JSON key with a space: the key and its variable',
  },
  { root: 'NET-ENV-ID', echoes: [], why: 'a network id taken from another environment: reported in both' },
  {
    root: 'SM-NAME-LENGTH',
    echoes: ['TAG-VALUE-LENGTH'],
    why: "an admin secret's name over 512 characters: also the rotation:admin-secret tag (256) of each login it drives",
  },
  {
    root: 'TAG-VALUE-LENGTH',
    echoes: [],
    why: "an admin secret's name over 256 characters: the rotation:admin-secret tag of each login it drives, on the logins (their fix text says to shorten the tag, which is the platform's: a known gap)",
    namesAnother: true,
  },
  { root: 'TAG-ENVIRONMENT', echoes: ['TAG-KEY-CASE'], why: 'an environment tag "environment": another value, and a case collision' },
];
export const knownCascade = (rules: string[]) =>
  KNOWN_CASCADES.find((c) => rules.includes(c.root) && rules.every((r) => r === c.root || c.echoes.includes(r)));
