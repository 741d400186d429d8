import { Construct } from 'constructs';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { StateBackend } from '../modules/state-backend';
import { configureStack } from './configure-stack';
import { NAME_PREFIX, stateBackendFor } from '../catalogs/project';
import { KeyIncidentRules } from '../modules/monitoring';
import { EnvironmentConfig } from '../catalogs/types';
import { partitionOf } from '../plan/partitions';

/**
 * The state backend of one environment's account. Deployed once, before the environment stack,
 * with local state (keep its terraform.tfstate safe, or migrate it into the bucket afterwards).
 */
export class StateBackendStack extends TerraformStack {
  readonly backend: StateBackend;

  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    configureStack(this, env, '', 'local');
    // Relative to cdktf.out/stacks/<stack>: the state file sits at the repository root (ignored
    // by git) and survives re-synthesis, on any machine.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    const cfg = stateBackendFor(env);
    this.backend = new StateBackend(this, 'state', {
      ...cfg,
      partition: partitionOf(env.region) ?? 'aws',
      deletionWindowDays: 30,
      noncurrentVersionDays: 90,
      tags: { Environment: env.name },
    });
    // The state key's incidents go to the environment's alerts topic (modules/monitoring.ts).
    const key = this.backend.key;
    new KeyIncidentRules(this, 'state-key-rules', {
      prefix: NAME_PREFIX[env.name],
      accountId: env.accountId,
      region: env.region,
      identifiers: key.identifiers,
      aliasNames: [key.aliasName],
      tags: { Environment: env.name },
    });
    new TerraformOutput(this, 'bucket', { value: this.backend.bucket.bucket });
    new TerraformOutput(this, 'lock_table', { value: this.backend.table.name });
    new TerraformOutput(this, 'kms_key_arn', { value: this.backend.key.key.arn });
  }
}
