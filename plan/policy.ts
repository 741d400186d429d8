/**
 * Policies as typed objects rendered to literal JSON (never `jsonencode` or
 * `aws_iam_policy_document`), so checkov and our tests can read every statement.
 * Terraform references (`${aws_...arn}`) may appear inside the strings.
 */
export type Principal =
  | '*'
  | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[]; readonly Federated?: string };
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;

/** One policy statement. Read-only: documents are computed once (by the plan) and only rendered. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  /** Everything but these (used only in boundary denies: "deny invoking anything but ..."). */
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Id?: string;
  readonly Statement: readonly Statement[];
}

export function policy(statements: readonly Statement[], id?: string): PolicyDocument {
  return id ? { Version: '2012-10-17', Id: id, Statement: statements } : { Version: '2012-10-17', Statement: statements };
}

// Plan documents are deep-frozen and both measured (size rules) and written: render each once.
const rendered = new WeakMap<PolicyDocument, string>();

export function renderPolicy(doc: PolicyDocument): string {
  const known = rendered.get(doc);
  if (known !== undefined) return known;
  const json = JSON.stringify(doc);
  if (Object.isFrozen(doc)) rendered.set(doc, json);
  return json;
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

/** `kms:ViaService` value that limits a key grant to use through Secrets Manager in a region. */
export function secretsManagerVia(region: string): string {
  return `secretsmanager.${region}.amazonaws.com`;
}

export function uniq<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** `kms:Decrypt` only when Secrets Manager calls on the reader's behalf, for these keys. */
export function decryptViaSecretsManager(
  keys: readonly string[],
  regions: readonly string[],
  sid = 'DecryptThroughSecretsManager',
): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: uniq(keys),
    Condition: { StringEquals: { 'kms:ViaService': uniq(regions).map(secretsManagerVia) } },
  };
}
