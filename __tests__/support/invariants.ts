/**
 * Invariants that hold for ANY valid catalog: each compares the synthesized stacks with what the
 * catalogs say, computed here from the catalog alone (names, readers, ECS services, rotation
 * groups are derived in this file the way the README documents them, never taken from the plan),
 * so a derivation that goes wrong in plan/, stacks/ or modules/ shows up as a difference.
 *
 * Used three ways: by the unit tests over the shipped catalogs (whatever they hold), by the
 * fixture tests (__tests__/support/fixtures.ts, where every feature is present), and by the
 * property-based proofs over generated catalogs (__tests__/proofs/catalog-properties.test.ts).
 * Each check returns its failures as lines (`<environment>: <what differs>`); none means it holds.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { MIN_TLS_ENV, rulesFromTags, STRATEGY_ENV, TAG, TLS_MODES, type TlsMode } from '../../lambdas/rotation/contract';
import { CI_ROLE_NAMES, NAME_PREFIX, PROJECT, stateBackendFor, WORKLOAD_ROLE_PATH } from '../../catalogs/project';
import type { EnvironmentConfig, SecretSpec } from '../../catalogs/types';
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { rotationGroupKey } from '../../plan/derive';
import { partitionOf } from '../../plan/partitions';
import { POLICY_LIMITS } from '../../plan/policy';
import type { EnvironmentPlan } from '../../plan/types';
import { VALUE_VERSION_TAG, VALUE_WRITTEN_TAG } from '../../plan/values';
import { loadStack, resolverFor, type StackModel } from '../../tools/access/model';
import { cloudTrailEvent } from '../access/cloudtrail-events';
import { matchPattern } from './event-pattern';
import { synth, type Synthesized, type TfJson } from './synth';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const valuesScript = require('../../tools/ci/values.cjs');

/** The catalogs and what `synthApp` made of them. */
export interface World {
  readonly catalogs: readonly EnvironmentConfig[];
  readonly plans: readonly EnvironmentPlan[];
  readonly out: Synthesized;
  /** The access-proof model of each environment stack (Terraform references resolved). */
  readonly models: Readonly<Record<string, StackModel>>;
}

/** Synthesizes `inputs` (which must be valid) and reads everything back. */
export function synthWorld(inputs: readonly EnvironmentConfig[]): World {
  const { catalogs, problems } = parseCatalogs(inputs);
  if (problems.length > 0) throw new Error(`catalogs do not fit the schema: ${problems.map((p) => p.message).join('; ')}`);
  const out = synth([...inputs]);
  const models: Record<string, StackModel> = {};
  for (const env of catalogs) models[env.name] = loadStack(env.name, out.stacks[env.name]);
  return { catalogs, plans: catalogs.map(planEnvironment), out, models };
}

export type Area =
  | 'stacks'
  | 'secrets'
  | 'keys'
  | 'access'
  | 'ecs'
  | 'rotation'
  | 'network'
  | 'security'
  | 'values'
  | 'monitoring'
  | 'state'
  | 'report';

export interface Invariant {
  readonly id: string;
  readonly area: Area;
  /** One line: what holds for every valid catalog. */
  readonly title: string;
  check(w: World): string[];
}

// ---------------------------------------------------------------------------------------------
// What the catalog says, derived here (README: "Adding a secret", "Access proof", "Rotation").

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const same = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
/** JSON with object keys sorted (Terraform JSON does not keep the order they were written in). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
const show = (xs: readonly string[]) => `[${[...xs].sort().join(', ')}]`;
const tfSafe = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
const prefixOf = (env: EnvironmentConfig) => NAME_PREFIX[env.name];
const partition = (env: EnvironmentConfig) => partitionOf(env.region) ?? 'aws';

export const secretNameOf = (env: EnvironmentConfig, s: SecretSpec) => s.name ?? `${prefixOf(env)}/${s.service}/${s.component}/${s.type}`;
/** The ARN the access-proof model resolves a secret reference to (its suffix estimated). */
const secretArnOf = (env: EnvironmentConfig, s: SecretSpec, region = env.region) =>
  `arn:aws:secretsmanager:${region}:${env.accountId}:secret:${secretNameOf(env, s)}-AbCdEf`;
/** Replicas are named in documents by pattern: the provider exports no replica ARN. */
const replicaPatternOf = (env: EnvironmentConfig, s: SecretSpec, region: string) =>
  `arn:${partition(env)}:secretsmanager:${region}:${env.accountId}:secret:${secretNameOf(env, s)}-??????`;
/** The ARNs a read grant of `s` names: the secret and each replica. */
const grantArns = (env: EnvironmentConfig, s: SecretSpec) => [
  secretArnOf(env, s),
  ...(s.replicas ?? []).map((r) => replicaPatternOf(env, s, r)),
];
const roleArnOf = (env: EnvironmentConfig, name: string, account = env.accountId) => `arn:${partition(env)}:iam::${account}:role/${name}`;
/** Roles the environment stack creates (ECS, rotation, forwarding) live under the workload path. */
const workloadRoleArnOf = (env: EnvironmentConfig, name: string) =>
  `arn:${partition(env)}:iam::${env.accountId}:role${WORKLOAD_ROLE_PATH}${name}`;
/** The deploy role the bootstrap creates: the catalog's deployRoleArn's name, else the default. */
const deployRoleNameOf = (env: EnvironmentConfig) => env.deployRoleArn?.split(':role/')[1]?.split('/').pop() ?? CI_ROLE_NAMES.deploy;

/**
 * Who writes the first value (docs/values.md): a generated rotation when it creates the value
 * (external values, or generated ones it rotates whole); operators for other external values; the
 * values step for everything else.
 */
export function firstValueBy(s: SecretSpec): 'rotation' | 'operator' | 'values step' {
  const rotatesWhole = s.rotation?.kind === 'generated' && s.rotation.jsonKey === undefined;
  if (s.value.kind === 'external') return s.rotation?.kind === 'generated' ? 'rotation' : 'operator';
  if (s.value.kind === 'generated' && rotatesWhole) return 'rotation';
  return 'values step';
}
/** A reader role as the catalog names it, `[path/]name`: its name, and its ARN with the path (IAM identifiers). */
function readerRole(env: EnvironmentConfig, ref: string, account = env.accountId): { name: string; arn: string } {
  const i = ref.lastIndexOf('/');
  const name = ref.slice(i + 1);
  const path = i < 0 ? '/' : ref.slice(0, i + 1).replace(/^(?!\/)/, '/');
  return { name, arn: `arn:${partition(env)}:iam::${account}:role${path}${name}` };
}
export const keyAliasOf = (env: EnvironmentConfig, category: string) => `alias/${PROJECT}/${prefixOf(env)}/${category}`;

/**
 * A rotation's function group: the platform's own key (handler and strategy, and where it keeps
 * them apart the TLS mode), so that the naming is the product's; what the invariants check is
 * that each group's function rotates exactly its secrets, with their strategy and TLS floor.
 */
export function rotationGroupOf(s: SecretSpec): string | undefined {
  return s.rotation ? rotationGroupKey(s.rotation) : undefined;
}
export const rotationFunctionOf = (env: EnvironmentConfig, group: string) => `${prefixOf(env)}-secrets-rotation-${group}`;
const ecsRole = (env: EnvironmentConfig, service: string, kind: 'execution' | 'task') => `${prefixOf(env)}-${service}-ecs-${kind}`;

interface EcsUse {
  inject: Array<{ secret: SecretSpec; env: string; jsonKey?: string }>;
  runtime: SecretSpec[];
  repositories: string[];
}
export function ecsServicesOf(env: EnvironmentConfig): Map<string, EcsUse> {
  const out = new Map<string, EcsUse>();
  for (const s of env.secrets) {
    for (const a of s.ecs ?? []) {
      const u = out.get(a.service) ?? { inject: [], runtime: [], repositories: [] };
      for (const i of a.inject ?? []) u.inject.push({ secret: s, env: i.env, jsonKey: i.jsonKey });
      if (a.runtime && !u.runtime.includes(s)) u.runtime.push(s);
      for (const r of a.repositories ?? []) if (!u.repositories.includes(r)) u.repositories.push(r);
      out.set(a.service, u);
    }
  }
  return out;
}

/** Secrets that drive another secret's rotation (masters, rotation admins). */
export function adminIdsOf(env: EnvironmentConfig): Set<string> {
  return new Set(env.secrets.flatMap((s) => (s.rotation?.kind === 'database' && s.rotation.adminSecret ? [s.rotation.adminSecret] : [])));
}

const readerOf = (env: EnvironmentConfig, name: string) => (Object.hasOwn(env.readers, name) ? env.readers[name] : undefined);
type CrossReader = Extract<EnvironmentConfig['readers'][string], { kind: 'account' | 'organization' }>;
const crossAccountReaders = (env: EnvironmentConfig, s: SecretSpec): CrossReader[] =>
  [...new Set(s.readers ?? [])].map((n) => readerOf(env, n)).filter((r): r is CrossReader => !!r && r.kind !== 'iam-role');

/** The IAM-role readers (role ARNs, path kept) the catalog names for `s`. */
function namedReaderArns(env: EnvironmentConfig, s: SecretSpec): string[] {
  return [
    ...new Set(
      (s.readers ?? [])
        .map((n) => readerOf(env, n))
        .filter((r) => r?.kind === 'iam-role')
        .map((r) => readerRole(env, (r as { roleName: string }).roleName).arn),
    ),
  ];
}

/** Role ARNs that read the value of `s` in this account (README "Access proof": who reads what). */
function sameAccountReaders(env: EnvironmentConfig, s: SecretSpec): string[] {
  const out = new Set<string>();
  for (const n of s.readers ?? []) {
    const r = readerOf(env, n);
    if (r?.kind === 'iam-role') out.add(readerRole(env, r.roleName).arn);
  }
  for (const a of s.ecs ?? []) {
    if ((a.inject ?? []).length > 0) out.add(workloadRoleArnOf(env, ecsRole(env, a.service, 'execution')));
    if (a.runtime) out.add(workloadRoleArnOf(env, ecsRole(env, a.service, 'task')));
  }
  const group = rotationGroupOf(s);
  if (group) out.add(workloadRoleArnOf(env, `${rotationFunctionOf(env, group)}-role`));
  for (const other of env.secrets) {
    if (other.rotation?.kind === 'database' && other.rotation.adminSecret === s.id)
      out.add(workloadRoleArnOf(env, `${rotationFunctionOf(env, rotationGroupOf(other)!)}-role`));
  }
  // No pipeline role reads a value (V7): not the deploy role, not the values step.
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Reading the synthesized stacks.

/** IAM's wildcard match of a policy resource or action (`*`, `?`) against a concrete one. */
export const iamGlob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

const resources = (tf: TfJson, type: string): Array<[string, Json]> => Object.entries(tf.resource?.[type] ?? {});
const refName = (s: unknown) => (typeof s === 'string' ? /^\$\{[a-z0-9_]+\.([A-Za-z0-9_-]+)\./.exec(s)?.[1] : undefined);
const statements = (doc: { Statement: Json[] } | undefined) => doc?.Statement ?? [];
const sid = (doc: { Statement: Json[] } | undefined, id: string) => statements(doc).find((x) => x.Sid === id);
/** Size as AWS counts it: the JSON without insignificant whitespace. */
const size = (text: string) => JSON.stringify(JSON.parse(text)).length;

/** Resources in the secret's own region whose `secret_id`/`secret_arn` names it. */
function secretLogical(tf: TfJson, name: string): string | undefined {
  return resources(tf, 'aws_secretsmanager_secret').find(([, b]) => b.name === name)?.[0];
}

function forEachEnv(w: World, f: (env: EnvironmentConfig, tf: TfJson, model: StackModel, fail: (m: string) => void) => void): string[] {
  const out: string[] = [];
  for (const env of w.catalogs) {
    const tf = w.out.stacks[env.name];
    if (!tf) {
      out.push(`${env.name}: no stack was written`);
      continue;
    }
    f(env, tf, w.models[env.name], (m) => out.push(`${env.name}: ${m}`));
  }
  return out;
}

/** The key ARN (resolved) of a category in a region, found through its alias. */
function categoryKeyArn(model: StackModel, env: EnvironmentConfig, category: string, region: string): string | undefined {
  return model.keys.find((k) => k.alias === keyAliasOf(env, category) && k.region === region)?.arn;
}

// ---------------------------------------------------------------------------------------------
// The invariants.

export const INVARIANTS: Invariant[] = [
  {
    id: 'stacks-per-environment',
    area: 'stacks',
    title: 'one stack per environment, one state backend and one CI-access stack per environment account, nothing else',
    check: (w) => {
      const expected = w.catalogs.flatMap((e) => [e.name, `state-backend-${e.name}`, `ci-access-${e.name}`]);
      const out: string[] = [];
      if (!same(Object.keys(w.out.stacks), expected)) out.push(`stacks ${show(Object.keys(w.out.stacks))}, expected ${show(expected)}`);
      for (const name of expected)
        if (!existsSync(path.join(w.out.outdir, 'stacks', name, 'cdk.tf.json'))) out.push(`${name}: cdk.tf.json missing`);
      return out;
    },
  },
  {
    id: 'secrets-exactly-the-catalog',
    area: 'secrets',
    title: 'every secret of the catalog, and no other, with its derived name, description, recovery window, tags and outputs',
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        const names = resources(tf, 'aws_secretsmanager_secret').map(([, b]) => b.name as string);
        const expected = env.secrets.map((s) => secretNameOf(env, s));
        if (!same(names, expected)) fail(`secrets ${show(names)}, expected ${show(expected)}`);
        for (const s of env.secrets) {
          const logical = secretLogical(tf, secretNameOf(env, s));
          if (!logical) continue;
          const b = tf.resource!.aws_secretsmanager_secret[logical];
          const window = s.recoveryWindowDays ?? env.recoveryWindowDays;
          if (b.description !== s.description) fail(`${s.id}: description differs from the catalog`);
          if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(b.name) || /-[A-Za-z0-9]{6}$/.test(b.name))
            fail(`${s.id}: name ${b.name} breaks Secrets Manager's naming rules (SM-5)`);
          if (b.recovery_window_in_days !== window) fail(`${s.id}: recovery window ${b.recovery_window_in_days}, catalog says ${window}`);
          const tags = b.tags ?? {};
          const want: Record<string, string> = { Service: s.service, Component: s.component, Category: s.category, ...(s.tags ?? {}) };
          for (const [k, v] of Object.entries(want)) if (tags[k] !== v) fail(`${s.id}: tag ${k}="${tags[k]}", expected "${v}"`);
          const o = (suffix: string) => tf.output?.[`secret_${tfSafe(s.id)}_${suffix}`]?.value;
          if (o('arn') !== `\${aws_secretsmanager_secret.${logical}.arn}` || o('name') !== `\${aws_secretsmanager_secret.${logical}.name}`)
            fail(`${s.id}: missing or wrong secret_${tfSafe(s.id)}_arn/_name outputs`);
        }
      }),
  },
  {
    id: 'key-per-category',
    area: 'keys',
    title: "every secret is under its category's customer-managed key (unless awsManagedKey), in its region and each replica region",
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        for (const s of env.secrets) {
          const fact = model.secrets.find((f) => f.name === secretNameOf(env, s));
          if (!fact) continue;
          const regions = [env.region, ...(s.replicas ?? [])];
          if (!same(Object.keys(fact.arnByRegion), regions))
            fail(`${s.id}: lives in ${show(Object.keys(fact.arnByRegion))}, catalog says ${show(regions)}`);
          for (const r of regions) {
            const want = s.awsManagedKey ? undefined : categoryKeyArn(model, env, s.category, r);
            if (!s.awsManagedKey && !want) fail(`${s.id}: no ${s.category} key in ${r}`);
            if (fact.keyByRegion[r] !== want)
              fail(
                `${s.id}: in ${r} under ${fact.keyByRegion[r] ?? 'the AWS-managed key'}, expected ${s.awsManagedKey ? 'the AWS-managed key' : `the ${s.category} key`}`,
              );
          }
        }
        // Keys: one per category in use (replicated where its secrets are), the monitoring key, and the artifacts key with rotation.
        const used = new Map<string, Set<string>>();
        for (const s of env.secrets.filter((x) => !x.awsManagedKey)) {
          const regions = used.get(s.category) ?? new Set([env.region]);
          for (const r of s.replicas ?? []) regions.add(r);
          used.set(s.category, regions);
        }
        const expected = [...used].flatMap(([c, regions]) => [...regions].map((r) => `${keyAliasOf(env, c)}@${r}`));
        expected.push(`${keyAliasOf(env, 'monitoring')}@${env.region}`);
        if (env.secrets.some((s) => s.rotation)) expected.push(`${keyAliasOf(env, 'artifacts')}@${env.region}`);
        const actual = model.keys.map((k) => `${k.alias}@${k.region}`);
        if (!same(actual, expected)) fail(`keys ${show(actual)}, expected ${show(expected)}`);
        for (const [, k] of resources(tf, 'aws_kms_key')) {
          if (k.enable_key_rotation !== true) fail('a key without yearly rotation');
          if (k.deletion_window_in_days !== env.keyDeletionWindowDays)
            fail(`a key with deletion window ${k.deletion_window_in_days}, catalog says ${env.keyDeletionWindowDays}`);
        }
        for (const [, rk] of resources(tf, 'aws_kms_replica_key')) {
          const primary = tf.resource!.aws_kms_key[refName(rk.primary_key_arn)!];
          if (!primary?.multi_region) fail(`replica key in ${rk.region} of a key that is not multi-Region`);
        }
      }),
  },
  {
    id: 'key-policies',
    area: 'keys',
    title:
      'key policies: administration by the account only, use through Secrets Manager only, decrypt for exactly the readers of the secrets under the key in its Region',
    check: (w) =>
      forEachEnv(w, (env, _tf, model, fail) => {
        const root = `arn:aws:iam::${env.accountId}:root`;
        for (const k of model.keys) {
          const admin = sid(k.policy, 'KeyAdministrationByAccount');
          if (
            !admin ||
            JSON.stringify(admin.Principal) !== JSON.stringify({ AWS: root }) ||
            !arr(admin.Action).includes('kms:PutKeyPolicy') ||
            arr(admin.Action).includes('kms:Decrypt')
          )
            fail(`${k.alias} [${k.region}]: KeyAdministrationByAccount is not the account root without decrypt`);
          const category = k.alias?.split('/').pop();
          // The secrets under the key in this Region: all of its category in the primary Region, those replicated here in a replica Region.
          const under = env.secrets.filter(
            (s) => !s.awsManagedKey && s.category === category && (k.region === env.region || (s.replicas ?? []).includes(k.region)),
          );
          const isSecretKey = !['monitoring', 'artifacts'].includes(category ?? '');
          if (isSecretKey) {
            const via = sid(k.policy, 'AccountPrincipalsThroughServices');
            const services = arr(via?.Condition?.StringEquals?.['kms:ViaService']);
            if (
              !via ||
              JSON.stringify(via.Principal) !== JSON.stringify({ AWS: root }) ||
              !same(services, [`secretsmanager.${k.region}.amazonaws.com`]) ||
              via.Condition.StringEquals['kms:CallerAccount'] !== env.accountId
            ) {
              fail(`${k.alias} [${k.region}]: account principals may use it other than through Secrets Manager in ${k.region}`);
            }
          }
          // Principals besides the account: exactly the readers of the secrets under it, through Secrets Manager.
          const accounts = new Map<string, Set<string>>();
          const orgs = new Set<string>();
          const named = new Set<string>();
          for (const s of under) {
            for (const r of crossAccountReaders(env, s)) {
              if (r.kind === 'account')
                for (const rn of r.roleNames)
                  accounts.set(r.accountId, (accounts.get(r.accountId) ?? new Set()).add(readerRole(env, rn, r.accountId).arn));
              else orgs.add(r.organizationId);
            }
            for (const a of namedReaderArns(env, s)) named.add(a);
          }
          const allows = statements(k.policy).filter((st) => st.Effect === 'Allow');
          const cross = allows.filter((st) => String(st.Sid).startsWith('CrossAccountDecrypt'));
          const got = cross.map((st) => st.Principal?.AWS as string);
          const want = [...accounts.keys()].map((a) => `arn:aws:iam::${a}:root`);
          if (!same(got, want)) fail(`${k.alias} [${k.region}]: decrypt granted to ${show(got)}, readers are ${show(want)}`);
          for (const st of cross) {
            const account = (st.Principal.AWS as string).split(':')[4];
            const roles = arr<string>(st.Condition?.ArnLike?.['aws:PrincipalArn']);
            if (!same(roles, [...(accounts.get(account) ?? [])]))
              fail(
                `${k.alias} [${k.region}]: roles of ${account} ${show(roles)}, catalog names ${show([...(accounts.get(account) ?? [])])}`,
              );
            if (
              st.Condition?.StringEquals?.['kms:ViaService'] !== `secretsmanager.${k.region}.amazonaws.com` ||
              !same(arr(st.Action), ['kms:Decrypt', 'kms:DescribeKey'])
            )
              fail(`${k.alias} [${k.region}]: ${account} may use the key other than Decrypt through Secrets Manager`);
          }
          const orgStatements = allows.filter((st) => st.Condition?.StringEquals?.['aws:PrincipalOrgID']);
          const gotOrgs = orgStatements.map((st) => st.Condition.StringEquals['aws:PrincipalOrgID'] as string);
          if (!same(gotOrgs, [...orgs])) fail(`${k.alias} [${k.region}]: organisations ${show(gotOrgs)}, catalog names ${show([...orgs])}`);
          const namedSt = sid(k.policy, 'NamedRolesOfThisAccountThroughSecretsManager');
          if (!same(arr(namedSt?.Principal?.AWS), [...named]))
            fail(
              `${k.alias} [${k.region}]: roles of this account ${show(arr(namedSt?.Principal?.AWS))} decrypt, the catalog's IAM-role readers are ${show([...named])}`,
            );
          if (
            namedSt &&
            (!arr(namedSt.Condition?.StringEquals?.['kms:ViaService']).includes(`secretsmanager.${k.region}.amazonaws.com`) ||
              namedSt.Condition?.StringEquals?.['kms:CallerAccount'] !== env.accountId)
          )
            fail(`${k.alias} [${k.region}]: named roles decrypt other than through Secrets Manager`);
          const known = new Set([...cross, ...orgStatements, ...(namedSt ? [namedSt] : [])]);
          for (const st of allows) {
            const p = st.Principal;
            if (known.has(st) || p?.AWS === root || p?.Service) continue;
            fail(`${k.alias} [${k.region}]: statement ${st.Sid} grants ${JSON.stringify(p)}, whom the catalog does not name`);
          }
        }
      }),
  },
  {
    id: 'secret-policies',
    area: 'access',
    title:
      'every secret has a deny-by-default policy: Allow only for its cross-account readers (AWSCURRENT), reads, writes and management only by the principals the catalog names',
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const breakGlass = roleArnOf(env, env.breakGlass.roleName);
        for (const s of env.secrets) {
          const name = secretNameOf(env, s);
          const logical = secretLogical(tf, name);
          const policies = resources(tf, 'aws_secretsmanager_secret_policy').filter(([, b]) => refName(b.secret_arn) === logical);
          if (policies.length !== 1) {
            fail(`${s.id}: ${policies.length} resource policies`);
            continue;
          }
          const [, p] = policies[0];
          if (p.block_public_policy !== true) fail(`${s.id}: public policies not blocked`);
          if (size(p.policy) > POLICY_LIMITS.secretResourcePolicy)
            fail(`${s.id}: resource policy ${size(p.policy)} > ${POLICY_LIMITS.secretResourcePolicy}`);
          const doc = model.secrets.find((f) => f.name === name)!.resourcePolicy!;
          const resource = [secretArnOf(env, s), ...(s.replicas ?? []).map((r) => replicaPatternOf(env, s, r))];
          const cross = crossAccountReaders(env, s);
          const accounts = new Map<string, Set<string>>();
          const orgs = new Set<string>();
          for (const r of cross) {
            if (r.kind === 'account')
              for (const rn of r.roleNames)
                accounts.set(r.accountId, (accounts.get(r.accountId) ?? new Set()).add(readerRole(env, rn, r.accountId).arn));
            else orgs.add(r.organizationId);
          }
          const allows = statements(doc).filter((st) => st.Effect === 'Allow');
          // Roles of this account the catalog names as readers: one statement, every stage, read and describe.
          const named = sid(doc, 'ReadByNamedRolesOfThisAccount');
          const wantNamed = namedReaderArns(env, s);
          if (!same(arr(named?.Principal?.AWS), wantNamed))
            fail(`${s.id}: roles of this account ${show(arr(named?.Principal?.AWS))} read it, the catalog names ${show(wantNamed)}`);
          if (
            named &&
            (!same(arr(named.Action), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) || named.Condition !== undefined)
          )
            fail(`${s.id}: the named roles' statement is not read and describe, unconditioned`);
          const crossAllows = allows.filter((st) => st !== named);
          const reads = crossAllows.filter((st) => st.Action === 'secretsmanager:GetSecretValue');
          const describes = crossAllows.filter((st) => st.Action === 'secretsmanager:DescribeSecret');
          if (reads.length + describes.length !== crossAllows.length) fail(`${s.id}: an Allow for other actions than read and describe`);
          const grantee = (st: Json) =>
            st.Principal === '*' ? `org ${st.Condition?.StringEquals?.['aws:PrincipalOrgID']}` : st.Principal?.AWS;
          const wantGrantees = [...[...accounts.keys()].map((a) => `arn:aws:iam::${a}:root`), ...[...orgs].map((o) => `org ${o}`)];
          for (const [what, list] of [
            ['reads', reads],
            ['describes', describes],
          ] as const) {
            if (!same(list.map(grantee), wantGrantees))
              fail(`${s.id}: Allow ${what} for ${show(list.map(grantee))}, cross-account readers are ${show(wantGrantees)}`);
          }
          for (const st of allows)
            if (!same(arr(st.Resource), resource))
              fail(`${s.id}: an Allow names ${show(arr(st.Resource))}, not the secret and its replicas`);
          for (const st of crossAllows) {
            if (st.Principal !== '*') {
              const account = (st.Principal.AWS as string).split(':')[4];
              if (!same(arr(st.Condition?.ArnLike?.['aws:PrincipalArn']), [...(accounts.get(account) ?? [])]))
                fail(
                  `${s.id}: ${account} roles ${show(arr(st.Condition?.ArnLike?.['aws:PrincipalArn']))}, catalog names ${show([...(accounts.get(account) ?? [])])}`,
                );
            }
            if (
              st.Action === 'secretsmanager:GetSecretValue' &&
              st.Condition?.StringEquals?.['secretsmanager:VersionStage'] !== 'AWSCURRENT'
            )
              fail(`${s.id}: a cross-account read not pinned to AWSCURRENT`);
          }
          // Deny by default, exempting exactly the principals the catalog names (docs/values.md, V1-V7):
          // readers read; rotation, the values step (what it writes) and the operator write; the deploy
          // role, the values step and the operator manage; break-glass may do everything.
          const crossRoles = [...accounts.values()].flatMap((x) => [...x]);
          const exempt = (id: string) => arr<string>(sid(doc, id)?.Condition?.ArnNotLike?.['aws:PrincipalArn']);
          const values = firstValueBy(s) === 'values step' ? [roleArnOf(env, CI_ROLE_NAMES.values)] : [];
          const operator = roleArnOf(env, CI_ROLE_NAMES.operator);
          const wantReaders = [...new Set([...sameAccountReaders(env, s), ...crossRoles, breakGlass])];
          if (!same(exempt('DenyValueReadsToUnnamed'), wantReaders))
            fail(`${s.id}: value reads exempted for ${show(exempt('DenyValueReadsToUnnamed'))}, catalog names ${show(wantReaders)}`);
          if (orgs.size > 0 && !sid(doc, 'DenyValueReadsToUnnamedInThisAccount'))
            fail(`${s.id}: an organisation reader exempts this account's own principals`);
          const group = rotationGroupOf(s);
          const writers = [
            ...new Set([
              ...(group ? [workloadRoleArnOf(env, `${rotationFunctionOf(env, group)}-role`)] : []),
              ...values,
              operator,
              breakGlass,
            ]),
          ];
          if (!same(exempt('DenyValueWritesToUnnamed'), writers))
            fail(`${s.id}: value writes exempted for ${show(exempt('DenyValueWritesToUnnamed'))}, expected ${show(writers)}`);
          const managers = [...new Set([roleArnOf(env, deployRoleNameOf(env)), ...values, operator, breakGlass])];
          if (!same(exempt('DenyManagementToUnnamed'), managers))
            fail(`${s.id}: management exempted for ${show(exempt('DenyManagementToUnnamed'))}, expected ${show(managers)}`);
          for (const st of statements(doc).filter((x) => x.Effect === 'Deny')) {
            if (st.Condition?.BoolIfExists?.['aws:PrincipalIsAWSService'] !== 'false')
              fail(`${s.id}: ${st.Sid} also denies AWS services acting as themselves`);
            if (!same(arr(st.Resource), resource)) fail(`${s.id}: ${st.Sid} does not cover the secret and its replicas`);
          }
        }
      }),
  },
  {
    id: 'reader-grants-exact',
    area: 'access',
    title:
      "every reader's grant names exactly the secrets that list it (and their replicas and keys), and readers no secret lists get nothing",
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const granted = new Map<string, SecretSpec[]>();
        for (const s of env.secrets) for (const n of new Set(s.readers ?? [])) granted.set(n, [...(granted.get(n) ?? []), s]);
        const keysOf = (ss: SecretSpec[]) =>
          ss.flatMap((s) =>
            s.awsManagedKey ? [] : [env.region, ...(s.replicas ?? [])].map((r) => categoryKeyArn(model, env, s.category, r)!),
          );
        const checkRead = (who: string, doc: { Statement: Json[] }, ss: SecretSpec[]) => {
          const read = sid(doc, 'ReadSecrets');
          const want = ss.flatMap((s) => grantArns(env, s));
          if (!same(arr(read?.Resource), [...new Set(want)]))
            fail(`${who} reads ${show(arr(read?.Resource))}, catalog grants ${show([...new Set(want)])}`);
          if (!same(arr(read?.Action), ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']))
            fail(`${who} may ${show(arr(read?.Action))}`);
          const keys = [...new Set(keysOf(ss))];
          const decrypt = sid(doc, 'DecryptThroughSecretsManager');
          if (!same(arr(decrypt?.Resource), keys))
            fail(`${who} decrypts with ${show(arr(decrypt?.Resource))}, the secrets' keys are ${show(keys)}`);
        };
        for (const [name, ss] of granted) {
          const r = readerOf(env, name);
          if (!r) {
            fail(`reader ${name} is not declared`);
            continue;
          }
          if (r.kind === 'iam-role') {
            // Named in the policy of exactly the secrets that list it (and their keys: key-policies); nothing written into its role.
            const arn = readerRole(env, r.roleName).arn;
            const naming = model.secrets
              .filter((f) => arr(sid(f.resourcePolicy, 'ReadByNamedRolesOfThisAccount')?.Principal?.AWS).includes(arn))
              .map((f) => f.name);
            if (
              !same(
                naming,
                ss.map((x) => secretNameOf(env, x)),
              )
            )
              fail(`reader ${name}: named by ${show(naming)}, it reads ${show(ss.map((x) => secretNameOf(env, x)))}`);
          } else {
            const docs = model.consumerPolicies[tfSafe(name)] ?? [];
            if (docs.length === 0) fail(`reader ${name}: no consumer_policies_${tfSafe(name)} output`);
            for (const [i, d] of docs.entries())
              if (JSON.stringify(d).length > POLICY_LIMITS.iamManagedPolicy)
                fail(`reader ${name}: consumer policy ${i + 1} over ${POLICY_LIMITS.iamManagedPolicy}`);
            const merged = {
              Statement: [
                {
                  Sid: 'ReadSecrets',
                  Action: sid(docs[0], 'ReadSecrets')?.Action,
                  Resource: docs.flatMap((d) => arr(sid(d, 'ReadSecrets')?.Resource)),
                },
                {
                  Sid: 'DecryptThroughSecretsManager',
                  Resource: [...new Set(docs.flatMap((d) => arr(sid(d, 'DecryptThroughSecretsManager')?.Resource)))],
                },
              ],
            };
            const listed = docs.flatMap((d) => arr<string>(sid(d, 'ReadSecrets')?.Resource));
            if (new Set(listed).size !== listed.length) fail(`reader ${name}: a secret is listed in two consumer policies`);
            checkRead(`reader ${name}`, merged, ss);
          }
        }
        const unused = Object.keys(env.readers).filter((n) => !granted.has(n));
        for (const n of unused) {
          const r = env.readers[n];
          if (
            r.kind === 'iam-role'
              ? model.secrets.some(
                  (f) =>
                    JSON.stringify(f.resourcePolicy ?? {}).includes(`"${readerRole(env, r.roleName).arn}"`) &&
                    arr(sid(f.resourcePolicy, 'ReadByNamedRolesOfThisAccount')?.Principal?.AWS).includes(readerRole(env, r.roleName).arn),
                )
              : tf.output?.[`consumer_policies_${tfSafe(n)}`]
          )
            fail(`reader ${n} reads nothing, yet gets a grant`);
        }
        // No stack writes into a role it does not own (V7): no inline policy on any role but its own.
        for (const p of model.externalRolePolicies) fail(`an inline policy on ${p.roleName}, a role this stack does not create`);
        const outputs = Object.keys(model.consumerPolicies);
        const wantOutputs = [...granted.keys()].filter((n) => readerOf(env, n) && readerOf(env, n)!.kind !== 'iam-role').map(tfSafe);
        if (!same(outputs, wantOutputs)) fail(`consumer policies for ${show(outputs)}, expected ${show(wantOutputs)}`);
      }),
  },
  {
    id: 'ecs-roles-exact',
    area: 'ecs',
    title:
      'every ECS service: an execution role that reads exactly the secrets it injects, a task role (only if it reads at run time) that reads exactly those, and its container secrets',
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const services = ecsServicesOf(env);
        const created = model.roles.filter((r) => /-ecs-(execution|task)$/.test(r.name)).map((r) => r.name);
        const want = [...services].flatMap(([svc, u]) => [
          ecsRole(env, svc, 'execution'),
          ...(u.runtime.length > 0 ? [ecsRole(env, svc, 'task')] : []),
        ]);
        if (!same(created, want)) fail(`ECS roles ${show(created)}, expected ${show(want)}`);
        const trust = (role: Json) => {
          const st = statements(role?.trust)[0];
          return (
            st?.Principal?.Service === 'ecs-tasks.amazonaws.com' &&
            st?.Condition?.StringEquals?.['aws:SourceAccount'] === env.accountId &&
            statements(role?.trust).length === 1
          );
        };
        for (const [svc, u] of services) {
          const exec = model.roles.find((r) => r.name === ecsRole(env, svc, 'execution'));
          const task = model.roles.find((r) => r.name === ecsRole(env, svc, 'task'));
          if (!exec) continue;
          if (!trust(exec)) fail(`ECS ${svc}: the execution role trusts more than ECS tasks of this account`);
          const execDoc = exec.policies[0]?.policy;
          const injected = [...new Set(u.inject.map((i) => i.secret))];
          const read = sid(execDoc, 'ReadSecrets');
          const wantRead = [...new Set(injected.flatMap((s) => grantArns(env, s)))];
          if (!same(arr(read?.Resource), wantRead))
            fail(`ECS ${svc}: the execution role reads ${show(arr(read?.Resource))}, it injects ${show(wantRead)}`);
          if (read && read.Action !== 'secretsmanager:GetSecretValue') fail(`ECS ${svc}: the execution role may ${show(arr(read.Action))}`);
          const repos = (u.repositories.length > 0 ? u.repositories : [svc]).map((r) =>
            r.startsWith('arn:') ? r : `arn:${partition(env)}:ecr:${env.region}:${env.accountId}:repository/${r}`,
          );
          if (!same(arr(sid(execDoc, 'PullImagesFromNamedRepositories')?.Resource), repos))
            fail(`ECS ${svc}: pulls from ${show(arr(sid(execDoc, 'PullImagesFromNamedRepositories')?.Resource))}, expected ${show(repos)}`);
          if (task) {
            if (!trust(task)) fail(`ECS ${svc}: the task role trusts more than ECS tasks of this account`);
            const tread = sid(task.policies[0]?.policy, 'ReadSecrets');
            const wantRuntime = [...new Set(u.runtime.flatMap((s) => grantArns(env, s)))];
            if (!same(arr(tread?.Resource), wantRuntime))
              fail(`ECS ${svc}: the task role reads ${show(arr(tread?.Resource))}, it reads at run time ${show(wantRuntime)}`);
          }
          const output = tf.output?.[`ecs_${tfSafe(svc)}`]?.value;
          const resolve = resolverFor(tf, env.accountId, env.region);
          const got = (output?.secrets ?? []).map((c: Json) => `${c.name}=${resolve(c.valueFrom)}`);
          const wantSecrets = u.inject.map((i) => `${i.env}=${secretArnOf(env, i.secret)}${i.jsonKey ? `:${i.jsonKey}::` : ''}`);
          if (JSON.stringify(got) !== JSON.stringify(wantSecrets))
            fail(`ECS ${svc}: container secrets ${JSON.stringify(got)}, expected ${JSON.stringify(wantSecrets)}`);
          const logGroup = resources(tf, 'aws_cloudwatch_log_group').find(([, b]) => b.name === `/ecs/${prefixOf(env)}-${svc}`);
          if (!logGroup) fail(`ECS ${svc}: no log group /ecs/${prefixOf(env)}-${svc}`);
        }
      }),
  },
  {
    id: 'masters-read-by-rotation-only',
    area: 'access',
    title: "a secret that drives another login's rotation is read by no reader and no ECS role, only by rotation roles",
    check: (w) =>
      forEachEnv(w, (env, _tf, model, fail) => {
        for (const id of adminIdsOf(env)) {
          const s = env.secrets.find((x) => x.id === id);
          if (!s) continue;
          const arn = secretArnOf(env, s);
          const holders = [
            ...model.roles
              .filter((r) => !/-secrets-rotation-/.test(r.name))
              .filter((r) => r.policies.some((p) => JSON.stringify(p.policy).includes(arn)))
              .map((r) => r.name),
            ...model.externalRolePolicies.filter((p) => JSON.stringify(p.policy).includes(arn)).map((p) => `reader role ${p.roleName}`),
            ...Object.entries(model.consumerPolicies)
              .filter(([, ds]) => JSON.stringify(ds).includes(arn))
              .map(([n]) => `reader ${n}`),
          ];
          if (holders.length > 0) fail(`master ${id} is readable by ${show(holders)}`);
        }
      }),
  },
  {
    id: 'rotation-wired',
    area: 'rotation',
    title:
      "every rotated secret has exactly one rotation, by the function of its engine and strategy, whose role can rotate it (and read its admin), invoked only by Secrets Manager for it, on the catalog's schedule",
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const groups = new Map<string, SecretSpec[]>();
        for (const s of env.secrets) {
          const g = rotationGroupOf(s);
          if (g) groups.set(g, [...(groups.get(g) ?? []), s]);
        }
        const fns = resources(tf, 'aws_lambda_function');
        const wantFns = [...groups.keys()].map((g) => rotationFunctionOf(env, g));
        if (
          !same(
            fns.map(([, f]) => f.function_name),
            wantFns,
          )
        )
          fail(`rotation functions ${show(fns.map(([, f]) => f.function_name))}, expected ${show(wantFns)}`);
        const rotations = resources(tf, 'aws_secretsmanager_secret_rotation');
        if (rotations.length !== env.secrets.filter((s) => s.rotation).length)
          fail(`${rotations.length} rotations for ${env.secrets.filter((s) => s.rotation).length} rotated secrets`);
        for (const [group, rotated] of groups) {
          const fname = rotationFunctionOf(env, group);
          const fn = fns.find(([, f]) => f.function_name === fname);
          if (!fn) continue;
          const [fnLogical, fnBody] = fn;
          const role = model.roles.find((r) => r.name === `${fname}-role`);
          if (!role) {
            fail(`${fname}: no role ${fname}-role`);
            continue;
          }
          if (fnBody.role !== `\${aws_iam_role.${role.logical}.arn}`) fail(`${fname}: runs as another role`);
          const trust = statements(role.trust);
          if (
            trust.length !== 1 ||
            trust[0].Principal?.Service !== 'lambda.amazonaws.com' ||
            trust[0].Condition?.StringEquals?.['aws:SourceAccount'] !== env.accountId
          )
            fail(`${fname}: its role trusts more than Lambda of this account`);
          const doc = role.policies[0]?.policy;
          const rotate = sid(doc, 'RotateTheseSecrets');
          const rotateActions = [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:ListSecretVersionIds',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ];
          if (!same(arr(rotate?.Action), rotateActions)) fail(`${fname}: rotation actions ${show(arr(rotate?.Action))}`);
          const bulk = rotated.length > 40;
          const bulkArn = `arn:${partition(env)}:secretsmanager:${env.region}:${env.accountId}:secret:${prefixOf(env)}/*`;
          if (bulk) {
            if (rotate?.Resource !== bulkArn || rotate?.Condition?.StringEquals?.['aws:ResourceTag/RotationFunction'] !== fname)
              fail(`${fname}: above 40 secrets, rotation must be by name prefix and RotationFunction tag`);
          } else if (
            !same(
              arr(rotate?.Resource),
              rotated.map((s) => secretArnOf(env, s)),
            )
          )
            fail(`${fname}: may rotate ${show(arr(rotate?.Resource))}, rotates ${show(rotated.map((s) => secretArnOf(env, s)))}`);
          const admins = [
            ...new Set(rotated.flatMap((s) => (s.rotation?.kind === 'database' && s.rotation.adminSecret ? [s.rotation.adminSecret] : []))),
          ]
            .map((id) => env.secrets.find((x) => x.id === id))
            .filter((x): x is SecretSpec => !!x);
          const readAdmins = sid(doc, 'ReadAdminSecrets');
          if (
            !same(
              arr(readAdmins?.Resource),
              admins.map((a) => secretArnOf(env, a)),
            )
          )
            fail(`${fname}: reads admins ${show(arr(readAdmins?.Resource))}, expected ${show(admins.map((a) => secretArnOf(env, a)))}`);
          // Who may invoke it: Secrets Manager, for these secrets (or the name prefix), from this account.
          const perms = resources(tf, 'aws_lambda_permission')
            .filter(([, p]) => refName(p.function_name) === fnLogical)
            .map(([, p]) => p);
          const sources = perms.map((p) => resolverFor(tf, env.accountId, env.region)(p.source_arn));
          if (!same(sources, bulk ? [bulkArn] : rotated.map((s) => secretArnOf(env, s)))) fail(`${fname}: invocable for ${show(sources)}`);
          for (const p of perms)
            if (
              p.principal !== 'secretsmanager.amazonaws.com' ||
              p.source_account !== env.accountId ||
              p.action !== 'lambda:InvokeFunction'
            )
              fail(`${fname}: invocable by ${p.principal} from ${p.source_account}`);
          // Its configuration: the strategy and the weakest TLS its secrets allow; nothing else.
          const first = rotated[0].rotation!;
          if (first.kind === 'database') {
            const tls: TlsMode = rotated
              .map((s) => (s.rotation?.kind === 'database' ? (s.rotation.tls ?? 'verify-full') : 'verify-full'))
              .reduce<TlsMode>((a, b) => (TLS_MODES.indexOf(b) > TLS_MODES.indexOf(a) ? b : a), 'verify-full');
            const want = { [STRATEGY_ENV]: first.strategy, [MIN_TLS_ENV]: tls, NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' };
            if (canonical(fnBody.environment?.variables) !== canonical(want))
              fail(`${fname}: environment ${JSON.stringify(fnBody.environment?.variables)}, expected ${JSON.stringify(want)}`);
          } else if (fnBody.environment) fail(`${fname}: the generated-value function has an environment`);
          if (!!fnBody.vpc_config !== !!env.network) fail(`${fname}: ${env.network ? 'outside' : 'inside'} the VPC`);
          if (env.network && !same(arr(fnBody.vpc_config?.subnet_ids), env.network.subnetIds))
            fail(`${fname}: in subnets ${show(arr(fnBody.vpc_config?.subnet_ids))}, catalog says ${show(env.network.subnetIds)}`);
          const logs = resources(tf, 'aws_cloudwatch_log_group').find(([, b]) => b.name === `/aws/lambda/${fname}`)?.[1];
          if (!logs || logs.retention_in_days !== env.logRetentionDays)
            fail(`${fname}: its log group keeps ${logs?.retention_in_days} days, catalog says ${env.logRetentionDays}`);
          for (const s of rotated) {
            const mine = rotations.filter(([, r]) => resolverFor(tf, env.accountId, env.region)(r.secret_id) === secretArnOf(env, s));
            if (mine.length !== 1) {
              fail(`${s.id}: ${mine.length} rotations`);
              continue;
            }
            const [, r] = mine[0];
            if (r.rotation_lambda_arn !== `\${aws_lambda_function.${fnLogical}.arn}`)
              fail(`${s.id}: rotated by another function than ${fname}`);
            const sc = s.rotation!.schedule;
            // Rotation starts at creation only where it writes the first value (docs/values.md).
            const immediately = firstValueBy(s) === 'rotation';
            if (r.rotate_immediately !== immediately) fail(`${s.id}: rotate_immediately ${r.rotate_immediately}, expected ${immediately}`);
            const rules = { automatically_after_days: sc.afterDays, schedule_expression: sc.expression, duration: sc.window };
            for (const [k, v] of Object.entries(rules))
              if (r.rotation_rules?.[k] !== v) fail(`${s.id}: rotation_rules.${k} ${r.rotation_rules?.[k]}, catalog says ${v}`);
            const days = r.rotation_rules?.automatically_after_days;
            if (
              [days, r.rotation_rules?.schedule_expression].filter((x) => x !== undefined).length !== 1 ||
              (days !== undefined && !(days >= 1 && days <= 90))
            )
              fail(`${s.id}: rotation rules are not exactly one schedule of 1..90 days (SM-6)`);
          }
        }
      }),
  },
  {
    id: 'rotation-tags',
    area: 'rotation',
    title:
      'rotated secrets carry what their handler reads: the function, the admin secret, the pinned user, the TLS mode, the generator rules',
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        for (const s of env.secrets) {
          const body = tf.resource?.aws_secretsmanager_secret?.[secretLogical(tf, secretNameOf(env, s)) ?? ''];
          if (!body) continue;
          const tags = body.tags ?? {};
          const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value: Value as string }));
          const r = s.rotation;
          if (!r) {
            for (const k of Object.keys(tags)) if (/^rotation:|^RotationFunction$/.test(k)) fail(`${s.id}: unrotated, yet tagged ${k}`);
            continue;
          }
          if (tags.RotationFunction !== rotationFunctionOf(env, rotationGroupOf(s)!))
            fail(`${s.id}: RotationFunction tag ${tags.RotationFunction}`);
          if (r.kind === 'generated') {
            try {
              const rules = rulesFromTags(list, { format: 'hex', length: 64 });
              if (
                rules.format !== r.format ||
                rules.length !== r.length ||
                (rules.excludeCharacters ?? '') !== (r.excludeCharacters ?? '') ||
                rules.jsonKey !== r.jsonKey
              )
                fail(`${s.id}: the handler would read ${JSON.stringify(rules)}`);
            } catch (e) {
              fail(`${s.id}: the handler refuses its tags: ${(e as Error).message}`);
            }
          } else {
            const admin = r.adminSecret ? env.secrets.find((x) => x.id === r.adminSecret) : undefined;
            if (tags[TAG.adminSecret] !== (admin ? secretNameOf(env, admin) : undefined))
              fail(`${s.id}: ${TAG.adminSecret}=${tags[TAG.adminSecret]}`);
            const user = s.value.kind === 'json' && typeof s.value.fields.username === 'string' ? s.value.fields.username : undefined;
            if (tags[TAG.username] !== user) fail(`${s.id}: ${TAG.username}=${tags[TAG.username]}, catalog says ${user}`);
            const tls = r.tls && r.tls !== 'verify-full' ? r.tls : undefined;
            if (tags[TAG.tls] !== tls) fail(`${s.id}: ${TAG.tls}=${tags[TAG.tls]}, catalog says ${r.tls ?? 'verify-full'}`);
          }
          for (const [k, v] of Object.entries(tags))
            if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(v as string)) fail(`${s.id}: tag ${k} has a value AWS refuses`);
        }
      }),
  },
  {
    id: 'code-signing',
    area: 'rotation',
    title:
      "every rotation function deploys the signed copy of its own bundle under the bootstrap's enforcing code-signing config and signing profile; the artifacts bucket is private, versioned, KMS-encrypted, TLS-only",
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        const byRef = (stack: TfJson, s: string) => {
          const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.(.+)\}$/.exec(s ?? '');
          return m ? { type: m[1], name: m[2], attr: m[3], body: stack.resource?.[m[1]]?.[m[2]] } : undefined;
        };
        const fns = resources(tf, 'aws_lambda_function');
        const buckets = resources(tf, 'aws_s3_bucket');
        if (resources(tf, 'aws_lambda_code_signing_config').length + resources(tf, 'aws_signer_signing_profile').length > 0)
          fail('the environment stack creates a code-signing config or profile (the deploy role could weaken it)');
        if (fns.length === 0) {
          if (buckets.length > 0 || resources(tf, 'aws_signer_signing_job').length > 0)
            fail('no rotation, yet an artifacts bucket or signing job');
          return;
        }
        // The bootstrap (CI-access stack) owns the config and the profile, and publishes the config's ARN.
        const boot = w.out.stacks[`ci-access-${env.name}`];
        const [[cscLogical, csc] = [] as unknown as [string, Json]] = resources(boot, 'aws_lambda_code_signing_config');
        const [[profileLogical, profile] = [] as unknown as [string, Json]] = resources(boot, 'aws_signer_signing_profile');
        if (
          !csc ||
          csc.policies?.untrusted_artifact_on_deployment !== 'Enforce' ||
          !profile ||
          !same(arr(csc.allowed_publishers?.signing_profile_version_arns), [
            `\${aws_signer_signing_profile.${profileLogical}.version_arn}`,
          ]) ||
          profile.platform_id !== 'AWSLambda-SHA384-ECDSA'
        ) {
          return fail('the bootstrap has no enforcing code-signing config that trusts exactly its signing profile');
        }
        const param = resources(boot, 'aws_ssm_parameter').find(
          ([, p]) => p.insecure_value === `\${aws_lambda_code_signing_config.${cscLogical}.arn}`,
        )?.[1];
        for (const [name, f] of fns) {
          if (f.filename !== undefined) fail(`${name}: deployed from a local file, not signed code`);
          const m = /^\$\{data\.aws_ssm_parameter\.([^.]+)\.insecure_value\}$/.exec(f.code_signing_config_arn ?? '');
          if (!m || !param || tf.data?.aws_ssm_parameter?.[m[1]]?.name !== param.name)
            fail(`${f.function_name}: not under the bootstrap's code-signing config`);
          const job = byRef(tf, f.s3_key);
          if (
            job?.type !== 'aws_signer_signing_job' ||
            byRef(tf, f.s3_bucket)?.name !== job.name ||
            job.body?.ignore_signing_job_failure !== false ||
            job.body?.profile_name !== profile.name
          ) {
            fail(`${f.function_name}: not the signed object of a signing job under the bootstrap's profile`);
            continue;
          }
          const upload = byRef(tf, job.body.source.s3.version);
          if (
            upload?.type !== 'aws_s3_object' ||
            upload.body?.source_hash !== f.source_code_hash ||
            upload.body?.source !== f.source_code_hash.replace('output_base64sha256', 'output_path')
          )
            fail(`${f.function_name}: the signed upload is not this function's zip`);
        }
        if (buckets.length !== 1) fail(`${buckets.length} artifacts buckets`);
        for (const [bucketName, bucket] of buckets) {
          if (bucket.bucket !== `${PROJECT}-artifacts-${env.accountId}-${env.region}`) fail(`artifacts bucket ${bucket.bucket}`);
          const of = (type: string) =>
            resources(tf, type)
              .filter(([, r]) => r.bucket === `\${aws_s3_bucket.${bucketName}.id}`)
              .map(([, r]) => r);
          if (of('aws_s3_bucket_versioning')[0]?.versioning_configuration?.status !== 'Enabled') fail('artifacts bucket not versioned');
          const sse = of('aws_s3_bucket_server_side_encryption_configuration')[0]?.rule?.[0];
          if (
            sse?.apply_server_side_encryption_by_default?.sse_algorithm !== 'aws:kms' ||
            byRef(tf, sse.apply_server_side_encryption_by_default.kms_master_key_id)?.type !== 'aws_kms_key'
          )
            fail('artifacts bucket not under its KMS key');
          const pab = of('aws_s3_bucket_public_access_block')[0];
          if (
            !pab ||
            !['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => pab[k] === true)
          )
            fail('artifacts bucket not private');
          const policy = JSON.parse(of('aws_s3_bucket_policy')[0]?.policy ?? '{"Statement":[]}');
          if (!statements(policy).some((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false'))
            fail('artifacts bucket admits non-TLS requests');
        }
      }),
  },
  {
    id: 'network',
    area: 'network',
    title:
      'with a network: the Secrets Manager endpoint (unless the VPC has one) admits only the named clients and rotation functions on 443; rotation functions reach only their databases and the endpoint',
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const n = env.network;
        const eps = resources(tf, 'aws_vpc_endpoint');
        if (!n) {
          if (eps.length > 0 || resources(tf, 'aws_security_group').length > 0)
            fail('no network in the catalog, yet an endpoint or security group');
          return;
        }
        const create = n.createSecretsManagerEndpoint ?? true;
        const existing = (n as { existingEndpointSecurityGroupId?: string }).existingEndpointSecurityGroupId;
        if (eps.length !== (create ? 1 : 0)) fail(`${eps.length} endpoints, createSecretsManagerEndpoint is ${create}`);
        const rotationSgs = resources(tf, 'aws_lambda_function').flatMap(([, f]) =>
          arr<string>(f.vpc_config?.security_group_ids).map(refName),
        );
        if (eps.length === 1) {
          const [, ep] = eps[0];
          if (
            ep.vpc_endpoint_type !== 'Interface' ||
            ep.private_dns_enabled !== true ||
            ep.service_name !== `com.amazonaws.${env.region}.secretsmanager` ||
            ep.vpc_id !== n.vpcId ||
            !same(ep.subnet_ids, n.subnetIds)
          )
            fail("the endpoint is not an interface endpoint with private DNS in the catalog's VPC and subnets");
          for (const st of statements(model.endpoint?.policy))
            if (!same(arr(st.Condition?.StringEquals?.['aws:PrincipalAccount']), [env.accountId]))
              fail(`endpoint policy statement ${st.Sid} is not limited to this account`);
          // Every Secrets Manager call a role of this stack may make passes the endpoint policy.
          const allowed = new Set(statements(model.endpoint?.policy).flatMap((st) => arr<string>(st.Action)));
          for (const r of model.roles)
            for (const p of r.policies)
              for (const st of statements(p.policy))
                for (const a of arr<string>(st.Action).filter((x) => x.startsWith('secretsmanager:')))
                  if (!allowed.has(a)) fail(`the endpoint refuses ${a}, which ${r.name} may call`);
          const ingress = model.endpoint?.ingress ?? [];
          for (const i of ingress) {
            if (i.fromPort !== 443 || i.toPort !== 443) fail(`endpoint ingress ${i.logical} opens ${i.fromPort}-${i.toPort}`);
            if (i.cidr !== undefined && !(n.endpointClientCidrs ?? []).includes(i.cidr))
              fail(`endpoint admits ${i.cidr}, which the catalog does not name`);
            if (
              i.sourceGroup !== undefined &&
              !(n.endpointClientSecurityGroupIds ?? []).includes(i.sourceGroup) &&
              !rotationSgs.includes(i.sourceGroup)
            )
              fail(`endpoint admits ${i.sourceGroup}, neither a named client nor a rotation function`);
            if (i.cidrIpv6 || i.prefixList) fail('endpoint admits an IPv6 range or prefix list');
          }
          const sources = ingress.map((i) => i.cidr ?? i.sourceGroup);
          for (const c of [...(n.endpointClientCidrs ?? []), ...(n.endpointClientSecurityGroupIds ?? []), ...rotationSgs])
            if (!sources.includes(c)) fail(`endpoint does not admit ${c}`);
        }
        // Rotation functions: egress only to their databases' targets on the database port, and the endpoint on 443.
        const targets = new Map<string, Set<string>>();
        for (const s of env.secrets) {
          const r = s.rotation;
          if (r?.kind !== 'database') continue;
          const fields = s.value.kind === 'json' ? s.value.fields : {};
          const port = typeof fields.port === 'number' ? fields.port : r.engine === 'postgres' ? 5432 : 3306;
          const fname = rotationFunctionOf(env, rotationGroupOf(s)!);
          const set = targets.get(fname) ?? new Set<string>();
          for (const t of [...(r.databaseCidrs ?? []), ...(r.databaseSecurityGroupIds ?? [])]) set.add(`${t}:${port}`);
          targets.set(fname, set);
        }
        for (const [, f] of resources(tf, 'aws_lambda_function')) {
          const sg = refName(arr<string>(f.vpc_config?.security_group_ids)[0]);
          const egress = resources(tf, 'aws_vpc_security_group_egress_rule')
            .filter(([, r]) => refName(r.security_group_id) === sg)
            .map(([, r]) => r);
          const got = egress
            .filter(
              (r) =>
                !(
                  r.from_port === 443 &&
                  (refName(r.referenced_security_group_id) || (existing && r.referenced_security_group_id === existing))
                ),
            )
            .map((r) => `${r.cidr_ipv4 ?? r.referenced_security_group_id}:${r.from_port}`);
          const want = [...(targets.get(f.function_name) ?? [])];
          if (!same(got, want)) fail(`${f.function_name}: egress ${show(got)}, its databases are ${show(want)}`);
          for (const r of egress)
            if (r.from_port !== r.to_port || r.ip_protocol !== 'tcp' || r.cidr_ipv4 === '0.0.0.0/0')
              fail(`${f.function_name}: egress ${JSON.stringify(r)}`);
          const toEndpoint = egress.filter((r) => r.from_port === 443 && refName(r.referenced_security_group_id));
          if (eps.length === 1 && toEndpoint.length !== 1) fail(`${f.function_name}: ${toEndpoint.length} rules to the endpoint`);
          // A VPC's existing endpoint: egress to its security group, and an ingress rule into it from this function.
          if (existing) {
            if (!egress.some((r) => r.from_port === 443 && r.referenced_security_group_id === existing))
              fail(`${f.function_name}: no egress to the existing endpoint's group ${existing}`);
            const ingress = resources(tf, 'aws_vpc_security_group_ingress_rule').filter(
              ([, r]) => r.security_group_id === existing && refName(r.referenced_security_group_id) === sg,
            );
            if (ingress.length !== 1 || ingress[0][1].from_port !== 443 || ingress[0][1].to_port !== 443)
              fail(`${f.function_name}: the existing endpoint's group does not admit it on 443`);
          }
        }
      }),
  },
  {
    id: 'providers-and-backends',
    area: 'stacks',
    title: "every stack plans only against its environment's account and region, tags everything, and keeps state in that account",
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        const [aws] = tf.provider?.aws ?? [];
        if (!same(aws?.allowed_account_ids ?? [], [env.accountId]) || aws?.region !== env.region)
          fail(`provider for ${aws?.allowed_account_ids} in ${aws?.region}`);
        const tags = aws?.default_tags?.[0]?.tags ?? {};
        const want: Record<string, string> = {
          Environment: env.name,
          Project: PROJECT,
          ManagedBy: 'cdktf',
          Owner: env.owner,
          CostCenter: env.costCenter,
          ...(env.tags ?? {}),
        };
        for (const [k, v] of Object.entries(want)) if (tags[k] !== v) fail(`default tag ${k}="${tags[k]}", expected "${v}"`);
        if (env.deployRoleArn && aws?.assume_role?.[0]?.role_arn !== env.deployRoleArn)
          fail(`provider assumes ${aws?.assume_role?.[0]?.role_arn}, catalog says ${env.deployRoleArn}`);
        if (tf.terraform?.required_version !== '>= 1.11.0') fail(`required_version ${tf.terraform?.required_version}`);
        const cfg = stateBackendFor(env);
        const s3 = tf.terraform?.backend?.s3 ?? {};
        const wantBackend = {
          bucket: cfg.bucket,
          key: `${PROJECT}/${env.name}/terraform.tfstate`,
          region: env.region,
          encrypt: true,
          kms_key_id: `arn:${partition(env)}:kms:${env.region}:${env.accountId}:${cfg.keyAlias}`,
          dynamodb_table: cfg.lockTable,
          use_lockfile: true,
        };
        for (const [k, v] of Object.entries(wantBackend))
          if (s3[k] !== v) fail(`backend ${k}=${JSON.stringify(s3[k])}, expected ${JSON.stringify(v)}`);
        if (!same(s3.allowed_account_ids ?? [], [env.accountId])) fail('the S3 backend may be used from another account');
        for (const other of [`state-backend-${env.name}`, `ci-access-${env.name}`]) {
          const p = w.out.stacks[other]?.provider?.aws?.[0];
          if (!same(p?.allowed_account_ids ?? [], [env.accountId])) fail(`${other} may be applied to ${p?.allowed_account_ids}`);
        }
      }),
  },
  {
    id: 'state-backend',
    area: 'state',
    title:
      "each account's state backend: a private, versioned, KMS-encrypted, TLS-only bucket protected from destroy, a protected lock table, and its own state in that bucket outside the prefixes CI may touch",
    check: (w) =>
      forEachEnv(w, (env, _tf, _m, fail) => {
        const tf = w.out.stacks[`state-backend-${env.name}`];
        if (!tf) return fail('no state-backend stack');
        const cfg = stateBackendFor(env);
        // The state backend's own resources (the bootstrap stack also holds the audit trail's).
        const own = (type: string) =>
          resources(tf, type)
            .filter(([, b]) => String(b['//']?.metadata?.path ?? '').includes('/state/'))
            .map(([, b]) => b);
        const one = (type: string) => (own(type).length === 1 ? own(type)[0] : undefined);
        const s3 = tf.terraform?.backend?.s3;
        const local = tf.terraform?.backend?.local;
        if (
          !(s3 && s3.bucket === cfg.bucket && s3.key === `bootstrap/state-backend-${env.name}/terraform.tfstate` && s3.encrypt === true) &&
          !(local && local.path === `../../../terraform.state-backend-${env.name}.tfstate`)
        )
          fail(
            'the state backend keeps its own state elsewhere than its bucket (outside the CI prefixes) or, at first deploy, the repository root',
          );
        const bucket = one('aws_s3_bucket');
        if (bucket?.bucket !== cfg.bucket || bucket?.lifecycle?.prevent_destroy !== true)
          fail(`state bucket ${bucket?.bucket} is not ${cfg.bucket} protected from destroy`);
        if (one('aws_s3_bucket_versioning')?.versioning_configuration?.status !== 'Enabled') fail('state bucket not versioned');
        const sse = one('aws_s3_bucket_server_side_encryption_configuration')?.rule?.[0];
        if (
          sse?.apply_server_side_encryption_by_default?.sse_algorithm !== 'aws:kms' ||
          !/^\$\{aws_kms_key\.[^}]+\.arn\}$/.test(sse?.apply_server_side_encryption_by_default?.kms_master_key_id ?? '') ||
          sse?.bucket_key_enabled !== true
        )
          fail('state bucket not under its own key with a bucket key');
        const pab = one('aws_s3_bucket_public_access_block');
        if (
          !pab ||
          !['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => pab[k] === true)
        )
          fail('state bucket not private');
        const deny = statements(JSON.parse(one('aws_s3_bucket_policy')?.policy ?? '{}')).find(
          (st) => st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        );
        if (
          deny?.Effect !== 'Deny' ||
          deny?.Principal !== '*' ||
          deny?.Action !== 's3:*' ||
          arr(deny?.Resource).length !== 2 ||
          arr(deny?.Resource)[1] !== `${arr(deny?.Resource)[0]}/*`
        )
          fail('state bucket admits non-TLS requests');
        const lc = one('aws_s3_bucket_lifecycle_configuration')?.rule?.[0];
        if (
          lc?.status !== 'Enabled' ||
          lc?.noncurrent_version_expiration?.[0]?.noncurrent_days !== 90 ||
          lc?.abort_incomplete_multipart_upload?.[0]?.days_after_initiation !== 7
        )
          fail('old state versions never expire');
        const table = one('aws_dynamodb_table');
        if (
          table?.name !== cfg.lockTable ||
          table?.hash_key !== 'LockID' ||
          table?.billing_mode !== 'PAY_PER_REQUEST' ||
          table?.point_in_time_recovery?.enabled !== true ||
          table?.deletion_protection_enabled !== true ||
          table?.lifecycle?.prevent_destroy !== true ||
          table?.server_side_encryption?.enabled !== true ||
          !/aws_kms_key/.test(table?.server_side_encryption?.kms_key_arn ?? '')
        )
          fail('lock table not protected and encrypted');
        const key = one('aws_kms_key');
        const use = sid(JSON.parse(key?.policy ?? '{}'), 'AccountPrincipalsThroughServices');
        if (
          key?.enable_key_rotation !== true ||
          key?.deletion_window_in_days !== 30 ||
          !same(arr(use?.Condition?.StringEquals?.['kms:ViaService']), [
            `s3.${env.region}.amazonaws.com`,
            `dynamodb.${env.region}.amazonaws.com`,
          ])
        )
          fail('state key usable other than through S3 and DynamoDB');
        if (!resources(tf, 'aws_kms_alias').some(([, a]) => a.name === cfg.keyAlias)) fail(`no state key alias ${cfg.keyAlias}`);
      }),
  },
  {
    id: 'log-groups',
    area: 'security',
    title: "every log group keeps the catalog's retention and is encrypted with the stack's monitoring key",
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const monitoring = model.keys.find((k) => k.alias === keyAliasOf(env, 'monitoring'))?.arn;
        const resolve = resolverFor(tf, env.accountId, env.region);
        for (const [l, g] of resources(tf, 'aws_cloudwatch_log_group')) {
          if (g.retention_in_days !== env.logRetentionDays)
            fail(`${g.name}: retention ${g.retention_in_days}, catalog says ${env.logRetentionDays}`);
          if (!g.kms_key_id || resolve(g.kms_key_id) !== monitoring) fail(`${l}: not under the monitoring key`);
        }
      }),
  },
  {
    id: 'deploy-role-covers-stack',
    area: 'stacks',
    title:
      "the deploy role (CI-access stack) may create every named resource of the environment's stack, inside the environment's prefixes",
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        const ci = w.out.stacks[`ci-access-${env.name}`];
        // The deploy role's managed policies are named after it: `<role name>-1`, `-2`, ...
        const deployName = deployRoleNameOf(env);
        const deploy = resources(ci, 'aws_iam_policy')
          .filter(([, p]) => p.name.startsWith(`${deployName}-`) && /-\d+$/.test(p.name))
          .flatMap(([, p]) => statements(JSON.parse(p.policy)));
        const at = (service: string, resource: string) => `arn:aws:${service}:${env.region}:${env.accountId}:${resource}`;
        const CREATE: Record<string, [string, (r: Json) => string]> = {
          aws_secretsmanager_secret: ['secretsmanager:CreateSecret', (r) => at('secretsmanager', `secret:${r.name}-AbCdEf`)],
          aws_iam_role: ['iam:CreateRole', (r) => `arn:aws:iam::${env.accountId}:role${r.path ?? '/'}${r.name}`],
          aws_lambda_function: ['lambda:CreateFunction', (r) => at('lambda', `function:${r.function_name}`)],
          aws_cloudwatch_log_group: ['logs:CreateLogGroup', (r) => at('logs', `log-group:${r.name}`)],
          aws_cloudwatch_metric_alarm: ['cloudwatch:PutMetricAlarm', (r) => at('cloudwatch', `alarm:${r.alarm_name}`)],
          aws_cloudwatch_event_rule: ['events:PutRule', (r) => at('events', `rule/${r.name}`)],
          aws_sns_topic: ['sns:CreateTopic', (r) => at('sns', r.name)],
          aws_kms_alias: ['kms:CreateAlias', (r) => at('kms', r.name)],
          aws_s3_bucket: ['s3:CreateBucket', (r) => `arn:aws:s3:::${r.bucket}`],
          aws_signer_signing_profile: ['signer:GetSigningProfile', (r) => at('signer', `/signing-profiles/${r.name}`)],
        };
        for (const [type, [action, arnOf]] of Object.entries(CREATE)) {
          for (const [name, r] of resources(tf, type)) {
            const target = arnOf(r);
            if (
              !deploy.some(
                (st) =>
                  st.Effect === 'Allow' &&
                  arr<string>(st.Action).some((a) => iamGlob(a, action)) &&
                  arr<string>(st.Resource).some((p) => iamGlob(p, target)),
              )
            )
              fail(`the deploy role may not ${action} ${target} (${type}.${name})`);
          }
        }
      }),
  },
  {
    id: 'policy-limits',
    area: 'security',
    title:
      'no policy exceeds its AWS limit: inline policies per role, trust, managed (consumer), key, secret, endpoint, topic and bucket policies',
    check: (w) => {
      const out: string[] = [];
      for (const [name, tf] of Object.entries(w.out.stacks)) {
        const perRole = new Map<string, number>();
        for (const [, p] of resources(tf, 'aws_iam_role_policy')) perRole.set(p.role, (perRole.get(p.role) ?? 0) + size(p.policy));
        for (const [role, n] of perRole)
          if (n > POLICY_LIMITS.iamInlinePoliciesPerRole)
            out.push(`${name}: inline policies of ${role}: ${n} > ${POLICY_LIMITS.iamInlinePoliciesPerRole}`);
        const limits: Array<[string, string, number]> = [
          ['aws_iam_role', 'assume_role_policy', POLICY_LIMITS.iamTrustPolicy],
          ['aws_iam_policy', 'policy', POLICY_LIMITS.iamManagedPolicy],
          ['aws_secretsmanager_secret_policy', 'policy', POLICY_LIMITS.secretResourcePolicy],
          ['aws_vpc_endpoint', 'policy', POLICY_LIMITS.vpcEndpointPolicy],
          ['aws_sns_topic_policy', 'policy', POLICY_LIMITS.snsTopicPolicy],
          ['aws_s3_bucket_policy', 'policy', POLICY_LIMITS.s3BucketPolicy],
        ];
        for (const [type, field, limit] of limits)
          for (const [l, b] of resources(tf, type))
            if (typeof b[field] === 'string' && size(b[field]) > limit) out.push(`${name}: ${type}.${l} ${size(b[field])} > ${limit}`);
        for (const type of ['aws_kms_key', 'aws_kms_replica_key'])
          for (const [l, b] of resources(tf, type))
            if (Buffer.byteLength(b.policy) > POLICY_LIMITS.kmsKeyPolicy) out.push(`${name}: ${type}.${l} key policy over 32 KB`);
        for (const [o, v] of Object.entries(tf.output ?? {}))
          if (o.startsWith('consumer_policies_'))
            for (const d of v.value as string[])
              if (size(d) > POLICY_LIMITS.iamManagedPolicy)
                out.push(`${name}: ${o}: a consumer policy over ${POLICY_LIMITS.iamManagedPolicy}`);
      }
      return out;
    },
  },
  {
    id: 'least-privilege-shapes',
    area: 'security',
    title:
      'no wildcard action in an Allow, no wildcard principal without a narrowing condition, Resource "*" only for actions that have no resource',
    check: (w) => {
      const out: string[] = [];
      const RESOURCELESS = new Set([
        'secretsmanager:GetRandomPassword',
        'ecr:GetAuthorizationToken',
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
      ]);
      for (const env of w.catalogs) {
        for (const name of [env.name, `state-backend-${env.name}`]) {
          const tf = w.out.stacks[name];
          if (!tf) continue;
          for (const d of loadStack(name, tf).documents) {
            for (const st of statements(d.policy)) {
              if (st.Effect === 'Allow')
                for (const a of arr<string>(st.Action)) if (a.includes('*')) out.push(`${name}: ${d.where} allows ${a}`);
              const p = st.Principal;
              if (p === '*' || arr(p?.AWS).includes('*')) {
                const keys = Object.values(st.Condition ?? {}).flatMap((c: Json) => Object.keys(c));
                if (st.Effect !== 'Deny' && !keys.some((k) => ['aws:PrincipalAccount', 'aws:PrincipalOrgID'].includes(k)))
                  out.push(`${name}: ${d.where} ${st.Sid}: wildcard principal without a narrowing condition`);
              }
              if (d.kind === 'identity' && arr(st.Resource).includes('*'))
                for (const a of arr<string>(st.Action)) if (!RESOURCELESS.has(a)) out.push(`${name}: ${d.where} ${a} on Resource "*"`);
            }
          }
        }
      }
      return out;
    },
  },
  {
    id: 'no-values-in-output',
    area: 'values',
    title:
      'Terraform writes, reads and asks for no value (V1); the values manifest lists exactly what the values step writes, with the version Terraform tags, and who writes the rest',
    check: (w) =>
      forEachEnv(w, (env, tf, _m, fail) => {
        if (resources(tf, 'aws_secretsmanager_secret_version').length > 0) fail('a secret version: Terraform would write a value');
        if (Object.keys(tf.variable ?? {}).length > 0 || Object.keys(tf.ephemeral ?? {}).length > 0)
          fail('variables or ephemeral resources: the stack asks for a value');
        for (const t of Object.keys(tf.resource ?? {}))
          if (t.startsWith('random_')) fail(`managed random resource ${t} (its result is in state)`);
        for (const t of Object.keys(tf.data ?? {}))
          if (/secret_version|random_password/.test(t)) fail(`data source ${t} (its result is in state)`);
        if (/\bvar\.|\bephemeral\.|random_password/.test(JSON.stringify(tf.resource ?? {})))
          fail('a resource refers to a variable or an ephemeral value');
        for (const p of tf.provider?.aws ?? [])
          if (!same(arr(p.ignore_tags?.[0]?.keys), [VALUE_WRITTEN_TAG])) fail('a provider does not ignore the tag the values step sets');
        const text = w.out.files[`stacks/${env.name}/values.json`];
        if (!text) return fail('no values manifest');
        const manifest = JSON.parse(text);
        const wantWritten = env.secrets.filter((x) => firstValueBy(x) === 'values step');
        if (
          !same(
            manifest.secrets.map((x: Json) => x.id),
            wantWritten.map((x) => x.id),
          )
        )
          fail(
            `the manifest writes ${show(manifest.secrets.map((x: Json) => x.id))}, the values step writes ${show(wantWritten.map((x) => x.id))}`,
          );
        const notWritten = Object.fromEntries(manifest.notWritten.map((x: Json) => [x.id, x.firstValue]));
        for (const x of env.secrets.filter((y) => firstValueBy(y) !== 'values step'))
          if (notWritten[x.id] !== firstValueBy(x)) fail(`${x.id}: first value by ${notWritten[x.id]}, expected ${firstValueBy(x)}`);
        for (const x of env.secrets) {
          const body = tf.resource?.aws_secretsmanager_secret?.[secretLogical(tf, secretNameOf(env, x)) ?? ''];
          const entry = manifest.secrets.find((y: Json) => y.id === x.id);
          const version = 'version' in x.value && x.value.version !== undefined ? x.value.version : 1;
          if ((body?.tags ?? {})[VALUE_VERSION_TAG] !== (entry ? String(version) : undefined))
            fail(`${x.id}: tag ${VALUE_VERSION_TAG}=${(body?.tags ?? {})[VALUE_VERSION_TAG]}, expected ${entry ? version : 'none'}`);
          if (!entry) continue;
          if (
            entry.version !== version ||
            entry.name !== secretNameOf(env, x) ||
            entry.rotateAfterWrite !== (x.rotation?.kind === 'database')
          )
            fail(
              `${x.id}: manifest entry ${JSON.stringify({ version: entry.version, name: entry.name, rotateAfterWrite: entry.rotateAfterWrite })}`,
            );
          const v = x.value;
          const want =
            v.kind === 'deploy-time'
              ? { type: 'text', from: `deployTime ${v.variable ?? `${tfSafe(x.id)}_value`}` }
              : v.kind === 'generated'
                ? { type: 'text', from: 'generate' }
                : v.kind === 'binary-file'
                  ? { type: 'binary', from: v.path }
                  : v.kind === 'json'
                    ? {
                        type: 'json',
                        from: [
                          ...Object.keys(v.fields).map((k) => `${k}=literal`),
                          ...Object.keys(v.generated ?? {}).map((k) => `${k}=generate`),
                          ...(v.deployTime ?? []).map((k) => `${k}=deployTime ${`${tfSafe(x.id)}_${k}`.toLowerCase()}`),
                        ].join(','),
                      }
                    : undefined;
          const src = (o: Json) => ('deployTime' in o ? `deployTime ${o.deployTime}` : 'generate' in o ? 'generate' : 'literal');
          const got =
            entry.write.type === 'text'
              ? { type: 'text', from: src(entry.write.source) }
              : entry.write.type === 'binary'
                ? { type: 'binary', from: entry.write.file }
                : {
                    type: 'json',
                    from: Object.entries(entry.write.keys)
                      .map(([k, o]) => `${k}=${src(o)}`)
                      .join(','),
                  };
          if (JSON.stringify(got) !== JSON.stringify(want))
            fail(`${x.id}: the values step would write ${JSON.stringify(got)}, the catalog says ${JSON.stringify(want)}`);
          // Catalog literals are the only plain text in the manifest: a JSON field, never a value.
          if (v.kind === 'json')
            for (const [k, lit] of Object.entries(v.fields))
              if (entry.write.keys?.[k]?.literal !== lit) fail(`${x.id}: field ${k} is not the catalog's literal`);
        }
        for (const f of Object.keys(w.out.files)) if (/\.(der|pem|bin|p12)$/.test(f)) fail(`a value file was copied into cdktf.out: ${f}`);
      }),
  },
  {
    id: 'values-step-accepts-manifest',
    area: 'values',
    title: 'the values step (tools/ci/values.cjs, what CI runs after apply) accepts the manifest synth writes for every environment',
    check: (w) =>
      forEachEnv(w, (env, _tf, _m, fail) => {
        const text = w.out.files[`stacks/${env.name}/values.json`];
        if (!text) return fail('no values manifest');
        try {
          valuesScript.checkManifest(JSON.parse(text), env.name);
        } catch (e) {
          fail(`the values step refuses the manifest: ${(e as Error).message}`);
        }
      }),
  },
  {
    id: 'no-estimated-arns',
    area: 'stacks',
    title:
      "no ARN the plan estimated (secret suffix AbCdEf, key mrk-<hex>) reaches the synthesized output: each is replaced by its resource's reference",
    check: (w) =>
      Object.entries(w.out.files)
        .filter(([f]) => f.endsWith('.json'))
        .flatMap(([f, text]) => [
          ...(/-AbCdEf\b/.test(text) ? [`${f}: an estimated secret ARN`] : []),
          ...(/key\/mrk-[0-9a-f]{32}/.test(text) ? [`${f}: an estimated key ARN`] : []),
        ]),
  },
  {
    id: 'documents-are-planned',
    area: 'stacks',
    title: "each policy written is one of the plan's documents (the size guardrails measured what is written)",
    check: (w) => {
      const shape = (doc: unknown) =>
        JSON.stringify(doc)
          .replace(/\$\{[^}]*\}/g, 'ARN')
          .replace(/arn:aws:(secretsmanager|kms|logs|sns):[^"]*?(?=(:\*)?")/g, 'ARN');
      const out: string[] = [];
      for (const plan of w.plans) {
        const planned = new Set(plan.documents.map((d) => shape(d.document)));
        const tf = w.out.stacks[plan.environment];
        const fields: Record<string, string> = {
          aws_iam_role: 'assume_role_policy',
          aws_iam_role_policy: 'policy',
          aws_kms_key: 'policy',
          aws_kms_replica_key: 'policy',
          aws_secretsmanager_secret_policy: 'policy',
          aws_s3_bucket_policy: 'policy',
          aws_sns_topic_policy: 'policy',
          aws_vpc_endpoint: 'policy',
        };
        for (const [type, field] of Object.entries(fields))
          for (const [l, b] of resources(tf, type))
            if (typeof b[field] === 'string' && !planned.has(shape(JSON.parse(b[field]))))
              out.push(`${plan.environment}: ${type}.${l} is not a planned document`);
        for (const [o, v] of Object.entries(tf.output ?? {}))
          if (o.startsWith('consumer_policies_'))
            for (const d of v.value as string[])
              if (!planned.has(shape(JSON.parse(d)))) out.push(`${plan.environment}: ${o} is not a planned document`);
      }
      return out;
    },
  },
  {
    id: 'monitoring-sees-incidents',
    area: 'monitoring',
    title:
      'every secret incident (by name or ARN, in every region) and every key incident (by ARN) reaches the alert rules; reads of a secret do not',
    check: (w) =>
      forEachEnv(w, (env, tf, model, fail) => {
        const resolve = resolverFor(tf, model.account, model.region);
        const rules = resources(tf, 'aws_cloudwatch_event_rule').map(([, r]) => ({
          name: r.name as string,
          region: (r.region as string) ?? model.region,
          pattern: JSON.parse(resolve(r.event_pattern)),
        }));
        const rule = (suffix: string) => rules.find((r) => r.name === `${prefixOf(env)}-secrets-${suffix}`);
        const changes = rule('secret-changes');
        const anomalies = rule('key-anomalies');
        if (!changes || !anomalies || !rule('rotation-failed') || !rule('denied-reads') || !rule('key-aliases'))
          return fail(`alert rules ${show(rules.map((r) => r.name))}`);
        for (const s of model.secrets) {
          for (const [region, arn] of Object.entries(s.arnByRegion)) {
            for (const secretId of [s.name, arn]) {
              const e = cloudTrailEvent({
                account: model.account,
                region,
                service: 'secretsmanager',
                eventName: 'PutResourcePolicy',
                requestParameters: { secretId },
              });
              if (!matchPattern(e, changes.pattern))
                fail(`a policy change of ${s.name} by ${secretId === arn ? 'ARN' : 'name'} in ${region} raises no alert`);
            }
          }
          if (
            matchPattern(
              cloudTrailEvent({
                account: model.account,
                region: model.region,
                service: 'secretsmanager',
                eventName: 'GetSecretValue',
                requestParameters: { secretId: s.name },
                readOnly: true,
              }),
              changes.pattern,
            )
          )
            fail(`reading ${s.name} raises a change alert`);
        }
        for (const k of model.keys) {
          const e = cloudTrailEvent({
            account: model.account,
            region: k.region,
            service: 'kms',
            eventName: 'ScheduleKeyDeletion',
            requestParameters: { keyId: k.arn },
          });
          if (!matchPattern(e, anomalies.pattern)) fail(`scheduling the deletion of ${k.alias} [${k.region}] raises no alert`);
        }
      }),
  },
  {
    id: 'inventory',
    area: 'report',
    title: 'the inventory next to each stack lists every secret with its key, replicas, readers and rotation as the catalog says',
    check: (w) =>
      forEachEnv(w, (env, _tf, _m, fail) => {
        const text = w.out.files[`stacks/${env.name}/inventory.json`];
        if (!text) return fail('no inventory.json');
        const inv = JSON.parse(text);
        if (inv.environment !== env.name || inv.account !== env.accountId) fail('inventory of another environment');
        const names = inv.secrets.map((s: Json) => s.name);
        if (
          !same(
            names,
            env.secrets.map((s) => secretNameOf(env, s)),
          )
        )
          fail(`inventory lists ${show(names)}`);
        for (const s of env.secrets) {
          const e = inv.secrets.find((x: Json) => x.id === s.id);
          if (!e) continue;
          if (e.key !== (s.awsManagedKey ? 'aws/secretsmanager' : keyAliasOf(env, s.category))) fail(`${s.id}: inventory key ${e.key}`);
          if (!same(e.replicas, s.replicas ?? []) || !same(e.readers, s.readers ?? []))
            fail(`${s.id}: inventory replicas or readers differ`);
          const r = s.rotation;
          if (
            !r
              ? e.rotation !== null
              : e.rotation?.kind !== r.kind ||
                e.rotation?.afterDays !== r.schedule.afterDays ||
                (r.kind === 'database' && (e.rotation?.strategy !== r.strategy || e.rotation?.tls !== (r.tls ?? 'verify-full')))
          )
            fail(`${s.id}: inventory rotation ${JSON.stringify(e.rotation)}`);
        }
      }),
  },
];

export const invariantsIn = (...areas: Area[]) => INVARIANTS.filter((i) => areas.includes(i.area));

/** Every failure of every invariant, prefixed with its id. */
export function violatedInvariants(w: World): string[] {
  return INVARIANTS.flatMap((inv) => {
    try {
      return inv.check(w).map((m) => `[${inv.id}] ${m}`);
    } catch (e) {
      return [`[${inv.id}] threw: ${(e as Error).stack}`];
    }
  });
}
