/**
 * Who the catalog names for each secret, as role ARNs: the input of the secret's deny-by-default
 * resource policy (modules/access.ts, `secretResourcePolicy`). Pure; ARNs are built from role
 * names (never Terraform references), so a secret's policy depends on no role resource and the
 * roles can be created in any order.
 */
import { ecsRoleNames, SecretAccessInput } from '../modules/access';
import { accountRoot } from '../modules/policy';
import { rotationRoleName } from '../modules/rotation';
import { ecsServices, keyGrantees, rotationFunctionName, rotationGroups } from './environments/derive';
import { NAME_PREFIX } from './environments/project';
import { EnvironmentConfig, SecretSpec } from './environments/types';

export type SecretPrincipals = Omit<SecretAccessInput, 'secret' | 'replicas'>;

const roleArn = (account: string, name: string) => `${accountRoot(account).replace(/:root$/, '')}:role/${name}`;

/** True when Terraform writes a version of the secret (and so refreshes it with GetSecretValue). */
export function terraformWritesValue(s: SecretSpec): boolean {
  return s.value.kind !== 'external';
}

export function secretPrincipals(env: EnvironmentConfig, s: SecretSpec): SecretPrincipals {
  const prefix = NAME_PREFIX[env.name];
  const arn = (name: string) => roleArn(env.accountId, name);
  const readers: string[] = [];
  const valueWriters: string[] = [];
  for (const [, r] of Object.entries(env.readers).filter(([n]) => (s.readers ?? []).includes(n))) {
    if (r.kind === 'iam-role') readers.push(arn(r.roleName));
  }
  for (const svc of ecsServices(env)) {
    const names = ecsRoleNames(`${prefix}-${svc.service}`);
    if (svc.inject.some((i) => i.secret.id === s.id)) readers.push(arn(names.execution));
    if (svc.runtime.some((r) => r.id === s.id)) readers.push(arn(names.task));
  }
  for (const g of rotationGroups(env)) {
    const role = arn(rotationRoleName(rotationFunctionName(env, g)));
    if (g.secrets.some((x) => x.id === s.id)) {
      readers.push(role);
      valueWriters.push(role);
    }
    if (g.adminSecretIds.includes(s.id)) readers.push(role);
  }
  const managers = env.deployRoleArn ? [env.deployRoleArn] : [];
  if (env.deployRoleArn) {
    // Terraform writes first values, and operators write external ones (put-secret-value), as
    // the deploy role. It reads a value only where Terraform wrote one: the AWS provider refreshes
    // such a version with GetSecretValue (README, "Access proof"). Values set only by rotation or
    // operators stay unreadable to it.
    valueWriters.push(env.deployRoleArn);
    if (terraformWritesValue(s)) readers.push(env.deployRoleArn);
  }
  return {
    accountId: env.accountId,
    crossAccount: keyGrantees(env, s.readers ?? []),
    readers: [...new Set(readers)].sort(),
    valueWriters: [...new Set(valueWriters)].sort(),
    managers,
    breakGlassRoleArn: arn(env.breakGlass?.roleName ?? ''),
  };
}
