/**
 * The facts the CI proof evaluates, read from synthesized stacks (never from the plan's
 * documents): the CI and human roles of the bootstrap `ci-access-<env>` stack with their trust,
 * attached policies and boundary; and every resource and data source of the environment stack
 * with the ARN AWS will authorize calls on, its tags, and the resource policy that applies
 * (secret, key, bucket, topic). References are resolved to estimated ARNs (model.ts).
 */
import { createHash } from 'node:crypto';
import { arn, roleArn } from '../../plan/arn';
import type { CiPrincipal } from '../../plan/ci-access';
import { partitionOf } from '../../plan/partitions';
import { type Json, type PolicyDoc, resolverFor, stackIdentity, type TfJson, UnresolvedReference } from './model';

export interface CiRole {
  who: CiPrincipal;
  name: string;
  arn: string;
  trust: PolicyDoc;
  identity: Array<{ name: string; policy: PolicyDoc }>;
  boundary?: { name: string; policy: PolicyDoc };
}

export interface CiModel {
  stack: string;
  account: string;
  region: string;
  partition: string;
  roles: Map<CiPrincipal, CiRole>;
  workloadBoundary?: { name: string; arn: string; policy: PolicyDoc };
  oidcProviderArn?: string;
  codeSigning: Array<{ logical: string; mode: string; publishers: string[] }>;
  /** Every policy document of the stack (for linting and the account-authorization document). */
  documents: Array<{ where: string; kind: 'identity' | 'boundary' | 'trust'; policy: PolicyDoc }>;
  raw: TfJson;
}

const refTo = (type: string, s: unknown) =>
  typeof s === 'string' ? new RegExp(`^\\$\\{${type.replace('.', '\\.')}\\.([^.]+)\\.[a-z_]+\\}$`).exec(s)?.[1] : undefined;

/** The bootstrap stack's roles, by which CI principal each is (role names from the plan's input). */
export function loadCiAccess(stack: string, tf: TfJson, names: Readonly<Record<CiPrincipal, string>>): CiModel {
  const { account, region } = stackIdentity(tf);
  const partition = partitionOf(region) ?? 'aws';
  const resolve = resolverFor(tf, account, region);
  const r = tf.resource ?? {};
  const documents: CiModel['documents'] = [];
  const policies = new Map<string, { name: string; policy: PolicyDoc }>();
  for (const [logical, body] of Object.entries<Json>(r.aws_iam_policy ?? {}))
    policies.set(logical, { name: body.name, policy: JSON.parse(resolve(body.policy)) });
  const byName = new Map(Object.entries(names).map(([who, n]) => [n, who as CiPrincipal]));
  const roles = new Map<CiPrincipal, CiRole>();
  for (const [logical, body] of Object.entries<Json>(r.aws_iam_role ?? {})) {
    const who = byName.get(body.name);
    if (!who) throw new Error(`${stack}: role ${body.name} is none of the CI principals (${[...byName.keys()].join(', ')})`);
    const trust: PolicyDoc = JSON.parse(resolve(body.assume_role_policy));
    const identity = Object.values<Json>(r.aws_iam_role_policy_attachment ?? {})
      .filter((a) => refTo('aws_iam_role', a.role) === logical)
      .map((a) => policies.get(refTo('aws_iam_policy', a.policy_arn)!)!);
    for (const [, p] of Object.entries<Json>(r.aws_iam_role_policy ?? {}))
      if (refTo('aws_iam_role', p.role) === logical) identity.push({ name: p.name, policy: JSON.parse(resolve(p.policy)) });
    const b = body.permissions_boundary ? policies.get(refTo('aws_iam_policy', body.permissions_boundary)!) : undefined;
    roles.set(who, {
      who,
      name: body.name,
      arn: roleArn(partition, account, body.name, body.path ?? '/'),
      trust,
      identity,
      ...(b ? { boundary: b } : {}),
    });
    documents.push({ where: `${stack} aws_iam_role.${logical} (trust)`, kind: 'trust', policy: trust });
    for (const p of identity) documents.push({ where: `${stack} ${p.name} (${body.name})`, kind: 'identity', policy: p.policy });
    if (b) documents.push({ where: `${stack} ${b.name} (boundary of ${body.name})`, kind: 'boundary', policy: b.policy });
  }
  const boundaryNames = new Set([...roles.values()].map((x) => x.boundary?.name));
  const workload = [...policies.values()].find((p) => p.name.endsWith('-workload-boundary') && !boundaryNames.has(p.name));
  if (workload) documents.push({ where: `${stack} ${workload.name}`, kind: 'boundary', policy: workload.policy });
  const [oidc] = Object.values<Json>(r.aws_iam_openid_connect_provider ?? {});
  return {
    stack,
    account,
    region,
    partition,
    roles,
    ...(workload ? { workloadBoundary: { ...workload, arn: arn(partition, 'iam', '', account, `policy/${workload.name}`) } } : {}),
    ...(oidc
      ? { oidcProviderArn: arn(partition, 'iam', '', account, `oidc-provider/${String(oidc.url).replace(/^https:\/\//, '')}`) }
      : {}),
    codeSigning: Object.entries<Json>(r.aws_lambda_code_signing_config ?? {}).map(([logical, c]) => ({
      logical,
      mode: c.policies?.untrusted_artifact_on_deployment ?? 'Warn',
      publishers: c.allowed_publishers?.signing_profile_version_arns ?? [],
    })),
    documents,
    raw: tf,
  };
}

/** One resource or data source block of the environment stack, as the proof sees it. */
export interface Instance {
  kind: 'resource' | 'data' | 'ephemeral';
  type: string;
  logical: string;
  body: Json;
  region: string;
}

export interface Target {
  resource: string;
  region: string;
  /** Context the target adds (its tags, a replica Region, an ENI's VPC). */
  context: Record<string, string | string[]>;
  /** The resource policy AWS evaluates with the call, if the target has one. */
  resourcePolicy?: PolicyDoc;
  /** Tags of the target as it exists (absent for the one being created). */
  tags?: Record<string, string>;
}

const sgId = (logical: string) => `sg-${createHash('sha256').update(logical).digest('hex').slice(0, 17)}`;

/**
 * The environment stack's resources: the ARN of each block, its tags (the provider's default tags
 * and its own), and the resource policies that apply to calls on it. `targets` turns a manifest
 * call's `on` into the concrete requests AWS would authorize.
 */
export class EnvironmentFacts {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly instances: Instance[] = [];
  private readonly resolve: (s: string) => string;
  private readonly tagsByArn = new Map<string, Record<string, string>>();
  private readonly policyByArn = new Map<string, PolicyDoc>();
  private readonly defaultTags: Record<string, string>;

  constructor(
    readonly stack: string,
    readonly tf: TfJson,
    /** The state backend's bucket policy (from the state-backend stack), if any. */
    extraPolicies: Array<{ arn: string; policy: PolicyDoc }> = [],
  ) {
    const id = stackIdentity(tf);
    this.account = id.account;
    this.region = id.region;
    this.partition = partitionOf(id.region) ?? 'aws';
    this.resolve = resolverFor(tf, id.account, id.region);
    const provider = (tf.provider?.aws ?? []).find((p: Json) => !p.alias) ?? {};
    this.defaultTags = { ...(provider.default_tags?.[0]?.tags ?? {}) };
    for (const kind of ['resource', 'data', 'ephemeral'] as const) {
      for (const [type, blocks] of Object.entries<Record<string, Json>>((tf[kind] ?? {}) as Record<string, Record<string, Json>>)) {
        for (const [logical, body] of Object.entries(blocks))
          this.instances.push({ kind, type, logical, body, region: typeof body.region === 'string' ? body.region : id.region });
      }
    }
    for (const i of this.instances) {
      if (i.kind !== 'resource' || !TAGGED.has(i.type)) continue;
      const self = this.selfArn(i);
      if (self) this.tagsByArn.set(self, { ...this.defaultTags, ...(i.body.tags ?? {}) });
      if (i.type === 'aws_secretsmanager_secret')
        for (const rep of i.body.replica ?? [])
          this.tagsByArn.set(self!.replace(`:${i.region}:`, `:${rep.region}:`), { ...this.defaultTags, ...(i.body.tags ?? {}) });
    }
    const r = tf.resource ?? {};
    for (const [, b] of Object.entries<Json>(r.aws_secretsmanager_secret_policy ?? {})) {
      const secret = this.value(b.secret_arn);
      const doc = JSON.parse(this.resolve(b.policy));
      this.policyByArn.set(secret, doc);
      const s = this.instances.find((x) => x.type === 'aws_secretsmanager_secret' && this.selfArn(x) === secret);
      for (const rep of s?.body.replica ?? []) this.policyByArn.set(secret.replace(`:${s!.region}:`, `:${rep.region}:`), doc);
    }
    for (const type of ['aws_kms_key', 'aws_kms_replica_key'])
      for (const [l, b] of Object.entries<Json>(r[type] ?? {}))
        this.policyByArn.set(this.resolve(`\${${type}.${l}.arn}`), JSON.parse(this.resolve(b.policy)));
    for (const [, b] of Object.entries<Json>(r.aws_s3_bucket_policy ?? {}))
      this.policyByArn.set(arn(this.partition, 's3', '', '', this.value(b.bucket)), JSON.parse(this.resolve(b.policy)));
    for (const [, b] of Object.entries<Json>(r.aws_sns_topic_policy ?? {}))
      this.policyByArn.set(this.value(b.arn), JSON.parse(this.resolve(b.policy)));
    for (const x of extraPolicies) this.policyByArn.set(x.arn, x.policy);
  }

  /** A string argument with its references resolved (signed-object and upload references too). */
  value(expr: unknown): string {
    const s = String(expr);
    const signed = /^\$\{aws_signer_signing_job\.([^.]+)\.signed_object\[0\]\.s3\[0\]\.(key|bucket)\}$/.exec(s);
    if (signed) {
      const job = this.tf.resource!.aws_signer_signing_job[signed[1]];
      return signed[2] === 'bucket' ? this.value(job.destination.s3.bucket) : `${job.destination.s3.prefix}0123456789abcdef.zip`;
    }
    const upload = /^\$\{aws_s3_object\.([^.]+)\.(key|version_id)\}$/.exec(s);
    if (upload) return upload[2] === 'key' ? this.tf.resource!.aws_s3_object[upload[1]].key : 'v1AbCdEf';
    try {
      return this.resolve(s);
    } catch (e) {
      if (e instanceof UnresolvedReference) throw new Error(`${this.stack}: ${e.message}`);
      throw e;
    }
  }

  private a(service: string, resource: string, region = this.region) {
    return arn(this.partition, service, region, this.account, resource);
  }

  private rolePaths?: Map<string, string>;
  roleArnOf(nameOrArn: string): string {
    if (nameOrArn.startsWith('arn:')) return nameOrArn;
    this.rolePaths ??= new Map(Object.values<Json>(this.tf.resource?.aws_iam_role ?? {}).map((b) => [b.name, b.path ?? '/']));
    return roleArn(this.partition, this.account, nameOrArn, this.rolePaths.get(nameOrArn) ?? '/');
  }

  /** The ARN AWS authorizes calls on this block itself with (undefined: it has none). */
  selfArn(i: Instance): string | undefined {
    const b = i.body;
    switch (i.type) {
      case 'aws_secretsmanager_secret':
      case 'aws_kms_key':
      case 'aws_kms_replica_key':
      case 'aws_iam_role':
      case 'aws_lambda_function':
      case 'aws_sns_topic':
      case 'aws_cloudwatch_event_rule':
      case 'aws_s3_bucket':
        return this.resolve(`\${${i.type}.${i.logical}.arn}`);
      case 'aws_kms_alias':
        return this.a('kms', b.name, i.region);
      case 'aws_cloudwatch_log_group':
        return this.a('logs', `log-group:${b.name}`, i.region);
      case 'aws_cloudwatch_metric_alarm':
        return this.a('cloudwatch', `alarm:${b.alarm_name}`, i.region);
      case 'aws_security_group':
        return this.a('ec2', `security-group/${sgId(i.logical)}`, i.region);
      case 'aws_vpc_endpoint':
        return this.a('ec2', `vpc-endpoint/vpce-${createHash('sha256').update(i.logical).digest('hex').slice(0, 17)}`, i.region);
      case 'aws_ssm_parameter':
        return this.a('ssm', `parameter/${String(b.name).replace(/^\//, '')}`, i.region);
      case 'aws_vpc_security_group_egress_rule':
      case 'aws_vpc_security_group_ingress_rule':
        return this.a('ec2', `security-group-rule/sgr-${createHash('sha256').update(i.logical).digest('hex').slice(0, 17)}`, i.region);
      default:
        return undefined;
    }
  }

  /** An argument's value as the ARN the call is authorized on (`kind` says what it names). */
  private attrArn(i: Instance, path: string): string[] {
    const b = i.body;
    const values = (p: string): unknown[] => {
      const [head, ...rest] = p.replace(/\[\]/g, '').split('.');
      let cur: unknown[] = [b[head]];
      for (const k of rest) cur = cur.flatMap((c) => (Array.isArray(c) ? c : [c])).map((c) => (c as Json)?.[k]);
      return cur.flatMap((c) => (Array.isArray(c) ? c : [c])).filter((c) => c !== undefined && c !== null);
    };
    const bucketObject = (bucket: unknown, key: string) => arn(this.partition, 's3', '', '', `${this.value(bucket)}/${key}`);
    switch (path) {
      case 'role':
      case 'role_arn':
        return values(path).map((v) => this.roleArnOf(this.value(v)));
      case 'secret_id':
      case 'secret_arn':
      case 'rotation_lambda_arn':
      case 'primary_key_arn':
      case 'arn':
      case 'topic_arn':
      case 'kms_key_id':
        return values(path).map((v) => this.value(v));
      case 'function_name': {
        return values(path).map((v) => {
          const f = this.value(v);
          return f.startsWith('arn:') ? f : this.a('lambda', `function:${f}`, i.region);
        });
      }
      case 'target_key_id':
        return values(path).map((v) => {
          const k = this.value(v);
          return k.startsWith('arn:') ? k : this.a('kms', `key/${k}`, i.region);
        });
      case 'rule':
        return values(path).map((v) => {
          const r = this.value(v);
          return r.startsWith('arn:') ? r : this.a('events', `rule/${r}`, i.region);
        });
      case 'bucket':
      case 's3_bucket':
        return values(path).map((v) => arn(this.partition, 's3', '', '', this.value(v)));
      case 'bucket/key':
        return [bucketObject(b.bucket, b.key)];
      case 'bucket/*':
        return [bucketObject(b.bucket, 'any/object.zip')];
      case 's3_bucket/s3_key':
        return [bucketObject(b.s3_bucket, this.value(b.s3_key))];
      case 'source.s3':
        return [bucketObject(b.source.s3.bucket, this.value(b.source.s3.key))];
      case 'destination.s3':
        return [bucketObject(b.destination.s3.bucket, `${b.destination.s3.prefix}0123456789abcdef.zip`)];
      case 'profile_name':
        return [this.a('signer', `/signing-profiles/${b.profile_name}`, i.region)];
      case 'vpc_id':
        return values(path).map((v) => this.a('ec2', `vpc/${this.value(v)}`, i.region));
      case 'subnet_ids':
        return values(path).map((v) => this.a('ec2', `subnet/${this.value(v)}`, i.region));
      case 'security_group_ids':
      case 'security_group_id':
        return values(path).map((v) => {
          const g = this.value(v);
          return this.a('ec2', `security-group/${g.startsWith('sg:') ? sgId(g.slice(3)) : g}`, i.region);
        });
      case 'code_signing_config_arn':
        return values(path).map((v) => this.value(v));
      case 'name':
        return [this.a('ssm', `parameter/${String(this.value(b.name)).replace(/^\//, '')}`, i.region)];
      case 'replica.kms_key_id':
        return (b.replica ?? []).filter((r: Json) => r.kms_key_id).map((r: Json) => this.value(r.kms_key_id));
      default:
        throw new Error(`${this.stack}: the CI proof cannot place ${i.type} "attr:${path}"; add it to EnvironmentFacts.attrArn`);
    }
  }

  /** Where a manifest call on `on` lands for this block: one request per resource ARN. */
  targets(i: Instance, on: string): Target[] {
    const at = (resource: string, region = i.region, context: Target['context'] = {}): Target => {
      const tags = this.tagsByArn.get(resource);
      return {
        resource,
        region,
        context,
        ...(tags ? { tags } : {}),
        ...(this.policyByArn.has(resource) ? { resourcePolicy: this.policyByArn.get(resource) } : {}),
      };
    };
    const regionOf = (a: string) => a.split(':')[3] || i.region;
    if (on === '*') return [{ resource: '*', region: i.region, context: {} }];
    if (on === 'self') {
      const self = this.selfArn(i);
      if (!self) throw new Error(`${this.stack}: the CI proof has no ARN for ${i.type} itself; add it to EnvironmentFacts.selfArn`);
      return [at(self)];
    }
    if (on.startsWith('attr:')) {
      const path = on.slice(5);
      if (path === 'replica[].kms_key_id')
        return this.attrArn(i, 'replica.kms_key_id').map((k) => at(k, regionOf(k), { replicaRegion: regionOf(k) }));
      return this.attrArn(i, path.replace(/\[\]$/, '')).map((a) => at(a, regionOf(a) || i.region));
    }
    if (on === 'secret-key') {
      const secret = this.value(i.body.secret_id);
      const s = this.instances.find((x) => x.type === 'aws_secretsmanager_secret' && this.selfArn(x) === secret);
      return s?.body.kms_key_id ? [at(this.value(s.body.kms_key_id))] : [];
    }
    if (on.startsWith('bucket-key:attr:')) {
      const path = on.slice('bucket-key:attr:'.length);
      const raw = path.split('.').reduce<Json>((cur, k) => cur?.[k], i.body);
      if (raw === undefined) return [];
      const bucketName = this.value(raw);
      const sse = Object.values<Json>(this.tf.resource?.aws_s3_bucket_server_side_encryption_configuration ?? {}).find(
        (c) => this.value(c.bucket) === bucketName,
      );
      const key = sse?.rule?.[0]?.apply_server_side_encryption_by_default?.kms_master_key_id;
      return key ? [at(this.value(key))] : [];
    }
    if (on === 'security-group-rule') return [at(this.selfArn(i)!)];
    if (on === 'signing-job') return [at(this.a('signer', '/signing-jobs/0123456789abcdef', i.region))];
    if (on === 'instance-profile')
      return [at(arn(this.partition, 'iam', '', this.account, `instance-profile/${i.body.name ?? i.logical}`))];
    if (on === 'network-interface') {
      const vpc =
        this.tf.resource?.aws_lambda_function && Object.values<Json>(this.tf.resource.aws_lambda_function).find((f) => f.vpc_config)
          ? this.vpcArn()
          : undefined;
      return [at(this.a('ec2', 'network-interface/eni-0123456789abcdef0', i.region), i.region, vpc ? { 'ec2:Vpc': vpc } : {})];
    }
    throw new Error(`${this.stack}: the CI proof cannot place "${on}" of ${i.type}`);
  }

  private vpcArn(): string | undefined {
    const sg = Object.values<Json>(this.tf.resource?.aws_security_group ?? {}).find((g) => g.vpc_id);
    return sg ? this.a('ec2', `vpc/${this.value(sg.vpc_id)}`) : undefined;
  }

  /** The tags a block is created with (the provider's default tags and its own). */
  tagsOf(i: Instance): Record<string, string> {
    return { ...this.defaultTags, ...(i.body.tags ?? {}) };
  }

  /** The secrets of the stack: ARN per Region, key per Region, policy. */
  secrets(): Array<{ name: string; arnByRegion: Record<string, string>; keyByRegion: Record<string, string | undefined> }> {
    return this.instances
      .filter((i) => i.type === 'aws_secretsmanager_secret')
      .map((i) => {
        const primary = this.selfArn(i)!;
        const arnByRegion: Record<string, string> = { [i.region]: primary };
        const keyByRegion: Record<string, string | undefined> = {
          [i.region]: i.body.kms_key_id ? this.value(i.body.kms_key_id) : undefined,
        };
        for (const rep of i.body.replica ?? []) {
          arnByRegion[rep.region] = primary.replace(`:${i.region}:`, `:${rep.region}:`);
          keyByRegion[rep.region] = rep.kms_key_id ? this.value(rep.kms_key_id) : undefined;
        }
        return { name: i.body.name, arnByRegion, keyByRegion };
      });
  }

  /** The request a target makes, with its policy and tags (for checks beyond the manifest). */
  at(resource: string): Target {
    const tags = this.tagsByArn.get(resource);
    const region = resource.split(':')[3] || this.region;
    return {
      resource,
      region,
      context: {},
      ...(tags ? { tags } : {}),
      ...(this.policyByArn.has(resource) ? { resourcePolicy: this.policyByArn.get(resource) } : {}),
    };
  }

  functions(): Array<{ arn: string; role: string; codeSigningConfigArn?: string }> {
    return this.instances
      .filter((i) => i.type === 'aws_lambda_function')
      .map((i) => ({
        arn: this.selfArn(i)!,
        role: this.roleArnOf(this.value(i.body.role)),
        ...(i.body.code_signing_config_arn ? { codeSigningConfigArn: this.value(i.body.code_signing_config_arn) } : {}),
      }));
  }

  roles(): Array<{ arn: string; name: string; path: string; trust: PolicyDoc; boundary?: string }> {
    return Object.values<Json>(this.tf.resource?.aws_iam_role ?? {}).map((b) => ({
      arn: roleArn(this.partition, this.account, b.name, b.path ?? '/'),
      name: b.name,
      path: b.path ?? '/',
      trust: JSON.parse(this.resolve(b.assume_role_policy)),
      ...(b.permissions_boundary ? { boundary: this.value(b.permissions_boundary) } : {}),
    }));
  }
}

/** Types that carry tags (the provider's default tags reach them): their ARNs get aws:ResourceTag. */
const TAGGED = new Set([
  'aws_secretsmanager_secret',
  'aws_kms_key',
  'aws_kms_replica_key',
  'aws_iam_role',
  'aws_lambda_function',
  'aws_sns_topic',
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_log_group',
  'aws_cloudwatch_metric_alarm',
  'aws_s3_bucket',
  'aws_security_group',
  'aws_vpc_endpoint',
  'aws_ssm_parameter',
  'aws_vpc_security_group_egress_rule',
  'aws_vpc_security_group_ingress_rule',
]);
