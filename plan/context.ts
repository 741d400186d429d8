/**
 * What every part of the plan shares while one environment is planned: the catalog (a private
 * copy), where its ARNs live, readers resolved once, and the collector of every policy document
 * with its AWS size limit. Pure.
 */
import { NAME_PREFIX } from '../catalogs/project';
import type { EnvironmentConfig, SecretSpec } from '../catalogs/types';
import { type ArnScope, roleRef, roleRefArn } from './arn';
import { partitionOf } from './partitions';
import type { KeyGrantee } from './policies/key';
import type { Partition, PlannedDocument, ResolvedReader } from './types';

/** AWS's pages for each size limit a planned document is measured against. */
export const SIZE_PAGES = {
  iam: 'IAM and AWS STS quotas (IAM User Guide)',
  kms: 'Key policies in AWS KMS: key policy document size (AWS KMS Developer Guide)',
  secret: 'Secrets Manager quotas: resource-based policy size (Secrets Manager User Guide)',
  endpoint: 'AWS PrivateLink quotas: VPC endpoint policy size',
  sns: 'Amazon SNS quotas: topic policy size',
  s3: 'Bucket policy examples: bucket policies are limited to 20 KB (Amazon S3 User Guide)',
};

export class PlanContext {
  readonly prefix: string;
  readonly scope: ArnScope & { readonly partition: Partition };
  readonly resourceTags: Readonly<Record<string, string>>;
  readonly byId = new Map<string, SecretSpec>();
  readonly documents: PlannedDocument[] = [];

  constructor(readonly env: EnvironmentConfig) {
    this.prefix = NAME_PREFIX[env.name];
    this.scope = { partition: partitionOf(env.region) ?? 'aws', region: env.region, accountId: env.accountId };
    this.resourceTags = { Environment: env.name };
    for (const s of env.secrets) if (!this.byId.has(s.id)) this.byId.set(s.id, s);
  }

  get partition(): Partition {
    return this.scope.partition;
  }

  /** Records a document the stack writes, with its limit; returns the document. */
  doc(d: PlannedDocument): PlannedDocument['document'] {
    this.documents.push(d);
    return d.document;
  }

  resolveReader(name: string): ResolvedReader {
    const { env, partition } = this;
    const r = Object.hasOwn(env.readers, name) ? env.readers[name] : undefined;
    if (!r) return { name, kind: 'unknown' };
    if (r.kind === 'account') {
      return {
        name,
        kind: 'account',
        accountId: r.accountId,
        roleNames: [...r.roleNames],
        roleArns: r.roleNames.map((rn) => roleRefArn(partition, r.accountId, rn)),
      };
    }
    if (r.kind === 'organization') return { name, kind: 'organization', organizationId: r.organizationId };
    // The inline policy is attached by name; the ARN (grants, policies) keeps the path.
    return { name, kind: 'iam-role', roleName: roleRef(r.roleName).name, roleArn: roleRefArn(partition, env.accountId, r.roleName) };
  }

  readersOf(s: SecretSpec): ResolvedReader[] {
    return [...new Set(s.readers ?? [])].map((n) => this.resolveReader(n));
  }
}

/** iam-role readers (roles of this account) by ARN: the secret and key policies name them. */
export function namedReaders(readers: readonly ResolvedReader[]): string[] {
  return [...new Set(readers.flatMap((r) => (r.kind === 'iam-role' ? [r.roleArn] : [])))].sort();
}

/**
 * Cross-account readers (accounts with their roles, organizations) as key/secret grantees, one
 * per account or organization: the policy builders derive statement ids from the account or
 * organization id, and IAM requires a Sid to be unique within a policy (IAM User Guide: IAM JSON
 * policy elements: Sid), so two readers in one account share one grantee with both roles.
 */
export function grantees(readers: readonly ResolvedReader[]): KeyGrantee[] {
  const out: KeyGrantee[] = [];
  const accounts = new Map<string, Extract<KeyGrantee, { kind: 'account' }>>();
  const orgs = new Set<string>();
  for (const r of readers) {
    if (r.kind === 'account') {
      const g = accounts.get(r.accountId);
      if (!g) {
        const fresh = { kind: 'account' as const, accountId: r.accountId, principalArns: [...new Set(r.roleArns)] };
        accounts.set(r.accountId, fresh);
        out.push(fresh);
      } else for (const arn of r.roleArns) if (!g.principalArns.includes(arn)) g.principalArns.push(arn);
    } else if (r.kind === 'organization' && !orgs.has(r.organizationId)) {
      orgs.add(r.organizationId);
      out.push({ kind: 'organization', organizationId: r.organizationId });
    }
  }
  return out;
}
