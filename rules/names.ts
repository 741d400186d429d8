import type { EnvironmentPlan } from '../plan/types';

/** IAM roles the stack creates, with what they belong to. */
export function createdRoles(plan: EnvironmentPlan): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const e of plan.ecsServices) for (const r of [e.executionRole, e.taskRole]) if (r) out.push([r.name, `ECS service ${e.service}`]);
  for (const f of plan.rotationFunctions) out.push([f.roleName, `rotation function ${f.key}`]);
  return out;
}
