/**
 * catalog -> EnvironmentPlan. The one place where facts are derived: names, ARNs, keys and who
 * may use them, readers, rotation functions, ECS roles and every policy document. Pure (no
 * cdktf, no file system, no clock): the same catalog always gives the same, frozen plan.
 *
 * The plan is computed for any catalog that passed the schema check, also for one that breaks
 * a guardrail (an unknown reader, a missing admin secret): the rules in rules/ judge the plan,
 * so it must describe what would be built rather than refuse to exist. Each concern has its own
 * file (keys, secrets, readers, ecs, rotation, network, code-signing, monitoring); this one
 * puts them together in the order the stack renders them.
 */
import { PROJECT, REPOSITORY, STACK_TAG, type StackKind, stateBackendFor, WORKLOAD_ROLE_PATH } from '../catalogs/project';
import type { EnvironmentConfig } from '../catalogs/types';
import { arn, roleArn } from './arn';
import { planCodeSigning } from './code-signing';
import { PlanContext } from './context';
import { planEcsServices } from './ecs';
import { planKeys } from './keys';
import { planMonitoring } from './monitoring';
import { planEndpoint } from './network';
import { planReaders } from './readers';
import { planRotationFunctions } from './rotation';
import { planSecrets, SecretAddresses } from './secrets';
import type { EnvironmentPlan } from './types';

/**
 * Tags every resource of a stack gets through the provider's `default_tags`. The stack tag comes
 * last, so no catalog tag can change it: the deploy role's permissions on tag-scoped resources
 * (keys, security groups, endpoints) require `environment`, and its boundary keeps it away from
 * anything tagged `bootstrap` (the state backend, the CI access).
 */
export function defaultTags(
  env: Pick<EnvironmentConfig, 'name' | 'owner' | 'costCenter' | 'tags'>,
  stack: StackKind = 'environment',
): Record<string, string> {
  return {
    Environment: env.name,
    Project: PROJECT,
    ManagedBy: 'cdktf',
    Owner: env.owner,
    CostCenter: env.costCenter,
    Repository: REPOSITORY,
    ...(env.tags ?? {}),
    [STACK_TAG]: stack,
  };
}

/**
 * Computes the plan of one environment. `catalog` must have passed the catalog schema
 * (catalogs/parse.ts); the result is frozen.
 */
export function planEnvironment(catalog: EnvironmentConfig): EnvironmentPlan {
  // A private copy: the plan freezes what it holds, and the caller's catalog stays its own.
  const env = structuredClone(catalog);
  const ctx = new PlanContext(env);
  const { keys, monitoringKey } = planKeys(ctx);
  const at = new SecretAddresses(ctx, keys);
  const secrets = planSecrets(ctx, at);
  const readers = planReaders(ctx, at);
  const ecsServices = planEcsServices(ctx, at);
  const rotationFunctions = planRotationFunctions(ctx, at);
  const endpoint = planEndpoint(ctx);
  const codeSigning = planCodeSigning(ctx, rotationFunctions.length > 0);
  const monitoring = planMonitoring(ctx, { keys, monitoringKey, codeSigning, secrets, rotationFunctions });
  const plan: EnvironmentPlan = {
    environment: env.name,
    catalog: env,
    accountId: env.accountId,
    region: env.region,
    partition: ctx.partition,
    namePrefix: ctx.prefix,
    deployRoleArn: env.deployRoleArn,
    workloadBoundaryArn: arn(ctx.partition, 'iam', '', env.accountId, `policy/${PROJECT}-workload-boundary`),
    workloadRolePath: WORKLOAD_ROLE_PATH,
    breakGlass: {
      roleName: env.breakGlass.roleName,
      roleArn: roleArn(ctx.partition, env.accountId, env.breakGlass.roleName),
      ...(env.breakGlass.description !== undefined ? { description: env.breakGlass.description } : {}),
    },
    defaultTags: defaultTags(env),
    resourceTags: ctx.resourceTags,
    stateKey: `${PROJECT}/${env.name}/terraform.tfstate`,
    stateBackend: stateBackendFor(env),
    keys,
    monitoringKey,
    ...(codeSigning ? { codeSigning } : {}),
    secrets,
    readers,
    rotationFunctions,
    ecsServices,
    endpoint,
    monitoring,
    documents: ctx.documents,
  };
  return deepFreeze(plan);
}

/** Freezes a plan and everything it holds (the catalog included: a plan never changes). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
