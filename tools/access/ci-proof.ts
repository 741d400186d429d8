/**
 * The CI proof: the real CI and human principals of an account (the roles the bootstrap stack
 * `ci-access-<env>` synthesizes, with their attached policies and permissions boundary), against
 * every call each workflow job and runbook makes on every resource of the environment stack,
 * evaluated by iam-simulate with the resource and key policies the stacks synthesize.
 *
 * - Needs: the manifest (plan/terraform-calls.json) x the blocks the environment stack declares:
 *   for each job its operations (PR plan: state read and `plan -refresh=false`; main plan: state
 *   read, refresh and import reads, the values dry run; apply: state read, lock, write, and
 *   create/update/delete/import), plus the value step (V2) and the runbooks. Each: Allowed.
 * - Forbidden: what the job must never do (read a value, write state from a plan, calls of other
 *   operations, the calls the pipeline refuses by design): Denied, by the whole evaluation and by
 *   the role's own policies alone (so a boundary is never the only thing standing).
 * Every difference names the job, the principal, the action and the resource.
 *
 * Decisions are cached by shape (shape.ts): a thousand secrets of one shape cost one evaluation,
 * and every request is still compared and reported on its own.
 */
import type { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { ShapeCache } from './shape';
import { accountRoot, arn } from '../../plan/arn';
import { type CiAccessInput, type CiPrincipal, REFUSED } from '../../plan/ci-access';
import { VALUE_VERSION_TAG, VALUE_WRITTEN_TAG } from '../../plan/values';
import { callsFor, entryKey, isSet, type Operation, type TerraformCall, type TerraformCalls } from '../../plan/terraform-calls';
import type { CiModel, CiRole, EnvironmentFacts, Instance, Target } from './ci-model';
import type { Json, PolicyDoc } from './model';
import { statementsDeciding } from './proof';

export type CiCheck = 'job' | 'forbidden' | 'identity' | 'escalation' | 'trust' | 'code-signing' | 'workload';

export interface CiFinding {
  stack: string;
  check: CiCheck;
  job: string;
  principal: string;
  action: string;
  resource: string;
  expected: 'Allowed' | 'Denied';
  actual: 'Allowed' | 'Denied';
  /** Why the request is made (type, block and operation), or the escalation method. */
  why: string;
  decidedBy: string;
}

export interface CiRequest {
  job: string;
  who: CiPrincipal;
  action: string;
  target: Target;
  context: Record<string, string | string[]>;
  expected: boolean;
  why: string;
  check: CiCheck;
  /** Also require the role's own policies alone to deny it (forbidden calls). */
  identityToo?: boolean;
}

export interface CiProofResult {
  stack: string;
  findings: CiFinding[];
  /** Requests compared (job x principal x action x resource). */
  requests: number;
  /** Evaluations iam-simulate ran (the rest were decided by an equal request). */
  simulations: number;
  /** Escalation methods checked, by name. */
  escalationMethods: string[];
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Simulation with a cache keyed by what decides the result

type Decision = { allowed: boolean; decidedBy: string };

export class CiSimulator {
  constructor(readonly shapes = new ShapeCache()) {}
  get simulations() {
    return this.shapes.simulations;
  }

  /**
   * The decision for one request; with `exact`, evaluated without the cache (every difference is
   * evaluated again so, and must agree).
   */
  async decide(
    role: CiRole,
    action: string,
    t: Target,
    context: Record<string, string | string[]>,
    layers: 'all' | 'identity',
    exact = false,
  ): Promise<Decision> {
    const account = role.arn.split(':')[4];
    const resourceAccount = t.resource === '*' ? account : t.resource.split(':')[4] || account;
    const identityOnly = layers === 'identity';
    const resourcePolicy = identityOnly ? delegateToIam(role) : t.resourcePolicy;
    const boundary = identityOnly ? undefined : role.boundary;
    const sim: Simulation = {
      request: {
        principal: role.arn,
        action,
        resource: { resource: t.resource, accountId: resourceAccount },
        contextVariables: {
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': account,
          'aws:PrincipalType': 'AssumedRole',
          'aws:PrincipalIsAWSService': 'false',
          'aws:SecureTransport': 'true',
          ...context,
        },
      },
      identityPolicies: role.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [boundary] } : {}),
    };
    const result = exact ? await this.shapes.exact(sim) : await this.shapes.run(sim);
    // A request AWS would not make (an action on a resource type it has none of) is a mistake
    // in the manifest or the proof: reported as a denial with the reason.
    if (result.resultType === 'error')
      return { allowed: false, decidedBy: `iam-simulate refuses the request: ${JSON.stringify(result.errors)}` };
    return { allowed: result.overallResult === 'Allowed', decidedBy: reasons(result, role) };
  }

  /** A difference, evaluated again without the cache: its own reasons (and it must agree). */
  async confirm(
    role: CiRole,
    action: string,
    t: Target,
    context: Record<string, string | string[]>,
    layers: 'all' | 'identity',
    cached: Decision,
  ): Promise<string> {
    const e = await this.decide(role, action, t, context, layers, true);
    if (e.allowed !== cached.allowed)
      throw new Error(
        `the shape cache decided ${cached.allowed ? 'Allowed' : 'Denied'} for ${role.name} ${action} on ${t.resource}, iam-simulate decides otherwise: a bug in tools/access/shape.ts`,
      );
    return e.decidedBy;
  }
}

/** The identity layer alone: the resource delegates to IAM (the account root), nothing else. */
const delegateToIam = (role: CiRole): PolicyDoc => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ProbeDelegatesToIam',
      Effect: 'Allow',
      Principal: { AWS: accountRoot(role.arn.split(':')[1], role.arn.split(':')[4]) },
      Action: '*',
      Resource: '*',
    },
  ],
});

function reasons(result: Awaited<ReturnType<typeof runSimulation>>, role: CiRole): string {
  if (result.resultType === 'error') return 'error';
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (!analysis) return 'no analysis';
  const name = (type: string, id?: string) =>
    type === 'permissionBoundary'
      ? `boundary ${role.boundary?.name ?? ''}`
      : type === 'resource'
        ? 'resource policy'
        : `${type} ${id ?? ''}`.trim();
  return statementsDeciding(result.overallResult, analysis, name);
}

// ---------------------------------------------------------------------------------------------
// Requests: the jobs (manifest x blocks), the value step, the runbooks, break-glass

/** The workflow jobs that run Terraform, the principal each assumes, and what Terraform does there. */
export const TERRAFORM_JOBS: ReadonlyArray<{
  job: string;
  who: CiPrincipal;
  backend: Array<'stateRead' | 'lock' | 'stateWrite' | 'unlock'>;
  ops: Operation[];
}> = [
  { job: 'pull-request.yml plan', who: 'planPr', backend: ['stateRead'], ops: ['planNoRefresh'] },
  { job: 'deploy-environment.yml plan', who: 'plan', backend: ['stateRead'], ops: ['planNoRefresh', 'read', 'import'] },
  {
    job: 'deploy-environment.yml apply',
    who: 'deploy',
    backend: ['stateRead', 'lock', 'stateWrite', 'unlock'],
    ops: ['planNoRefresh', 'read', 'create', 'update', 'delete', 'import'],
  },
];
const BACKEND_OPS = ['stateRead', 'lock', 'stateWrite', 'unlock'] as const;

export interface CiProofInput {
  stack: string;
  input: CiAccessInput;
  ci: CiModel;
  env: EnvironmentFacts;
  manifest: TerraformCalls;
  /** The state bucket's policy (the state-backend stack's), if it has one. */
  stateBucketPolicy?: PolicyDoc;
  /** The state key as the state-backend stack creates it: ARN, key policy, tags. */
  stateKey?: { arn: string; policy: PolicyDoc; tags: Record<string, string> };
  /** The secrets the values step writes (by name), and whether it rotates each after writing (V2, V4). */
  valueStep?: ReadonlyMap<string, { rotateAfterWrite: boolean }>;
}

/** The context a manifest call carries for one block and one target. */
function callContext(p: CiProofInput, i: Instance, c: TerraformCall, t: Target, creating: boolean): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {};
  const env = p.env;
  if (t.tags && !creating) for (const [k, v] of Object.entries(t.tags)) ctx[`aws:ResourceTag/${k}`] = v;
  for (const [k, v] of Object.entries(t.context)) if (k !== 'replicaRegion') ctx[k] = v;
  const attr = (path: string) => {
    const raw = path
      .replace(/\[\]$/, '')
      .split('.')
      .reduce<Json>((cur, k) => cur?.[k], i.body);
    return raw === undefined
      ? undefined
      : Array.isArray(raw)
        ? raw.map((x) => env.value(x))
        : typeof raw === 'boolean' || typeof raw === 'number'
          ? String(raw)
          : env.value(raw);
  };
  for (const [key, value] of Object.entries(c.context ?? {})) {
    if (key === 'aws:RequestTag') {
      const tags = env.tagsOf(i);
      for (const [k, v] of Object.entries(tags)) ctx[`aws:RequestTag/${k}`] = v;
      ctx['aws:TagKeys'] = Object.keys(tags);
      continue;
    }
    let v: string | string[] | undefined;
    if (value.startsWith('attr:')) v = attr(value.slice(5));
    else if (value === 'role:permissions_boundary') {
      const role = env.roles().find((r) => r.arn === env.roleArnOf(env.value(i.body.role)));
      v = role?.boundary;
    } else if (value === 'profile:version') v = 'abcdefghij';
    else v = value.replace('{region}', t.region).replace('{replicaRegion}', String(t.context.replicaRegion ?? t.region));
    if (v !== undefined) ctx[key] = v;
  }
  if (ctx['kms:ViaService']) ctx['kms:CallerAccount'] = env.account;
  return ctx;
}

/** The state backend's targets (bucket, object, lock file, table, key). */
function backendTarget(p: CiProofInput, on: string): { target: Target; context: Record<string, string | string[]> } {
  const s = p.input.state;
  const bucket = arn(p.input.partition, 's3', '', '', s.bucket);
  const lockItems = [`${s.bucket}/${s.key}`, `${s.bucket}/${s.key}-md5`];
  const withBucketPolicy = (resource: string): Target => ({
    resource,
    region: s.region,
    context: {},
    ...(p.stateBucketPolicy ? { resourcePolicy: p.stateBucketPolicy } : {}),
  });
  switch (on) {
    case 'state-bucket':
      return { target: withBucketPolicy(bucket), context: {} };
    case 'state-object':
      return { target: withBucketPolicy(`${bucket}/${s.key}`), context: {} };
    case 'state-lockfile':
      return { target: withBucketPolicy(`${bucket}/${s.key}.tflock`), context: {} };
    case 'lock-table':
      return {
        target: {
          resource: arn(p.input.partition, 'dynamodb', s.region, p.input.accountId, `table/${s.lockTable}`),
          region: s.region,
          context: {},
        },
        context: { 'dynamodb:LeadingKeys': lockItems },
      };
    case 'state-key': {
      const k = p.stateKey;
      const tags = k ? Object.fromEntries(Object.entries(k.tags).map(([t, v]) => [`aws:ResourceTag/${t}`, v])) : {};
      return {
        target: {
          resource: k?.arn ?? arn(p.input.partition, 'kms', s.region, p.input.accountId, 'key/0123abcd-0000-4000-8000-00000000state'),
          region: s.region,
          context: {},
          ...(k ? { resourcePolicy: k.policy, tags: k.tags } : {}),
        },
        context: { 'kms:ResourceAliases': [s.keyAlias], 'kms:CallerAccount': p.input.accountId, ...tags },
      };
    }
    case '*':
      return { target: { resource: '*', region: s.region, context: {} }, context: {} };
    default:
      throw new Error(`backend call on ${on}: the CI proof cannot place it`);
  }
}

const backendRequests = (
  p: CiProofInput,
  job: string,
  who: CiPrincipal,
  ops: readonly string[],
  expected: boolean,
  check: CiCheck,
  except: readonly string[] = [],
): CiRequest[] =>
  ops.flatMap((op) =>
    (p.manifest.backend.s3.operations[op as (typeof BACKEND_OPS)[number]] ?? [])
      .filter((c) => c.action !== 'sts:GetCallerIdentity') // STS answers it for any principal
      .filter((c) => !except.includes(`${c.action} ${c.on}`))
      .map((c) => {
        const { target, context } = backendTarget(p, c.on);
        const ctx = {
          ...context,
          ...Object.fromEntries(Object.entries(c.context ?? {}).map(([k, v]) => [k, v.replace('{region}', p.input.state.region)])),
        };
        return {
          job,
          who,
          action: c.action,
          target,
          context: ctx,
          expected,
          why: `S3 backend ${op} (${c.api})`,
          check,
          identityToo: !expected,
        };
      }),
  );

/** Every request of the Terraform jobs: what each needs, and the other operations' calls it must not make. */
export function terraformRequests(p: CiProofInput, notes: string[]): CiRequest[] {
  const out: CiRequest[] = [];
  let removed = 0;
  for (const j of TERRAFORM_JOBS) {
    out.push(...backendRequests(p, j.job, j.who, j.backend, true, 'job'));
    // The other backend operations' calls, less those the job's own operations make too.
    const own = j.backend.flatMap((op) => p.manifest.backend.s3.operations[op].map((c) => `${c.action} ${c.on}`));
    out.push(
      ...backendRequests(
        p,
        j.job,
        j.who,
        BACKEND_OPS.filter((o) => !j.backend.includes(o)),
        false,
        'forbidden',
        own,
      ),
    );
  }
  for (const i of p.env.instances) {
    const key = entryKey(i.kind, i.type);
    const entry = p.manifest.types[key];
    if (!entry) throw new Error(`${p.stack}: ${key} has no entry in plan/terraform-calls.json`);
    const attrs = new Set(Object.keys(i.body).filter((k) => isSet(i.body[k])));
    const planned = new Map<Operation, TerraformCall[]>();
    for (const op of ['planNoRefresh', 'read', 'create', 'update', 'delete', 'import'] as const)
      planned.set(op, callsFor(p.manifest, key, op, attrs));
    for (const j of TERRAFORM_JOBS) {
      if (entry.status === 'removed-by-V1') {
        removed += j.ops.reduce((n, op) => n + planned.get(op)!.length, 0);
        continue;
      }
      const needed = new Set<string>();
      for (const op of j.ops) {
        for (const c of planned.get(op)!) {
          for (const t of p.env.targets(i, c.on)) {
            const refused = REFUSED[c.action];
            const creating = c.context?.['aws:RequestTag'] !== undefined;
            needed.add(`${c.action} ${t.resource}`);
            out.push({
              job: j.job,
              who: j.who,
              action: c.action,
              target: t,
              context: callContext(p, i, c, t, creating),
              expected: !refused,
              why: `${i.kind === 'resource' ? '' : `${i.kind}.`}${i.type}.${i.logical} ${op} (${c.api})${refused ? `: refused by design, ${refused}` : ''}`,
              check: refused ? 'forbidden' : 'job',
              identityToo: !!refused,
            });
          }
        }
      }
      // The other operations' calls: a plan role must not be able to change anything.
      if (j.who === 'deploy') continue;
      for (const op of ['read', 'create', 'update', 'delete'] as const) {
        if (j.ops.includes(op)) continue;
        for (const c of planned.get(op)!) {
          for (const t of p.env.targets(i, c.on)) {
            if (needed.has(`${c.action} ${t.resource}`) || (t.resource === '*' && needed.has(`${c.action} *`))) continue;
            if (j.who === 'plan' && c.action.match(/:(Describe|Get|List)/)) continue; // reads of another operation are reads
            needed.add(`${c.action} ${t.resource}`);
            out.push({
              job: j.job,
              who: j.who,
              action: c.action,
              target: t,
              context: callContext(p, i, c, t, c.context?.['aws:RequestTag'] !== undefined),
              expected: false,
              why: `${i.type}.${i.logical} ${op} (${c.api}) is not this job's`,
              check: 'forbidden',
              identityToo: true,
            });
          }
        }
      }
    }
  }
  if (removed > 0)
    notes.push(
      `${removed} call(s) of types V1 removes (aws_secretsmanager_secret_version, ephemeral aws_secretsmanager_random_password) are not proven: the values branch removes these types from the stacks`,
    );
  return out;
}

const stageCtx = (stage: string) => ({ 'secretsmanager:VersionStage': stage });

/** The value step (V2), the values dry run, the runbooks, break-glass, and every value read the pipeline must not make. */
export function valueRequests(p: CiProofInput): CiRequest[] {
  const out: CiRequest[] = [];
  const env = p.env;
  // A forbidden call is refused by the role's own policies too, unless `resourceGuard` says the
  // secret's policy is the guard by design (the values role may write what the values step writes).
  const add = (
    job: string,
    who: CiPrincipal,
    action: string,
    target: Target,
    expected: boolean,
    why: string,
    context: Record<string, string | string[]> = {},
    resourceGuard = false,
  ) =>
    out.push({
      job,
      who,
      action,
      target,
      context: {
        ...(target.tags ? Object.fromEntries(Object.entries(target.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) : {}),
        ...context,
      },
      expected,
      why,
      check: expected ? 'job' : 'forbidden',
      identityToo: !expected && !resourceGuard,
    });
  const viaSm = (region: string) => ({ 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:CallerAccount': env.account });
  const rotations = Object.values<Json>(env.tf.resource?.aws_secretsmanager_secret_rotation ?? {}).map((r) => ({
    secret: env.value(r.secret_id),
    fn: env.value(r.rotation_lambda_arn),
  }));
  const everyone: CiPrincipal[] = ['planPr', 'plan', 'deploy', 'values', 'operator'];
  const star: Target = { resource: '*', region: env.region, context: {} };
  const VALUES = 'values.yml values';
  const OPERATOR = 'runbooks (operator)';
  const BREAK_GLASS = 'emergency read (break-glass)';
  for (const who of everyone)
    add(`${who} (any job)`, who, 'secretsmanager:BatchGetSecretValue', star, false, 'V7: no pipeline identity reads a value');
  add(VALUES, 'values', 'secretsmanager:GetRandomPassword', star, true, 'V3: generated values without rotation');
  add(OPERATOR, 'operator', 'secretsmanager:ListSecrets', star, true, 'list the secrets');
  add(OPERATOR, 'operator', 'cloudtrail:LookupEvents', star, true, 'remove a secret: check its last reads');
  for (const s of env.secrets()) {
    const primaryRegion = Object.keys(s.arnByRegion)[0];
    for (const [region, secretArn] of Object.entries(s.arnByRegion)) {
      const t = env.at(secretArn);
      const key = s.keyByRegion[region];
      const k = key ? env.at(key) : undefined;
      for (const who of everyone) {
        add(
          `${who} (any job)`,
          who,
          'secretsmanager:GetSecretValue',
          t,
          false,
          'V7: no pipeline identity reads a value',
          stageCtx('AWSCURRENT'),
        );
        if (k && who !== 'deploy' && who !== 'values' && who !== 'operator')
          add(
            `${who} (any job)`,
            who,
            'kms:Decrypt',
            k,
            false,
            `the key of ${s.name} through Secrets Manager: not this role's`,
            viaSm(region),
          );
        if (k)
          add(`${who} (any job)`, who, 'kms:Decrypt', k, false, `the key of ${s.name} directly (no kms:ViaService)`, {
            'kms:CallerAccount': env.account,
          });
      }
      add(
        BREAK_GLASS,
        'breakGlass',
        'secretsmanager:GetSecretValue',
        t,
        true,
        'emergency read of the current value',
        stageCtx('AWSCURRENT'),
      );
      add(
        BREAK_GLASS,
        'breakGlass',
        'secretsmanager:GetSecretValue',
        t,
        true,
        'emergency read of the previous value',
        stageCtx('AWSPREVIOUS'),
      );
      if (k) add(BREAK_GLASS, 'breakGlass', 'kms:Decrypt', k, true, `decrypt ${s.name} through Secrets Manager`, viaSm(region));
      if (k)
        add(BREAK_GLASS, 'breakGlass', 'kms:Decrypt', k, false, `decrypt with the key of ${s.name} directly`, {
          'kms:CallerAccount': env.account,
        });
      if (region !== primaryRegion) continue;
      // Main plan: the values dry run describes every secret.
      add('deploy-environment.yml plan (values dry run)', 'plan', 'secretsmanager:DescribeSecret', t, true, 'values plan: DescribeSecret');
      // The value step (V2): describe, write, mark written, rotate after write; only the secrets
      // its manifest names (values.json), and no other.
      const written = p.valueStep?.get(s.name);
      if (written) {
        add(VALUES, 'values', 'secretsmanager:DescribeSecret', t, true, 'decide what to write');
        add(VALUES, 'values', 'secretsmanager:PutSecretValue', t, true, 'write the value');
        if (k) add(VALUES, 'values', 'kms:GenerateDataKey', k, true, `encrypt ${s.name} through Secrets Manager`, viaSm(region));
        add(VALUES, 'values', 'secretsmanager:TagResource', t, true, 'mark the value written', {
          'aws:TagKeys': [VALUE_WRITTEN_TAG],
          [`aws:RequestTag/${VALUE_WRITTEN_TAG}`]: '1',
        });
      } else {
        add(
          VALUES,
          'values',
          'secretsmanager:PutSecretValue',
          t,
          false,
          'the values step writes only the secrets its manifest names (the secret policy refuses the others)',
          {},
          true,
        );
      }
      add(VALUES, 'values', 'secretsmanager:TagResource', t, false, "any other tag is Terraform's", {
        'aws:TagKeys': [VALUE_VERSION_TAG],
        [`aws:RequestTag/${VALUE_VERSION_TAG}`]: '2',
      });
      for (const a of [
        'UpdateSecret',
        'PutResourcePolicy',
        'DeleteResourcePolicy',
        'DeleteSecret',
        'RestoreSecret',
        'UpdateSecretVersionStage',
        'UntagResource',
        'CancelRotateSecret',
      ])
        add(VALUES, 'values', `secretsmanager:${a}`, t, false, "not the value step's");
      // The deploy role never writes or stages a value, and never marks one written.
      add('deploy-environment.yml apply', 'deploy', 'secretsmanager:PutSecretValue', t, false, 'V1: Terraform writes no value');
      add(
        'deploy-environment.yml apply',
        'deploy',
        'secretsmanager:UpdateSecretVersionStage',
        t,
        false,
        'V1: Terraform moves no version stage',
      );
      add('deploy-environment.yml apply', 'deploy', 'secretsmanager:TagResource', t, false, 'only the value step marks a value written', {
        'aws:TagKeys': [VALUE_WRITTEN_TAG],
        [`aws:RequestTag/${VALUE_WRITTEN_TAG}`]: '1',
      });
      // Runbooks.
      add(OPERATOR, 'operator', 'secretsmanager:DescribeSecret', t, true, 'describe');
      add(OPERATOR, 'operator', 'secretsmanager:PutSecretValue', t, true, 'upload an external value');
      if (k) add(OPERATOR, 'operator', 'kms:GenerateDataKey', k, true, `upload: encrypt ${s.name} through Secrets Manager`, viaSm(region));
      add(OPERATOR, 'operator', 'secretsmanager:TagResource', t, true, 'upload: mark the value written', {
        'aws:TagKeys': [VALUE_WRITTEN_TAG],
        [`aws:RequestTag/${VALUE_WRITTEN_TAG}`]: '1',
      });
      add(OPERATOR, 'operator', 'secretsmanager:ListSecretVersionIds', t, true, 'roll back: find AWSPREVIOUS');
      add(OPERATOR, 'operator', 'secretsmanager:UpdateSecretVersionStage', t, true, 'roll back: move AWSCURRENT to the previous version');
      add(OPERATOR, 'operator', 'secretsmanager:DeleteSecret', t, true, 'remove a secret (with its recovery window)');
      add(OPERATOR, 'operator', 'secretsmanager:RestoreSecret', t, true, 'restore a deleted secret');
      for (const a of ['PutResourcePolicy', 'DeleteResourcePolicy', 'UpdateSecret', 'UntagResource', 'ReplicateSecretToRegions'])
        add(OPERATOR, 'operator', `secretsmanager:${a}`, t, false, 'not a runbook step');
      add(OPERATOR, 'operator', 'secretsmanager:TagResource', t, false, "tags other than value-written are Terraform's", {
        'aws:TagKeys': ['Owner'],
        'aws:RequestTag/Owner': 'x',
      });
      add(BREAK_GLASS, 'breakGlass', 'secretsmanager:PutResourcePolicy', t, true, 'repair a secret policy');
      add(BREAK_GLASS, 'breakGlass', 'secretsmanager:RestoreSecret', t, true, 'restore');
      const rot = rotations.find((r) => r.secret === secretArn);
      if (rot && written?.rotateAfterWrite) {
        add(VALUES, 'values', 'secretsmanager:RotateSecret', t, true, 'V4: rotate after writing the first JSON');
        add(VALUES, 'values', 'lambda:InvokeFunction', env.at(rot.fn), true, 'RotateSecret invokes the rotation function as the caller');
      }
      if (rot) {
        add(OPERATOR, 'operator', 'secretsmanager:RotateSecret', t, true, 'rotate now');
        add(
          OPERATOR,
          'operator',
          'lambda:InvokeFunction',
          env.at(rot.fn),
          true,
          'rotate now: Secrets Manager invokes the function as the caller',
        );
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running it

export async function runRequests(p: CiProofInput, requests: CiRequest[], sim: CiSimulator): Promise<CiFinding[]> {
  const findings: CiFinding[] = [];
  for (const r of requests) {
    const role = p.ci.roles.get(r.who);
    if (!role) {
      findings.push({
        stack: p.stack,
        check: r.check,
        job: r.job,
        principal: r.who,
        action: r.action,
        resource: r.target.resource,
        expected: r.expected ? 'Allowed' : 'Denied',
        actual: 'Denied',
        why: r.why,
        decidedBy: `the bootstrap stack ${p.ci.stack} has no ${r.who} role`,
      });
      continue;
    }
    const d = await sim.decide(role, r.action, r.target, r.context, 'all');
    if (d.allowed !== r.expected) {
      const decidedBy = await sim.confirm(role, r.action, r.target, r.context, 'all', d);
      findings.push({
        stack: p.stack,
        check: r.check,
        job: r.job,
        principal: role.name,
        action: r.action,
        resource: r.target.resource,
        expected: r.expected ? 'Allowed' : 'Denied',
        actual: d.allowed ? 'Allowed' : 'Denied',
        why: r.why,
        decidedBy,
      });
    }
    if (r.identityToo && !r.expected) {
      const di = await sim.decide(role, r.action, r.target, r.context, 'identity');
      if (di.allowed) {
        const decidedBy = await sim.confirm(role, r.action, r.target, r.context, 'identity', di);
        findings.push({
          stack: p.stack,
          check: 'identity',
          job: r.job,
          principal: role.name,
          action: r.action,
          resource: r.target.resource,
          expected: 'Denied',
          actual: 'Allowed',
          why: `${r.why} (the role's own policies allow it; only the boundary or a resource policy stops it)`,
          decidedBy,
        });
      }
    }
  }
  return findings;
}

export function formatCiFinding(f: CiFinding): string {
  return `[${f.stack}] ${f.check}: job "${f.job}", ${f.principal} ${f.action} on ${f.resource}: expected ${f.expected}, actual ${f.actual} (${f.why}); decided by ${f.decidedBy}`;
}
