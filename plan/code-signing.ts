/**
 * Rotation functions deploy only code our Signer profile signed (modules/code-signing.ts). The
 * profile and the code-signing config are the bootstrap's (modules/ci-access.ts); this stack
 * reads the config's ARN from the SSM parameter the bootstrap writes.
 */
import { PROJECT } from '../catalogs/project';
import { arn } from './arn';
import { type PlanContext, SIZE_PAGES } from './context';
import { planKey } from './keys';
import { POLICY_LIMITS } from './policy';
import { tlsOnlyBucketPolicy } from './policies/bucket';
import type { CodeSigningPlan } from './types';

/** The artifacts bucket of an account and Region (the bootstrap's trail records its data events). */
export const artifactsBucketName = (env: { accountId: string; region: string }) => `${PROJECT}-artifacts-${env.accountId}-${env.region}`;
/** The Signer profile the bootstrap creates: letters, digits and underscores only. */
export const signingProfileName = (prefix: string) => `${PROJECT}_${prefix}_rotation`.replace(/-/g, '_');
/** The SSM parameter through which the bootstrap hands the code-signing config's ARN to the environment stack. */
export const codeSigningParameterName = (environment: string) => `/${PROJECT}/${environment}/code-signing-config-arn`;
/** The Signer platform of Lambda code (ECDSA over SHA-384). */
export const SIGNING_PLATFORM = 'AWSLambda-SHA384-ECDSA';
/** Months a signature stays valid for new deployments. */
export const SIGNATURE_VALIDITY_MONTHS = 12;

export function planCodeSigning(ctx: PlanContext, hasRotation: boolean): CodeSigningPlan | undefined {
  if (!hasRotation) return undefined;
  const { env, prefix, scope, resourceTags } = ctx;
  const bucket = artifactsBucketName(env);
  return {
    bucket,
    profileName: signingProfileName(prefix),
    parameterName: codeSigningParameterName(env.name),
    noncurrentVersionDays: 90,
    key: planKey(ctx, {
      id: 'key-artifacts',
      category: 'artifacts',
      alias: `alias/${PROJECT}/${prefix}/artifacts`,
      description: 'Lambda artifacts (unsigned uploads and signed code)',
      replicaRegions: [],
      deletionWindowDays: env.keyDeletionWindowDays,
      useVia: ['s3'],
      readers: [],
      grantees: [],
      namedReaders: [],
      services: [],
      tags: resourceTags,
    }),
    bucketPolicy: ctx.doc({
      subject: `artifacts bucket ${bucket} (${env.name})`,
      what: 'the bucket policy',
      document: tlsOnlyBucketPolicy(arn(scope.partition, 's3', '', '', bucket)),
      limit: POLICY_LIMITS.s3BucketPolicy,
      limitSource: SIZE_PAGES.s3,
      fix: 'report this as a bug',
    }),
  };
}
