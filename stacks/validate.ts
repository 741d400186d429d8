/**
 * The catalog guardrails. Every rule a catalog can break is checked here, before any construct
 * exists, so a bad catalog fails `cdktf synth` with every problem listed and nothing written.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isTagValue, MAX_SECRET_VALUE_BYTES, rulesProblems } from '../lambdas/rotation/contract';
import { MAX_MANAGED_POLICIES_PER_ROLE } from '../modules/policies/access';
import { broadClientCidrs, MIN_ENDPOINT_CLIENT_PREFIX } from '../modules/policies/network';
import {
  ACCOUNT_ID_PATTERN,
  REGION_PATTERN,
  recoveryWindowProblem,
  rotationScheduleProblems,
  secretNameProblems,
  tagProblems,
  Violation as LegacyViolation,
} from '../modules/guardrails';
import { Violation } from './rules/violation';
import { policySize } from '../modules/policy';
import { catalogUsername } from './plan/derive';
import { EnvironmentPlan } from './plan/types';
import { SecretSpec } from './environments/types';

const GENERATED_LENGTH = { min: 1, max: 4096 };
const DB_FIELDS = ['engine', 'host', 'username'];

export function validatePlans(plans: readonly EnvironmentPlan[], repoRoot: string): Violation[] {
  const out: Violation[] = [];
  const names = new Set<string>();
  for (const plan of plans) {
    if (names.has(plan.environment)) out.push({ environment: plan.environment, name: `environment ${plan.environment}`, rule: 'ENV-duplicate', message: 'declared twice', fix: 'keep one catalog per environment' });
    names.add(plan.environment);
    out.push(...validatePlan(plan, repoRoot).map((v) => ({ environment: plan.environment, name: v.subject, rule: v.rule, message: v.message, fix: v.fix })));
  }
  return out;
}

export function validatePlan(plan: EnvironmentPlan, repoRoot: string): LegacyViolation[] {
  const env = plan.catalog;
  const out: LegacyViolation[] = [];
  const envSubject = `environment ${env.name}`;
  const add = (subject: string, [rule, message, fix]: [string, string, string]) => out.push({ subject, rule, message, fix });
  const production = env.name === 'production';

  if (!ACCOUNT_ID_PATTERN.test(env.accountId)) add(envSubject, ['ENV-account', `account id "${env.accountId}" is not 12 digits`, 'use the 12-digit AWS account id']);
  if (!REGION_PATTERN.test(env.region)) add(envSubject, ['ENV-region', `"${env.region}" is not an AWS region name`, 'use a region such as us-east-1']);
  const envWindow = recoveryWindowProblem(env.recoveryWindowDays, env.name === 'dev', production);
  if (envWindow) add(envSubject, envWindow);
  const kd = env.keyDeletionWindowDays;
  if (!Number.isInteger(kd) || kd < 7 || kd > 30 || (production && kd !== 30)) {
    add(envSubject, ['KMS-2 deletion-window', `key deletion window ${kd} days (7..30, 30 in production)`, production ? 'set keyDeletionWindowDays to 30' : 'set keyDeletionWindowDays between 7 and 30']);
  }
  // No application holds master credentials: a secret that drives another's rotation (an admin
  // or master login) is read by rotation functions only, never by a reader or an ECS service.
  const adminIds = new Set(env.secrets.flatMap((s) => (s.rotation?.kind === 'database' && s.rotation.adminSecret ? [s.rotation.adminSecret] : [])));
  for (const s of env.secrets.filter((x) => adminIds.has(x.id))) {
    const holders = [...(s.readers ?? []).map((r) => `reader ${r}`), ...(s.ecs ?? []).map((a) => `ECS service ${a.service}`)];
    if (holders.length > 0) {
      add(`secret ${s.id} (${env.name})`, ['ACCESS-master-readers', `drives the rotation of other logins, yet ${holders.join(', ')} would read it`, 'give applications an application login rotated with alternating users (adminSecret pointing at this one) and remove readers/ecs from the master']);
    }
  }
  const broad = broadClientCidrs(env.network?.endpointClientCidrs ?? []);
  if (broad.length > 0) {
    add(envSubject, ['NET-endpoint-clients', `endpoint client CIDRs ${broad.join(', ')} are broader than /${MIN_ENDPOINT_CLIENT_PREFIX} (or not IPv4 CIDRs)`, "name the clients' security groups in network.endpointClientSecurityGroupIds, or exact CIDRs of /24 or narrower"]);
  }
  if (env.secrets.length > 0 && !env.deployRoleArn) {
    add(envSubject, ['ACCESS-deploy-role', "no deployRoleArn: every secret's resource policy names the deploy role as its only manager", 'set deployRoleArn to the role Terraform runs as']);
  }
  for (const [name, r] of Object.entries(env.readers)) {
    const subject = `reader ${name} (${env.name})`;
    if (r.kind === 'account') {
      if (!ACCOUNT_ID_PATTERN.test(r.accountId)) add(subject, ['READER-account', `account id "${r.accountId}" is not 12 digits`, 'use the 12-digit AWS account id']);
      if (r.accountId === env.accountId) add(subject, ['READER-own-account', 'names this environment\'s own account as a cross-account reader', 'use an iam-role reader for roles of this account']);
      if (r.roleNames.length === 0) add(subject, ['IAM-2 whole-account', 'grants a whole account; cross-account access must name specific roles', 'list the reading roles in roleNames']);
    }
    if (r.kind === 'organization' && !/^o-[a-z0-9]{10,32}$/.test(r.organizationId)) {
      add(subject, ['READER-organization', `"${r.organizationId}" is not an organization id`, 'use the id shown by `aws organizations describe-organization` (o-...)']);
    }
  }

  const ids = new Set<string>();
  const secretNames = new Map<string, string>();
  const byId = new Map(plan.secrets.map((p) => [p.id, p]));
  for (const p of plan.secrets) {
    const s = p.spec;
    const name = p.name;
    const subject = `secret ${name} (${env.name})`;
    const v = s.value;
    if (ids.has(s.id)) add(subject, ['SM-duplicate-id', `id "${s.id}" is used twice`, 'give each secret its own id']);
    ids.add(s.id);
    if (secretNames.has(name)) add(subject, ['SM-duplicate-name', `name is also used by secret id "${secretNames.get(name)}"`, 'give each secret a distinct service/component/type']);
    secretNames.set(name, s.id);
    for (const p of secretNameProblems(name)) add(subject, p);
    if (!/^[A-Za-z0-9_-]+$/.test(s.id)) add(subject, ['SM-id', `id "${s.id}" must be letters, digits, "_" or "-"`, 'rename the id']);

    const window = recoveryWindowProblem(s.recoveryWindowDays ?? env.recoveryWindowDays, env.name === 'dev', production);
    if (window && s.recoveryWindowDays !== undefined) add(subject, window);

    const seenRegions = new Set<string>();
    for (const r of s.replicas ?? []) {
      if (r === env.region) add(subject, ['SM-replica-primary', `replica region ${r} is the primary region`, 'remove it, or choose another region']);
      else if (!REGION_PATTERN.test(r)) add(subject, ['SM-replica-region', `"${r}" is not an AWS region name`, 'use a region such as us-west-2']);
      if (seenRegions.has(r)) add(subject, ['SM-replica-duplicate', `replica region ${r} is listed twice`, 'list each region once']);
      seenRegions.add(r);
    }

    const crossAccount = (s.readers ?? []).filter((r) => env.readers[r] && env.readers[r].kind !== 'iam-role');
    for (const r of s.readers ?? []) {
      if (!env.readers[r]) add(subject, ['READER-unknown', `reader "${r}" is not declared in this environment`, `declare it under readers, or use one of: ${Object.keys(env.readers).join(', ') || '(none declared)'}`]);
    }
    if (s.awsManagedKey && crossAccount.length > 0) {
      add(subject, ['SM-3 aws-managed-key-shared', 'is shared with another account but uses the AWS-managed key, which other accounts cannot use', 'remove awsManagedKey so the secret uses the category\'s customer-managed key']);
    }
    if (s.awsManagedKey && (s.replicas ?? []).length > 0) {
      add(subject, ['SM-1 replica-key', 'replicas would use aws/secretsmanager in their region', 'remove awsManagedKey so replicas use the category key in their region']);
    }

    // Values.
    if (v.kind === 'binary-file') {
      const file = path.resolve(repoRoot, v.path);
      if (production && !v.acknowledgeValueInState) {
        add(subject, ['VALUE-binary-in-state', 'a binary value from a file is stored in Terraform state (the provider has no write-only binary argument)', 'upload it with `aws secretsmanager put-secret-value --secret-binary` and use value {kind:"external", format:"binary"}, or set acknowledgeValueInState: true']);
      }
      if (!existsSync(file)) add(subject, ['VALUE-file-missing', `file ${v.path} does not exist`, 'commit the file or fix the path (relative to the repository root)']);
      else if (statSync(file).size > MAX_SECRET_VALUE_BYTES) add(subject, ['VALUE-size', `file ${v.path} is ${statSync(file).size} bytes; a secret holds at most 65,536`, 'store the data in S3 and keep its location in the secret']);
    }
    const generators = v.kind === 'generated' ? [v.generator ?? {}] : v.kind === 'json' ? Object.values(v.generated ?? {}) : [];
    for (const g of generators) {
      const len = g.length ?? 32;
      if (!Number.isInteger(len) || len < GENERATED_LENGTH.min || len > GENERATED_LENGTH.max) {
        add(subject, ['VALUE-generator-length', `generated length ${len} is outside 1..4096`, 'choose a length between 16 and 4096']);
      }
    }
    if (v.kind === 'json') {
      const keys = [...Object.keys(v.fields), ...Object.keys(v.generated ?? {}), ...(v.deployTime ?? [])];
      const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
      if (dup.length > 0) add(subject, ['VALUE-json-key-twice', `JSON key(s) ${[...new Set(dup)].join(', ')} are declared more than once`, 'declare each key in one of fields, generated or deployTime']);
      if (keys.length === 0) add(subject, ['VALUE-json-empty', 'JSON value declares no keys', 'add fields, generated or deployTime keys, or use kind "external"']);
      const estimate = Buffer.byteLength(JSON.stringify(v.fields)) + Object.entries(v.generated ?? {}).reduce((n, [k, g]) => n + k.length + (g.length ?? 32) + 6, 0);
      if (estimate > MAX_SECRET_VALUE_BYTES) add(subject, ['VALUE-size', `JSON value is at least ${estimate} bytes; a secret holds at most 65,536`, 'split it into several secrets or keep bulky data in S3']);
    }

    // Rotation.
    const r = s.rotation;
    if (!r && env.name !== 'dev' && !(s.noRotationReason && s.noRotationReason.trim().length >= 20)) {
      add(subject, ['ROT-unrotated', 'is not rotated and the catalog does not say why', 'add rotation, or noRotationReason (20+ characters) explaining who rotates it or why it cannot be']);
    }
    if (r) {
      for (const p of rotationScheduleProblems(r.schedule)) add(subject, p);
      if (p.binary) add(subject, ['ROT-binary', 'binary secrets cannot be rotated by our rotation functions', 'remove rotation, or store the value as text']);
      if (r.kind === 'database') {
        const keys = p.jsonKeys;
        const missing = DB_FIELDS.concat('password').filter((f) => !keys?.includes(f));
        if (missing.length > 0) add(subject, ['ROT-database-fields', `database rotation needs JSON keys ${missing.join(', ')}`, 'declare them in value.fields / value.generated (or jsonKeys for an external JSON value)']);
        if (v.kind === 'json' && typeof v.fields.engine === 'string' && v.fields.engine !== r.engine && !(r.engine === 'mariadb' && v.fields.engine === 'mysql') && !(r.engine === 'mysql' && v.fields.engine === 'mariadb')) {
          add(subject, ['ROT-engine-mismatch', `rotation engine ${r.engine} differs from the secret's engine field ${v.fields.engine}`, 'make them agree']);
        }
        if (r.strategy !== 'single-user') {
          const admin = r.adminSecret ? byId.get(r.adminSecret) : undefined;
          if (!r.adminSecret) add(subject, ['ROT-admin-missing', `strategy ${r.strategy} needs adminSecret`, 'name the catalog id of the admin (master) secret']);
          else if (!admin) add(subject, ['ROT-admin-unknown', `adminSecret "${r.adminSecret}" is not a secret of this environment`, 'use the id of a secret in this catalog']);
          else if (admin === p) add(subject, ['ROT-admin-self', 'adminSecret is the secret itself', 'use single-user, or a separate admin secret']);
          else if (!DB_FIELDS.concat('password').every((f) => admin.jsonKeys?.includes(f))) add(subject, ['ROT-admin-fields', `admin secret ${r.adminSecret} lacks engine/host/username/password keys`, 'declare those keys on the admin secret']);
        } else if (r.adminSecret) {
          add(subject, ['ROT-admin-unused', 'single-user rotation ignores adminSecret', 'remove adminSecret or use strategy "admin"']);
        }
        const username = catalogUsername(s as SecretSpec);
        if (username !== undefined && !isTagValue(username)) {
          add(subject, ['ROT-tag-value', `user name "${username}" cannot be carried in the rotation:username tag (letters, digits, spaces and _.:/=+-@, 256 at most)`, 'use a plainer database user name']);
        }
        if (r.tls === 'disabled' && env.name !== 'dev' && !(r.tlsReason && r.tlsReason.trim().length >= 20)) {
          add(subject, ['ROT-tls-plaintext', 'rotation would send the new password to the database unencrypted, and the catalog does not say why', 'enable TLS on the database (RDS has it), use tls "require", or give tlsReason (20+ characters)']);
        }
        if (!env.network) add(subject, ['ROT-network', 'database rotation runs in the VPC, but the environment has no network', 'declare network.vpcId and network.subnetIds']);
        if ((r.databaseCidrs ?? []).length + (r.databaseSecurityGroupIds ?? []).length === 0) {
          add(subject, ['ROT-database-target', 'no databaseCidrs or databaseSecurityGroupIds: the function\'s security group would reach nothing', 'name the database address (e.g. "10.0.1.5/32") or its security group']);
        }
      } else {
        if (!Number.isInteger(r.length) || r.length < 16 || r.length > 4096) add(subject, ['ROT-generated-length', `generated length ${r.length} is outside 16..4096`, 'choose a length between 16 and 4096']);
        else {
          // The same rules the rotation function re-checks at run time (lambdas/rotation/contract.ts).
          for (const p of rulesProblems({ format: r.format, length: r.length, excludeCharacters: r.excludeCharacters })) {
            add(subject, ['ROT-generated-rules', `generator rules: ${p}`, 'use a longer value, another format, or fewer excluded characters']);
          }
        }
        const keys = p.jsonKeys;
        if (r.jsonKey && !keys?.includes(r.jsonKey)) add(subject, ['ROT-json-key', `jsonKey "${r.jsonKey}" is not a key of this secret`, `use one of: ${(keys ?? []).join(', ') || '(not a JSON secret)'}`]);
        if (r.jsonKey && !isTagValue(r.jsonKey)) add(subject, ['ROT-tag-value', `jsonKey "${r.jsonKey}" cannot be carried in a tag (letters, digits, spaces and _.:/=+-@, 256 at most)`, 'rotate a JSON key with a plainer name']);
      }
    }

    // ECS.
    for (const a of s.ecs ?? []) {
      for (const i of a.inject ?? []) {
        if (p.binary) add(subject, ['ECS-binary', `ECS cannot inject binary secret into ${a.service}`, 'read it at run time (runtime: true) instead']);
        const keys = p.jsonKeys;
        if (i.jsonKey && !keys) add(subject, ['ECS-json-key', `${a.service} injects JSON key ${i.jsonKey}, but the secret is not JSON`, 'drop jsonKey to inject the whole value']);
        else if (i.jsonKey && !keys!.includes(i.jsonKey)) add(subject, ['ECS-json-key', `${a.service} injects unknown JSON key ${i.jsonKey}`, `use one of: ${keys!.join(', ')}`]);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(i.env)) add(subject, ['ECS-env-name', `"${i.env}" is not a valid environment variable name`, 'use letters, digits and "_"']);
        if (r?.kind === 'database' && r.strategy !== 'alternating-users') {
          add(subject, ['ECS-inject-rotated', `${a.service} injects a password that ${r.strategy} rotation invalidates; running tasks keep the old one`, 'read it at run time (runtime: true), or use alternating-users rotation']);
        }
      }
    }
    for (const p of tagProblems(s.tags ?? {})) add(subject, p);
  }
  for (const p of tagProblems(env.tags ?? {})) add(envSubject, p);

  if (out.length === 0) out.push(...policySizeViolations(plan));
  return out;
}

export interface PolicySize {
  subject: string;
  what: string;
  size: number;
  limit: number;
  fix: string;
  /** What size counts; characters unless said. */
  unit?: string;
}

export function policySizeViolations(plan: EnvironmentPlan): LegacyViolation[] {
  return policySizes(plan)
    .filter((p) => p.size > p.limit)
    .map((p) => ({ subject: p.subject, rule: 'POLICY-size', message: `${p.what} would be ${p.size} ${p.unit ?? 'characters'}; AWS allows ${p.limit}`, fix: p.fix }));
}

/** Measures every document the plan holds (the documents the stack renders) against AWS's limits. */
export function policySizes(plan: EnvironmentPlan): PolicySize[] {
  const out: PolicySize[] = plan.documents.map((d) => ({ subject: d.subject, what: d.what, size: policySize(d.document), limit: d.limit, fix: d.fix }));
  for (const r of plan.readers) {
    if (!r.consumerPolicies) continue;
    out.push({
      subject: `reader ${r.name} (${plan.environment})`,
      what: 'the consumer managed policies a reading role attaches',
      size: r.consumerPolicies.length,
      limit: MAX_MANAGED_POLICIES_PER_ROLE,
      unit: 'policies',
      fix: 'share fewer secrets with this reader, group them into JSON secrets, or share with an organization',
    });
  }
  return out;
}
