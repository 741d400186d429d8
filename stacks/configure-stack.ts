/** Provider and S3 backend shared by every stack of an account: region, guards, tags, locking. */
import { S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { assumedRoleArn } from './assume-role';
import { PROJECT, stateBackendFor } from '../catalogs/project';
import { EnvironmentConfig, StateBackendConfig } from '../catalogs/types';
import { arn } from '../plan/arn';
import { partitionOf } from '../plan/partitions';
import { defaultTags } from '../plan/plan';
import { VALUE_WRITTEN_TAG } from '../plan/values';

export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0';


/**
 * Configures a stack of one environment's account: the AWS provider (region, allowed account,
 * the deploy role, default tags), the Terraform version floor and, for `s3`, the state backend
 * in that account with S3 native locking alongside DynamoDB.
 */
export function configureStack(
  stack: TerraformStack,
  env: Pick<EnvironmentConfig, 'name' | 'accountId' | 'region' | 'deployRoleArn' | 'owner' | 'costCenter' | 'tags'>,
  stateKey: string,
  backend: 'local' | 's3',
  /** Facts the plan already derived (an environment stack passes its plan's). */
  derived: { readonly defaultTags?: Readonly<Record<string, string>>; readonly stateBackend?: StateBackendConfig } = {},
): void {
  // Per run: the catalog's deploy role, or none where CI already holds the right role (assume-role.ts).
  const roleArn = assumedRoleArn(env);
  new AwsProvider(stack, 'aws', {
    region: env.region,
    allowedAccountIds: [env.accountId],
    assumeRole: roleArn ? [{ roleArn, sessionName: `${PROJECT}-${env.name}` }] : undefined,
    defaultTags: [{ tags: { ...(derived.defaultTags ?? defaultTags(env)) } }],
    // The values step's record of the version it wrote: never Terraform's to set or remove.
    ignoreTags: [{ keys: [VALUE_WRITTEN_TAG] }],
  });
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  if (backend === 's3') {
    const state = derived.stateBackend ?? stateBackendFor(env);
    const s3 = new S3Backend(stack, {
      bucket: state.bucket,
      key: stateKey,
      region: state.region,
      encrypt: true,
      kmsKeyId: arn(partitionOf(state.region) ?? 'aws', 'kms', state.region, state.accountId, state.keyAlias),
      dynamodbTable: state.lockTable,
      allowedAccountIds: [env.accountId],
      assumeRole: roleArn ? { roleArn, sessionName: `${PROJECT}-${env.name}-state` } : undefined,
    });
    // S3 native locking (Terraform >= 1.10) alongside DynamoDB while both are supported.
    s3.addOverride('use_lockfile', true);
  }
}
