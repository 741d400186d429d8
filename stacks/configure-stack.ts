/** Provider and S3 backend shared by every stack of an account: region, guards, tags, locking. */
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { assumedRoleArn } from './assume-role';
import { PROJECT, stateBackendFor } from '../catalogs/project';
import type { EnvironmentConfig, StateBackendConfig } from '../catalogs/types';
import { arn } from '../plan/arn';
import { partitionOf } from '../plan/partitions';
import { defaultTags } from '../plan/plan';
import { VALUE_WRITTEN_TAG } from '../plan/values';

export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0';

/**
 * Configures a stack of one environment's account: the AWS provider (region, allowed account,
 * the deploy role, default tags, the tag it leaves to the values step), the Terraform version
 * floor and the state backend in that account, with S3 native locking alongside DynamoDB (or,
 * for a bootstrap stack's first deploy, a local file).
 */
export function configureStack(
  stack: TerraformStack,
  env: Pick<EnvironmentConfig, 'name' | 'accountId' | 'region' | 'deployRoleArn' | 'owner' | 'costCenter' | 'tags'>,
  stateKey: string,
  /** `s3`: the environment's state; `bootstrap`: a bootstrap stack's (`bootstrapState`). */
  backend: 's3' | 'bootstrap',
  /** Facts the plan already derived (an environment stack passes its plan's; without them the stack is a bootstrap stack). */
  derived: { readonly defaultTags?: Readonly<Record<string, string>>; readonly stateBackend?: StateBackendConfig } = {},
): void {
  // Per run: the catalog's deploy role, or none where CI already holds the right role (assume-role.ts).
  const roleArn = assumedRoleArn(env);
  new AwsProvider(stack, 'aws', {
    region: env.region,
    allowedAccountIds: [env.accountId],
    assumeRole: roleArn ? [{ roleArn, sessionName: `${PROJECT}-${env.name}` }] : undefined,
    defaultTags: [{ tags: { ...(derived.defaultTags ?? defaultTags(env, 'bootstrap')) } }],
    // The values step's record of the version it wrote: never Terraform's to set or remove.
    ignoreTags: [{ keys: [VALUE_WRITTEN_TAG] }],
  });
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  if (backend === 'bootstrap' && bootstrapState() === 'local') {
    // Relative to cdktf.out/stacks/<stack>: at the repository root (git-ignored), surviving re-synthesis.
    new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
  } else {
    const state = derived.stateBackend ?? stateBackendFor(env);
    const s3 = new S3Backend(stack, {
      bucket: state.bucket,
      key: backend === 'bootstrap' ? bootstrapStateKey(stack.node.id) : stateKey,
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

/**
 * Where the bootstrap stacks (state-backend-<env>, ci-access-<env>) keep their state, chosen per
 * run at synth (docs/first-deployment.md):
 * - unset or `s3`: in the account's state bucket, under `bootstrap/` (never under the
 *   `secrets-platform/<env>/` prefix the CI roles may read or write);
 * - `local`: `terraform.<stack>.tfstate` at the repository root, only for the very first
 *   `state-backend-<env>` deploy of an account, before its bucket exists; then migrated into
 *   the bucket (`terraform init -migrate-state`).
 */
export const BOOTSTRAP_STATE_ENV = 'SECRETS_PLATFORM_BOOTSTRAP_STATE';

export function bootstrapState(value: string | undefined = process.env[BOOTSTRAP_STATE_ENV]): 'local' | 's3' {
  if (value === undefined || value === '' || value === 's3') return 's3';
  if (value === 'local') return 'local';
  throw new Error(
    `${BOOTSTRAP_STATE_ENV}=${JSON.stringify(value)}: use "local" (the first state-backend deploy of an account) or leave it unset (state in the account's bucket)`,
  );
}

export const bootstrapStateKey = (stackId: string) => `bootstrap/${stackId}/terraform.tfstate`;
