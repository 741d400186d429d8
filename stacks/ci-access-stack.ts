import { Construct } from 'constructs';
import { TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import { CiAccess, OIDC_SUB_CLAIM_KEYS } from '../modules/ci-access';
import { configureStack } from './configure-stack';
import { NAME_PREFIX, PROJECT, REPOSITORY, stateBackendFor } from '../catalogs/project';
import { EnvironmentConfig } from '../catalogs/types';

/** Stack name of an environment's CI access: `ci-access-production`. */
export const ciAccessStackName = (env: EnvironmentConfig) => `ci-access-${env.name}`;
export const PLAN_ROLE_NAME = `${PROJECT}-plan`;

/** Role name of the deploy role: the catalog's deployRoleArn, else `secrets-platform-deploy`. */
export function deployRoleName(env: Pick<EnvironmentConfig, 'deployRoleArn'>): string {
  return env.deployRoleArn?.split(':role/')[1]?.split('/').pop() ?? `${PROJECT}-deploy`;
}

/** Terraform resource types declared in a stack (the deploy role's permissions follow them). */
export function resourceTypesOf(stack: TerraformStack): string[] {
  const types = new Set<string>();
  for (const c of stack.node.findAll()) if (c instanceof TerraformResource) types.add(c.terraformResourceType);
  return [...types].sort();
}

/**
 * CI access of one environment's account, bootstrapped once after the state backend and before
 * the first deploy, with local state (like the state-backend stack), by an administrator.
 */
export class CiAccessStack extends TerraformStack {
  readonly access: CiAccess;

  constructor(scope: Construct, id: string, env: EnvironmentConfig, resourceTypes: string[]) {
    super(scope, id);
    configureStack(this, env, '', 'bootstrap');
    const state = stateBackendFor(env);
    const repository = REPOSITORY.replace(/^github\.com\//, '');
    this.access = new CiAccess(this, 'ci', {
      scope: {
        accountId: env.accountId,
        regions: [env.region],
        prefix: NAME_PREFIX[env.name],
        project: PROJECT,
        state: { bucket: state.bucket, keyPrefix: `${PROJECT}/${env.name}/`, lockTable: state.lockTable, keyAlias: state.keyAlias, region: state.region },
      },
      repository,
      deployEnvironments: [env.name, `${env.name}-plan`],
      resourceTypes,
      planRoleName: PLAN_ROLE_NAME,
      deployRoleName: deployRoleName(env),
      createOidcProvider: true,
      tags: { Environment: env.name },
    });
    new TerraformOutput(this, 'plan_role_arn', { value: this.access.planRole.arn, description: `GitHub variable PLAN_ROLE_ARN_${env.name}` });
    new TerraformOutput(this, 'deploy_role_arn', { value: this.access.deployRole.arn, description: `GitHub variable DEPLOY_ROLE_ARN of environments ${env.name} and ${env.name}-plan` });
    new TerraformOutput(this, 'oidc_sub_claim_keys', { value: [...OIDC_SUB_CLAIM_KEYS], description: 'The repository OIDC subject template the trust policies expect' });
  }
}
