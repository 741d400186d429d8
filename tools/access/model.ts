/**
 * Reads a synthesized stack (cdk.tf.json) into the facts the access proof evaluates: secrets with
 * their keys, replicas and resource policies; keys with their policies; roles with their inline
 * policies; the Secrets Manager endpoint, its policy and security-group rules. Terraform
 * references inside policy strings are resolved to concrete ARNs from the stack's account and
 * region (the ARNs AWS will assign, estimated: secret suffix `-AbCdEf`, a stable key id per key).
 * A reference the resolver does not know is an error: the proof never guesses what a policy says.
 */
import { createHash } from 'node:crypto';
import { arn, roleArn } from '../../plan/arn';
import { estimatedCodeSigningConfigArn } from '../../plan/ci-access';
import { partitionOf } from '../../plan/partitions';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON and policy documents, read field by field
export type Json = any;
export type TfJson = {
  provider?: Record<string, Json[]>;
  resource?: Record<string, Record<string, Json>>;
  data?: Record<string, Record<string, Json>>;
  ephemeral?: Record<string, Record<string, Json>>;
  output?: Record<string, Json>;
};

export interface PolicyDoc {
  Version: string;
  Id?: string;
  Statement: Json[];
}

export interface SecretFact {
  /** Logical Terraform name (`secret-<id>_secret_<hash>`). */
  logical: string;
  name: string;
  /** Primary ARN, then one per replica region. */
  arnByRegion: Record<string, string>;
  /** Key ARN per region; undefined = AWS-managed key. */
  keyByRegion: Record<string, string | undefined>;
  resourcePolicy?: PolicyDoc;
  /** True when Terraform writes a version of this secret (aws_secretsmanager_secret_version). */
  terraformWritesValue: boolean;
  /** The secret's tags (the provider's default tags and its own): tag-scoped grants read them. */
  tags: Record<string, string>;
}

export interface KeyFact {
  logical: string;
  arn: string;
  region: string;
  policy: PolicyDoc;
  alias?: string;
  /** The key's tags (the provider's default tags and its own): tag-scoped grants read them. */
  tags: Record<string, string>;
}

export interface RoleFact {
  logical: string;
  name: string;
  arn: string;
  trust: PolicyDoc;
  policies: Array<{ name: string; policy: PolicyDoc }>;
}

export interface IngressFact {
  logical: string;
  cidr?: string;
  cidrIpv6?: string;
  prefixList?: string;
  /** Resolved logical name of the referenced security group, or the literal sg id. */
  sourceGroup?: string;
  fromPort?: number;
  toPort?: number;
}

export interface StackModel {
  stack: string;
  account: string;
  region: string;
  secrets: SecretFact[];
  keys: KeyFact[];
  roles: RoleFact[];
  /** Inline policies on roles this stack does not create (iam-role readers), by role name. */
  externalRolePolicies: Array<{ roleName: string; arn: string; name: string; policy: PolicyDoc }>;
  /** Consumer-account policies from `consumer_policies_<reader>` outputs. */
  consumerPolicies: Record<string, PolicyDoc[]>;
  endpoint?: { logical: string; policy: PolicyDoc; securityGroup: string; ingress: IngressFact[] };
  /** Every policy document of the stack with where it came from (for linting). */
  documents: Array<{ where: string; kind: 'identity' | 'resource' | 'key' | 'trust' | 'endpoint' | 'topic' | 'bucket'; policy: PolicyDoc }>;
  /** Every other resource by type (for the report and monitoring checks). */
  raw: TfJson;
}

/** Stable 32-hex key id for a logical key name; multi-Region keys get the `mrk-` prefix. */
export function estimatedKeyId(logical: string, multiRegion: boolean): string {
  const hex = createHash('sha256').update(logical).digest('hex').slice(0, 32);
  return multiRegion
    ? `mrk-${hex}`
    : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const REF = /\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;
const REPLACE = /\$\{replace\(([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+), "([^"]*)", "([^"]*)"\)\}/g;

export class UnresolvedReference extends Error {}

/** Builds the resolver for one stack. */
export function resolverFor(tf: TfJson, account: string, region: string): (s: string) => string {
  const r = tf.resource ?? {};
  const partition = partitionOf(region) ?? 'aws';
  const regionOf = (body: Json) => (typeof body?.region === 'string' ? body.region : region);
  const attr = (type: string, name: string, field: string): string => {
    const body = type.startsWith('data.') ? tf.data?.[type.slice(5)]?.[name] : r[type]?.[name];
    if (!body) throw new UnresolvedReference(`reference to ${type}.${name}, which is not in the stack`);
    const rg = regionOf(body);
    switch (`${type}.${field}`) {
      case 'aws_secretsmanager_secret.arn':
      case 'aws_secretsmanager_secret.id':
        return `arn:aws:secretsmanager:${rg}:${account}:secret:${body.name}-AbCdEf`;
      case 'aws_secretsmanager_secret.name':
        return body.name;
      case 'aws_kms_key.arn':
        return `arn:aws:kms:${rg}:${account}:key/${estimatedKeyId(name, !!body.multi_region)}`;
      case 'aws_kms_key.key_id':
        return estimatedKeyId(name, !!body.multi_region);
      case 'aws_kms_replica_key.arn':
      case 'aws_kms_replica_key.key_id': {
        // A replica shares its primary's key id; only the Region differs.
        const primary = resolve(body.primary_key_arn);
        const id = primary.split('/').pop()!;
        return field === 'arn' ? `arn:aws:kms:${rg}:${account}:key/${id}` : id;
      }
      case 'aws_iam_role.arn':
        return roleArn(partition, account, body.name, body.path ?? '/');
      case 'aws_iam_role.name':
        return body.name;
      case 'aws_cloudwatch_log_group.arn':
        return `arn:aws:logs:${rg}:${account}:log-group:${body.name}`;
      case 'aws_cloudwatch_log_group.name':
        return body.name;
      case 'aws_sns_topic.arn':
        return `arn:aws:sns:${rg}:${account}:${body.name}`;
      case 'aws_lambda_function.arn':
        return `arn:aws:lambda:${rg}:${account}:function:${body.function_name}`;
      case 'aws_lambda_function.function_name':
        return body.function_name;
      case 'aws_cloudwatch_event_rule.name':
        return body.name;
      case 'aws_cloudwatch_event_rule.arn':
        return `arn:aws:events:${rg}:${account}:rule/${body.name}`;
      case 'aws_security_group.id':
        return `sg:${name}`;
      case 'aws_s3_bucket.arn':
        return `arn:aws:s3:::${body.bucket}`;
      case 'aws_s3_bucket.id':
      case 'aws_s3_bucket.bucket':
        return body.bucket;
      case 'aws_dynamodb_table.arn':
        return `arn:aws:dynamodb:${rg}:${account}:table/${body.name}`;
      case 'aws_dynamodb_table.name':
        return body.name;
      // The bootstrap's CI access: policies by name, the code-signing config, the OIDC provider.
      case 'aws_iam_policy.arn':
        return arn(partition, 'iam', '', account, `policy${body.path ?? '/'}${body.name}`);
      case 'aws_lambda_code_signing_config.arn':
        return estimatedCodeSigningConfigArn(partition, rg, account);
      case 'aws_iam_openid_connect_provider.arn':
        return arn(partition, 'iam', '', account, `oidc-provider/${String(body.url).replace(/^https:\/\//, '')}`);
      case 'aws_signer_signing_profile.version_arn':
        return arn(partition, 'signer', rg, account, `/signing-profiles/${body.name}/abcdefghij`);
      // The environment stack reads the code-signing config's ARN from the bootstrap's parameter.
      case 'data.aws_ssm_parameter.insecure_value':
      case 'data.aws_ssm_parameter.value':
        if (String(body.name).endsWith('/code-signing-config-arn')) return estimatedCodeSigningConfigArn(partition, rg, account);
        throw new UnresolvedReference(`the access proof cannot resolve the value of SSM parameter ${body.name}`);
      default:
        throw new UnresolvedReference(`the access proof cannot resolve \${${type}.${name}.${field}}`);
    }
  };
  const resolve = (s: string): string =>
    s.replace(REPLACE, (_m, t, n, f, from, to) => attr(t, n, f).split(from).join(to)).replace(REF, (_m, t, n, f) => attr(t, n, f));
  return (s: string) => {
    const out = resolve(s);
    if (out.includes('${'))
      throw new UnresolvedReference(`the access proof cannot resolve the expression in ${JSON.stringify(s.slice(0, 200))}`);
    return out;
  };
}

function parseDoc(text: string, resolve: (s: string) => string): PolicyDoc {
  return JSON.parse(resolve(text));
}

/** The stack's account and region from its AWS provider (`allowed_account_ids`, `region`). */
export function stackIdentity(tf: TfJson): { account: string; region: string } {
  const p = (tf.provider?.aws ?? []).find((x: Json) => !x.alias) ?? tf.provider?.aws?.[0];
  const account = p?.allowed_account_ids?.[0];
  if (!account || !p?.region) throw new Error('stack has no AWS provider with allowed_account_ids and region');
  return { account, region: p.region };
}

export function loadStack(stack: string, tf: TfJson): StackModel {
  const { account, region } = stackIdentity(tf);
  const resolve = resolverFor(tf, account, region);
  const r = tf.resource ?? {};
  const entries = (type: string): Array<[string, Json]> => Object.entries(r[type] ?? {});
  const documents: StackModel['documents'] = [];
  const refName = (s: string | undefined) => (s ? /\$\{[a-z0-9_]+\.([A-Za-z0-9_-]+)\./.exec(s)?.[1] : undefined);

  const keys: KeyFact[] = [];
  const provider = (tf.provider?.aws ?? []).find((x: Json) => !x.alias) ?? {};
  const tagsOf = (body: Json): Record<string, string> => ({ ...(provider.default_tags?.[0]?.tags ?? {}), ...(body.tags ?? {}) });
  for (const [logical, body] of entries('aws_kms_key')) {
    const policy = parseDoc(body.policy, resolve);
    keys.push({ logical, arn: resolve(`\${aws_kms_key.${logical}.arn}`), region: body.region ?? region, policy, tags: tagsOf(body) });
    documents.push({ where: `aws_kms_key.${logical}`, kind: 'key', policy });
  }
  for (const [logical, body] of entries('aws_kms_replica_key')) {
    const policy = parseDoc(body.policy, resolve);
    keys.push({
      logical,
      arn: resolve(`\${aws_kms_replica_key.${logical}.arn}`),
      region: body.region ?? region,
      policy,
      tags: tagsOf(body),
    });
    documents.push({ where: `aws_kms_replica_key.${logical}`, kind: 'key', policy });
  }
  for (const [, body] of entries('aws_kms_alias')) {
    const target = refName(body.target_key_id);
    const key = keys.find((k) => k.logical === target);
    if (key && !key.alias) key.alias = body.name;
  }

  const versions = new Set(entries('aws_secretsmanager_secret_version').map(([, b]) => refName(b.secret_id)));
  const policies = new Map(entries('aws_secretsmanager_secret_policy').map(([l, b]) => [refName(b.secret_arn), { l, b }]));
  const secrets: SecretFact[] = entries('aws_secretsmanager_secret').map(([logical, body]) => {
    const primary = resolve(`\${aws_secretsmanager_secret.${logical}.arn}`);
    const arnByRegion: Record<string, string> = { [body.region ?? region]: primary };
    const keyByRegion: Record<string, string | undefined> = {
      [body.region ?? region]: body.kms_key_id ? resolve(body.kms_key_id) : undefined,
    };
    for (const rep of body.replica ?? []) {
      arnByRegion[rep.region] = primary.replace(`:secretsmanager:${body.region ?? region}:`, `:secretsmanager:${rep.region}:`);
      keyByRegion[rep.region] = rep.kms_key_id ? resolve(rep.kms_key_id) : undefined;
    }
    const pol = policies.get(logical);
    const resourcePolicy = pol ? parseDoc(pol.b.policy, resolve) : undefined;
    if (resourcePolicy) documents.push({ where: `aws_secretsmanager_secret_policy.${pol!.l}`, kind: 'resource', policy: resourcePolicy });
    return {
      logical,
      name: body.name,
      arnByRegion,
      keyByRegion,
      resourcePolicy,
      terraformWritesValue: versions.has(logical),
      tags: tagsOf(body),
    };
  });

  const roles: RoleFact[] = entries('aws_iam_role').map(([logical, body]) => {
    const trust = parseDoc(body.assume_role_policy, resolve);
    documents.push({ where: `aws_iam_role.${logical} (trust)`, kind: 'trust', policy: trust });
    return {
      logical,
      name: body.name,
      arn: roleArn(partitionOf(region) ?? 'aws', account, body.name, body.path ?? '/'),
      trust,
      policies: [],
    };
  });
  const externalRolePolicies: StackModel['externalRolePolicies'] = [];
  for (const [logical, body] of entries('aws_iam_role_policy')) {
    const policy = parseDoc(body.policy, resolve);
    documents.push({ where: `aws_iam_role_policy.${logical}`, kind: 'identity', policy });
    const roleName = resolve(body.role);
    const role = roles.find((x) => x.name === roleName);
    if (role) role.policies.push({ name: `aws_iam_role_policy.${logical}`, policy });
    else
      externalRolePolicies.push({
        roleName,
        arn: `arn:aws:iam::${account}:role/${roleName}`,
        name: `aws_iam_role_policy.${logical}`,
        policy,
      });
  }

  const consumerPolicies: Record<string, PolicyDoc[]> = {};
  for (const [name, out] of Object.entries(tf.output ?? {})) {
    if (!name.startsWith('consumer_policies_')) continue;
    consumerPolicies[name.slice('consumer_policies_'.length)] = (out.value as string[]).map((t) => parseDoc(t, resolve));
    for (const [i, policy] of consumerPolicies[name.slice('consumer_policies_'.length)].entries()) {
      documents.push({ where: `output.${name}[${i}]`, kind: 'identity', policy });
    }
  }

  let endpoint: StackModel['endpoint'];
  const [ep] = entries('aws_vpc_endpoint').filter(([, b]) => /secretsmanager$/.test(b.service_name));
  if (ep) {
    const policy = parseDoc(ep[1].policy, resolve);
    documents.push({ where: `aws_vpc_endpoint.${ep[0]}`, kind: 'endpoint', policy });
    const sg = refName(ep[1].security_group_ids?.[0]) ?? '';
    const ingress: IngressFact[] = entries('aws_vpc_security_group_ingress_rule')
      .filter(([, b]) => refName(b.security_group_id) === sg)
      .map(([l, b]) => ({
        logical: l,
        cidr: b.cidr_ipv4,
        cidrIpv6: b.cidr_ipv6,
        prefixList: b.prefix_list_id,
        sourceGroup: b.referenced_security_group_id
          ? (refName(b.referenced_security_group_id) ?? b.referenced_security_group_id)
          : undefined,
        fromPort: b.from_port,
        toPort: b.to_port,
      }));
    // Inline ingress blocks on the group itself count too.
    for (const inl of r.aws_security_group?.[sg]?.ingress ?? []) {
      for (const c of inl.cidr_blocks ?? [])
        ingress.push({ logical: `${sg}.ingress`, cidr: c, fromPort: inl.from_port, toPort: inl.to_port });
      for (const g of inl.security_groups ?? [])
        ingress.push({ logical: `${sg}.ingress`, sourceGroup: refName(g) ?? g, fromPort: inl.from_port, toPort: inl.to_port });
    }
    endpoint = { logical: ep[0], policy, securityGroup: sg, ingress };
  }
  for (const [logical, body] of entries('aws_sns_topic_policy'))
    documents.push({ where: `aws_sns_topic_policy.${logical}`, kind: 'topic', policy: parseDoc(body.policy, resolve) });
  for (const [logical, body] of entries('aws_s3_bucket_policy'))
    documents.push({ where: `aws_s3_bucket_policy.${logical}`, kind: 'bucket', policy: parseDoc(body.policy, resolve) });

  return { stack, account, region, secrets, keys, roles, externalRolePolicies, consumerPolicies, endpoint, documents, raw: tf };
}
