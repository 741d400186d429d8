import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { StateBackend } from '../modules/state-backend';
import { configureStack } from './configure-stack';
import { NAME_PREFIX, stateBackendFor } from '../catalogs/project';
import { KeyIncidentRules } from '../modules/monitoring';
import type { EnvironmentConfig } from '../catalogs/types';
import { partitionOf } from '../plan/partitions';
import { AuditTrail } from '../modules/audit-trail';
import { artifactsBucketName } from '../plan/code-signing';
import { trailArn, trailBucketPolicy, trailKeyPolicy } from '../plan/policies/trail';
import { arn } from '../plan/arn';
import { PROJECT } from '../catalogs/project';

/**
 * The state backend of one environment's account, and its audit trail. Deployed first, before the
 * environment stack, with local state; its state then moves into the bucket it created
 * (docs/first-deployment.md).
 */
export class StateBackendStack extends TerraformStack {
  readonly backend: StateBackend;
  readonly trail: AuditTrail;

  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    // Local state for the account's very first deploy only; then in its own bucket (configure-stack.ts).
    configureStack(this, env, '', 'bootstrap');
    const cfg = stateBackendFor(env);
    const partition = partitionOf(env.region) ?? 'aws';
    this.backend = new StateBackend(this, 'state', {
      ...cfg,
      partition,
      deletionWindowDays: 30,
      noncurrentVersionDays: 90,
      tags: { Environment: env.name },
    });
    // The account's management-events trail: the alarms rely on it (modules/audit-trail.ts).
    const bucketName = `${PROJECT}-audit-${env.accountId}-${env.region}`;
    const trail = {
      partition,
      accountId: env.accountId,
      region: env.region,
      trailName: `${PROJECT}-management-events`,
      bucketArn: arn(partition, 's3', '', '', bucketName),
    };
    this.trail = new AuditTrail(this, 'audit', {
      trailName: trail.trailName,
      bucketName,
      keyAlias: `alias/${PROJECT}/audit`,
      accountId: env.accountId,
      region: env.region,
      partition,
      keyPolicy: trailKeyPolicy(trail),
      bucketPolicy: trailBucketPolicy(trail),
      deletionWindowDays: 30,
      noncurrentVersionDays: 365,
      dataEventBuckets: [cfg.bucket, artifactsBucketName(env)],
      tags: { Environment: env.name },
    });
    // The keys' and the trail's incidents go to the environment's alerts topic (modules/monitoring.ts).
    const keys = [this.backend.key, this.trail.key];
    new KeyIncidentRules(this, 'state-key-rules', {
      prefix: NAME_PREFIX[env.name],
      accountId: env.accountId,
      region: env.region,
      partition,
      identifiers: keys.flatMap((k) => k.identifiers),
      aliasNames: keys.map((k) => k.aliasName),
      trail: { name: trail.trailName, arn: trailArn(trail) },
      tags: { Environment: env.name },
    });
    new TerraformOutput(this, 'trail_arn', { value: this.trail.trail.arn, description: 'The management-events trail the alarms rely on' });
    new TerraformOutput(this, 'bucket', { value: this.backend.bucket.bucket });
    new TerraformOutput(this, 'lock_table', { value: this.backend.table.name });
    new TerraformOutput(this, 'kms_key_arn', { value: this.backend.key.key.arn });
  }
}
