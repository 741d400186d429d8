/**
 * Every ARN the plan writes is built here, one way: `arn:<partition>:<service>:<region>:<account>:<resource>`,
 * with the partition the plan derives from the environment's Region (plan/partitions.ts).
 *
 * Documents are computed once, with literal ARNs of their final length ("estimates": a secret's
 * random six-character suffix is `AbCdEf`, a key id is `mrk-` and 32 hex digits). The size
 * guardrails measure those documents, and the stack renders the same documents after binding
 * each estimate to the Terraform reference of the resource it creates (modules `ArnResolver`).
 */
import { createHash } from 'node:crypto';

export function arn(partition: string, service: string, region: string, account: string, resource: string): string {
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

/** Where a plan's ARNs live: one account in one Region of one partition. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** The account itself as a principal (`arn:<p>:iam::<account>:root`). */
export function accountRoot(partition: string, accountId: string): string {
  return arn(partition, 'iam', '', accountId, 'root');
}

/** An IAM role; `path` is the role's IAM path (`/` or `/service-role/`). */
export function roleArn(partition: string, accountId: string, name: string, path = '/'): string {
  return arn(partition, 'iam', '', accountId, `role${path}${name}`);
}

/**
 * A role as the catalog names it: its name, optionally after its IAM path (`service-role/reader`
 * or `/service-role/reader` is the role `reader` at path `/service-role/`). IAM role ARNs carry
 * the path (`role/service-role/reader`), and `aws:PrincipalArn` is matched against that ARN, so a
 * grant must keep it; the role's name alone is what identifies it in the account (IAM User Guide:
 * IAM identifiers, "Friendly names and paths").
 */
export function roleRef(ref: string): { readonly name: string; readonly path: string } {
  const i = ref.lastIndexOf('/');
  if (i < 0) return { name: ref, path: '/' };
  const path = ref.slice(0, i + 1);
  return { name: ref.slice(i + 1), path: path.startsWith('/') ? path : `/${path}` };
}

/** The ARN of a role the catalog names as `[path/]name`. */
export function roleRefArn(partition: string, accountId: string, ref: string): string {
  const r = roleRef(ref);
  return roleArn(partition, accountId, r.name, r.path);
}

/** A secret of the final length: the name plus `-` and six characters (Secrets Manager's suffix). */
export function estimatedSecretArn(s: ArnScope, name: string, region = s.region): string {
  return arn(s.partition, 'secretsmanager', region, s.accountId, `secret:${name}-AbCdEf`);
}

/**
 * A replica of a secret: same name, same six-character suffix, other Region. The provider exports
 * no replica ARN, so documents name it `<name>-??????` (exactly six characters; the SM-5 guardrail
 * keeps names from ending in `-` plus six, so no other secret matches).
 */
export function replicaSecretArn(s: ArnScope, name: string, region: string): string {
  return arn(s.partition, 'secretsmanager', region, s.accountId, `secret:${name}-??????`);
}

/** Every secret under a name prefix (`<prefix>/*`), in a Region and account. */
export function secretsUnder(s: ArnScope, prefix: string, region = s.region, accountId = s.accountId): string {
  return arn(s.partition, 'secretsmanager', region, accountId, `secret:${prefix}*`);
}

/**
 * A KMS key of the final length (`mrk-` and 32 hex digits, as long as a key id). `seed` (e.g. the
 * alias) makes it distinct per key, so documents naming several keys keep them apart when
 * measured and when the estimates are replaced by references.
 */
export function estimatedKeyArn(s: ArnScope, region: string, seed = ''): string {
  const id = seed ? createHash('sha256').update(`${seed}@${region}`).digest('hex').slice(0, 32) : '0123456789abcdef0123456789abcdef';
  return arn(s.partition, 'kms', region, s.accountId, `key/mrk-${id}`);
}
