/**
 * Policies as typed objects rendered to literal JSON (never `jsonencode` or
 * `aws_iam_policy_document`), so checkov and our tests can read every statement.
 * Terraform references (`${aws_...arn}`) may appear inside the strings.
 */

export type Principal = '*' | { AWS?: string | string[]; Service?: string | string[]; Federated?: string };
export type ConditionBlock = Record<string, Record<string, string | string[] | boolean>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Principal;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Id?: string;
  Statement: Statement[];
}

export function policy(statements: Statement[], id?: string): PolicyDocument {
  return id ? { Version: '2012-10-17', Id: id, Statement: statements } : { Version: '2012-10-17', Statement: statements };
}

export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/** AWS's published size limits for policy documents (characters, whitespace not counted). */
export const POLICY_LIMITS = {
  secretResourcePolicy: 20_480,
  kmsKeyPolicy: 32_768,
  iamInlinePoliciesPerRole: 10_240,
  iamManagedPolicy: 6_144,
  iamTrustPolicy: 2_048,
  vpcEndpointPolicy: 20_480,
  snsTopicPolicy: 30_720,
  s3BucketPolicy: 20_480,
} as const;

/** The size AWS counts: the policy's JSON without insignificant whitespace. */
export function policySize(doc: PolicyDocument): number {
  return Buffer.byteLength(renderPolicy(doc), 'utf8');
}

/**
 * A reference to something whose ARN is only known at apply time. Policy builders take refs,
 * so the same builder renders once with Terraform references (what is synthesized) and once
 * with realistic literal ARNs (what the size guardrail measures).
 */
export interface ArnRef {
  /** The ARN as written into the synthesized policy (usually a Terraform reference). */
  arn: string;
  /** A literal ARN of the final length, for size checks. */
  estimatedArn: string;
}

export function estimatedSecretArn(region: string, account: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
}

export function estimatedKeyArn(region: string, account: string): string {
  return `arn:aws:kms:${region}:${account}:key/mrk-0123456789abcdef0123456789abcdef`;
}

export function accountRoot(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** `kms:ViaService` value that limits a key grant to use through Secrets Manager in a region. */
export function secretsManagerVia(region: string): string {
  return `secretsmanager.${region}.amazonaws.com`;
}

export function uniq<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** `kms:Decrypt` only when Secrets Manager calls on the reader's behalf, for these keys. */
export function decryptViaSecretsManager(keys: ArnRef[], regions: string[], estimate: boolean, sid = 'DecryptThroughSecretsManager'): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: uniq(keys.map((k) => (estimate ? k.estimatedArn : k.arn))),
    Condition: { StringEquals: { 'kms:ViaService': uniq(regions).map(secretsManagerVia) } },
  };
}

/** Trust for an AWS service of this account only (`aws:SourceAccount`, the confused-deputy guard). */
export function serviceTrustPolicy(sid: string, service: string, accountId: string): PolicyDocument {
  return policy([{ Sid: sid, Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': accountId } } }]);
}
