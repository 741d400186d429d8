/**
 * Who the catalog names for each secret, as role ARNs: the input of the secret's deny-by-default
 * resource policy (plan/policies/access.ts, `secretResourcePolicy`). Pure. ARNs are built from
 * role names (never Terraform references), so a secret's policy depends on no role resource and
 * the roles can be created in any order.
 */
import { roleRefArn } from './arn';
import { ecsRoleNames } from './policies/access';
import type { SecretPrincipals } from './types';
import { NAME_PREFIX } from '../catalogs/project';
import { EnvironmentConfig } from '../catalogs/types';
import { rotationGroupKey, writtenByValuesStep } from './derive';
import { VALUES_ROLE_NAME } from './values';


/** The rotation function's role name: `<function name>-role`. */
export const rotationRoleName = (functionName: string) => `${functionName}-role`;

/**
 * Per secret id: the roles that read its value, write it, and manage it. `functionName` names a
 * rotation group's function (the plan's `rotationFunctionName`).
 */
export function secretPrincipals(env: EnvironmentConfig, partition: string, functionName: (groupKey: string) => string): Map<string, SecretPrincipals> {
  const prefix = NAME_PREFIX[env.name];
  const arn = (name: string) => `arn:${partition}:iam::${env.accountId}:role/${name}`;
  const out = new Map<string, { readers: Set<string>; valueWriters: Set<string>; managers: Set<string> }>();
  const entry = (id: string) => {
    const e = out.get(id) ?? { readers: new Set<string>(), valueWriters: new Set<string>(), managers: new Set<string>() };
    out.set(id, e);
    return e;
  };
  for (const s of env.secrets) {
    const e = entry(s.id);
    for (const n of s.readers ?? []) {
      const r = Object.prototype.hasOwnProperty.call(env.readers, n) ? env.readers[n] : undefined;
      if (r?.kind === 'iam-role') e.readers.add(roleRefArn(partition, env.accountId, r.roleName));
    }
    for (const a of s.ecs ?? []) {
      const names = ecsRoleNames(`${prefix}-${a.service}`);
      if ((a.inject ?? []).length > 0) e.readers.add(arn(names.execution));
      if (a.runtime) e.readers.add(arn(names.task));
    }
    if (s.rotation) {
      const role = arn(rotationRoleName(functionName(rotationGroupKey(s.rotation))));
      e.readers.add(role);
      e.valueWriters.add(role);
      if (s.rotation.kind === 'database' && s.rotation.adminSecret) entry(s.rotation.adminSecret).readers.add(role);
    }
    // Terraform neither writes nor reads values (V1): the deploy role only manages the secret.
    if (env.deployRoleArn) e.managers.add(env.deployRoleArn);
    if (writtenByValuesStep(s)) {
      // The values step writes the value, tags the version it wrote and may start the first
      // rotation; it never reads (its boundary denies GetSecretValue).
      const values = arn(VALUES_ROLE_NAME);
      e.valueWriters.add(values);
      e.managers.add(values);
    }
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
