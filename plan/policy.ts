/**
 * Policies as typed objects rendered to literal JSON (never `jsonencode` or
 * `aws_iam_policy_document`), so checkov and our tests can read every statement.
 * Terraform references (`${aws_...arn}`) may appear inside the strings.
 */
import { createHash } from 'node:crypto';

export type Principal = '*' | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[]; readonly Federated?: string };
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;

/** One policy statement. Read-only: documents are computed once (by the plan) and only rendered. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
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

/**
 * A literal KMS key ARN of the final length (`mrk-` and 32 hex digits, as long as a key id).
 * `seed` (e.g. the alias) makes it distinct per key, so documents naming several keys keep
 * them apart when measured and when the estimates are replaced by references.
 */
export function estimatedKeyArn(region: string, account: string, seed = ''): string {
  const id = seed ? createHash('sha256').update(`${seed}@${region}`).digest('hex').slice(0, 32) : '0123456789abcdef0123456789abcdef';
  return `arn:aws:kms:${region}:${account}:key/mrk-${id}`;
}

export function accountRoot(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** `kms:ViaService` value that limits a key grant to use through Secrets Manager in a region. */
export function secretsManagerVia(region: string): string {
  return `secretsmanager.${region}.amazonaws.com`;
}

export function uniq<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** `kms:Decrypt` only when Secrets Manager calls on the reader's behalf, for these keys. */
export function decryptViaSecretsManager(keys: readonly ArnRef[], regions: readonly string[], estimate: boolean, sid = 'DecryptThroughSecretsManager'): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: uniq(keys.map((k) => (estimate ? k.estimatedArn : k.arn))),
    Condition: { StringEquals: { 'kms:ViaService': uniq(regions).map(secretsManagerVia) } },
  };
}

/**
 * Renders documents computed with literal (estimated) ARNs, replacing each ARN that a construct
 * has bound with its Terraform reference. The plan computes every policy once, with ARNs of
 * the final length; the size guardrails measure that document and the stack renders that same
 * document with references, so what is measured is what is written.
 *
 * An ARN is recognised from `arn:` to the end of the JSON string (or text); the longest bound
 * prefix ending at a `:` or at the end wins, so `<secret ARN>:<json key>::` (ECS `valueFrom`)
 * and `<log group ARN>:*` resolve too.
 */
export class ArnResolver {
  private readonly refs = new Map<string, string>();

  bind(estimated: string, reference: string): void {
    const known = this.refs.get(estimated);
    if (known !== undefined && known !== reference) throw new Error(`ARN ${estimated} is bound to two resources; estimated ARNs must be unique`);
    this.refs.set(estimated, reference);
  }

  has(estimated: string): boolean {
    return this.refs.has(estimated);
  }

  /** The text with every bound ARN replaced by its reference. */
  resolve(text: string): string {
    return text.replace(/arn:[^"\s]*/g, (candidate) => {
      for (let end = candidate.length; end > 0; end = candidate.lastIndexOf(':', end - 1)) {
        const ref = this.refs.get(candidate.slice(0, end));
        if (ref !== undefined) return ref + candidate.slice(end);
      }
      return candidate;
    });
  }

  render(doc: PolicyDocument): string {
    return this.resolve(renderPolicy(doc));
  }
}
