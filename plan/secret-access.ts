/**
 * Who the catalog names for each secret, as role ARNs: the input of the secret's deny-by-default
 * resource policy (plan/policies/access.ts, `secretResourcePolicy`). Pure. ARNs are built from
 * role names (never Terraform references), so a secret's policy depends on no role resource and
 * the roles can be created in any order.
 */
import { roleArn, roleRefArn } from './arn';
import { ecsRoleNames } from './policies/access';
import type { SecretPrincipals } from './types';
import { CI_ROLE_NAMES, NAME_PREFIX, WORKLOAD_ROLE_PATH } from '../catalogs/project';
import type { EnvironmentConfig } from '../catalogs/types';
import { rotationGroupKey, writtenByValuesStep } from './derive';

/** The rotation function's role name: `<function name>-role`. */
export const rotationRoleName = (functionName: string) => `${functionName}-role`;

/** The deploy role's name: the catalog's deployRoleArn, else `secrets-platform-deploy`. */
export function deployRoleName(env: Pick<EnvironmentConfig, 'deployRoleArn'>): string {
  return env.deployRoleArn?.split(':role/')[1]?.split('/').pop() ?? CI_ROLE_NAMES.deploy;
}

/**
 * Per secret id: the roles that read its value, write it, and manage it. `functionName` names a
 * rotation group's function (the plan's `rotationFunctionName`). No pipeline role reads a value
 * (V7). Terraform neither writes nor reads values (V1): the deploy role only manages. The values
 * step writes, tags and may first rotate the secrets it writes; the operator writes (uploads an
 * external value, rolls back) and manages (rotate now, restore, remove) every secret; only the
 * roles the catalog names read.
 */
export function secretPrincipals(
  env: EnvironmentConfig,
  partition: string,
  functionName: (groupKey: string) => string,
): Map<string, SecretPrincipals> {
  const prefix = NAME_PREFIX[env.name];
  const arn = (name: string) => roleArn(partition, env.accountId, name);
  // Roles the environment stack creates live under the workload path.
  const workload = (name: string) => roleArn(partition, env.accountId, name, WORKLOAD_ROLE_PATH);
  const out = new Map<string, { readers: Set<string>; valueWriters: Set<string>; managers: Set<string> }>();
  const entry = (id: string) => {
    const e = out.get(id) ?? { readers: new Set<string>(), valueWriters: new Set<string>(), managers: new Set<string>() };
    out.set(id, e);
    return e;
  };
  for (const s of env.secrets) {
    const e = entry(s.id);
    for (const n of s.readers ?? []) {
      const r = Object.hasOwn(env.readers, n) ? env.readers[n] : undefined;
      if (r?.kind === 'iam-role') e.readers.add(roleRefArn(partition, env.accountId, r.roleName));
    }
    for (const a of s.ecs ?? []) {
      const names = ecsRoleNames(`${prefix}-${a.service}`);
      if ((a.inject ?? []).length > 0) e.readers.add(workload(names.execution));
      if (a.runtime) e.readers.add(workload(names.task));
    }
    if (s.rotation) {
      const role = workload(rotationRoleName(functionName(rotationGroupKey(s.rotation))));
      e.readers.add(role);
      e.valueWriters.add(role);
      if (s.rotation.kind === 'database' && s.rotation.adminSecret) entry(s.rotation.adminSecret).readers.add(role);
    }
    e.managers.add(arn(deployRoleName(env)));
    if (writtenByValuesStep(s)) {
      // The values step writes the value, tags the version it wrote and may start the first
      // rotation; it never reads (its boundary denies GetSecretValue).
      e.valueWriters.add(arn(CI_ROLE_NAMES.values));
      e.managers.add(arn(CI_ROLE_NAMES.values));
    }
    e.valueWriters.add(arn(CI_ROLE_NAMES.operator));
    e.managers.add(arn(CI_ROLE_NAMES.operator));
  }
  const result = new Map<string, SecretPrincipals>();
  for (const [id, e] of out) {
    result.set(id, {
      readers: [...e.readers].sort(),
      valueWriters: [...e.valueWriters].sort(),
      managers: [...e.managers].sort(),
      breakGlassRoleArn: arn(env.breakGlass.roleName),
    });
  }
  return result;
}
