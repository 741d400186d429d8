import type { EnvironmentPlan } from '../plan/types';
import { PROJECT } from '../catalogs/project';
import { roleRef } from '../plan/arn';
import { ecsRoleNames } from '../plan/policies/access';

/** IAM roles the stack creates, with what they belong to. */
export function createdRoles(plan: EnvironmentPlan): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const e of plan.ecsServices) for (const r of [e.executionRole, e.taskRole]) if (r) out.push([r.name, `ECS service ${e.service}`]);
  for (const f of plan.rotationFunctions) out.push([f.roleName, `rotation function ${f.key}`]);
  return out;
}

/**
 * The pipeline's own roles, created in every environment account by the bootstrap (COMMON.md
 * "Principals"; deploy-iam's `CI_ROLE_NAMES` in catalogs/project.ts once merged). None may read a
 * value (V7), so none may be a reader.
 */
export const PIPELINE_ROLE_NAMES = ['plan-pr', 'plan', 'deploy', 'values', 'operator'].map((r) => `${PROJECT}-${r}`);

/**
 * Roles the platform itself creates or runs as, by lower-case name (IAM role names are unique
 * regardless of case and path), with what they are and how they already get access.
 */
export function platformRoles(plan: EnvironmentPlan): Map<string, { what: string; fix: string }> {
  const out = new Map<string, { what: string; fix: string }>();
  for (const e of plan.ecsServices) {
    out.set(e.executionRole.name.toLowerCase(), {
      what: `the execution role of ECS service ${e.service}`,
      fix: `inject the secret into ${e.service} with ecs: [{ service: "${e.service}", inject: [...] }]`,
    });
    const task = e.taskRole?.name ?? ecsRoleNames(e.rolePrefix).task;
    out.set(task.toLowerCase(), {
      what: `the task role of ECS service ${e.service}`,
      fix: `let ${e.service} read it with ecs: [{ service: "${e.service}", runtime: true }]`,
    });
  }
  for (const f of plan.rotationFunctions)
    out.set(f.roleName.toLowerCase(), {
      what: `the role of rotation function ${f.functionName}`,
      fix: 'rotation functions already read the secrets they rotate and their admin secrets: remove the reader',
    });
  if (plan.monitoring.forward)
    out.set(plan.monitoring.forward.roleName.toLowerCase(), {
      what: "the role that forwards replica Regions' events",
      fix: 'it never reads values: remove the reader',
    });
  const deploy = /:role\/(.+)$/.exec(plan.deployRoleArn ?? '')?.[1];
  for (const name of [...PIPELINE_ROLE_NAMES, ...(deploy ? [roleRef(deploy).name] : [])]) {
    out.set(name.toLowerCase(), {
      what: `the pipeline role ${name}, which never reads a value`,
      fix: 'remove the reader: pipeline roles write and manage secrets but are denied every value read',
    });
  }
  return out;
}
