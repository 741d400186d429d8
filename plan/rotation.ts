/** Rotation: one function per handler and strategy, with the secrets it rotates and reads. */
import { MIN_TLS_ENV, STRATEGY_ENV, type TlsMode, weakestTls } from '../lambdas/rotation/contract';
import type { SecretSpec } from '../catalogs/types';
import { arn, secretsUnder } from './arn';
import { type PlanContext, SIZE_PAGES } from './context';
import { databasePort, handlerOf, rotationFunctionName, rotationGroupKey } from './derive';
import { POLICY_LIMITS } from './policy';
import { lambdaTrustPolicy, MAX_PER_SECRET_PERMISSIONS, rotationRolePolicy } from './policies/rotation';
import { rotationRoleName } from './secret-access';
import type { SecretAddresses } from './secrets';
import type { RotationFunctionPlan } from './types';

/** Lambda runtimes from Node.js 20 on load Amazon's CA bundle (with the RDS CAs) only when asked to. */
const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export function planRotationFunctions(ctx: PlanContext, at: SecretAddresses): RotationFunctionPlan[] {
  const { env, prefix, scope, byId } = ctx;
  const groups = new Map<string, SecretSpec[]>();
  for (const s of env.secrets)
    if (s.rotation) groups.set(rotationGroupKey(s.rotation), [...(groups.get(rotationGroupKey(s.rotation)) ?? []), s]);
  return [...groups].map(([key, rotated]) => {
    const first = rotated[0].rotation!;
    const handler = handlerOf(first);
    const strategy = first.kind === 'database' ? first.strategy : undefined;
    const functionName = rotationFunctionName(env, key);
    const adminSecretIds: string[] = [];
    const databases: Array<{ port: number; cidrs: string[]; securityGroupIds: string[] }> = [];
    const seenTargets = new Set<string>();
    for (const s of rotated) {
      const r = s.rotation!;
      if (r.kind !== 'database') continue;
      if (r.adminSecret && !adminSecretIds.includes(r.adminSecret)) adminSecretIds.push(r.adminSecret);
      // One egress rule per (port, target): EC2 refuses a duplicate rule. An entry stays (maybe
      // empty) per secret, so rule ids do not shift when a secret's targets repeat another's.
      const port = databasePort(s);
      const fresh = (kind: string, targets: readonly string[]) =>
        [...new Set(targets)].filter((t) => !seenTargets.has(`${kind}:${port}:${t}`) && !!seenTargets.add(`${kind}:${port}:${t}`));
      databases.push({
        port,
        cidrs: fresh('cidr', r.databaseCidrs ?? []),
        securityGroupIds: fresh('sg', r.databaseSecurityGroupIds ?? []),
      });
    }
    const minimumTls: TlsMode | undefined = strategy
      ? weakestTls(rotated.map((s) => (s.rotation?.kind === 'database' ? (s.rotation.tls ?? 'verify-full') : 'verify-full')))
      : undefined;
    const environment: Record<string, string> =
      strategy && minimumTls ? { [STRATEGY_ENV]: strategy, [MIN_TLS_ENV]: minimumTls, NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE } : {};
    const logGroupName = `/aws/lambda/${functionName}`;
    const logGroupArn = arn(scope.partition, 'logs', env.region, env.accountId, `log-group:${logGroupName}`);
    const subject = `rotation function ${key} (${env.name})`;
    const admins = adminSecretIds.filter((id) => byId.has(id)).map((id) => at.grant(byId.get(id)!));
    return {
      key,
      functionName,
      description: `Secrets Manager rotation (${environment[STRATEGY_ENV] ?? 'generated values'})`,
      roleName: rotationRoleName(functionName),
      handler,
      strategy,
      secretIds: rotated.map((s) => s.id),
      adminSecretIds,
      environment,
      minimumTls,
      logGroupName,
      logGroupArn,
      logRetentionDays: env.logRetentionDays,
      trustPolicy: ctx.doc({
        subject,
        what: 'the trust policy',
        document: lambdaTrustPolicy(env.accountId),
        limit: POLICY_LIMITS.iamTrustPolicy,
        limitSource: SIZE_PAGES.iam,
        fix: 'report this as a bug',
      }),
      rolePolicy: ctx.doc({
        subject,
        what: "the rotation role's inline policy",
        document: rotationRolePolicy(
          { ...scope, namePrefix: prefix, functionName, secrets: rotated.map((s) => at.grant(s)), adminSecrets: admins },
          logGroupArn,
          !!env.network,
        ),
        limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
        limitSource: SIZE_PAGES.iam,
        fix: 'rotate fewer secrets with this strategy in one environment',
      }),
      bulkInvokeSourceArn: rotated.length > MAX_PER_SECRET_PERMISSIONS ? secretsUnder(scope, `${prefix}/`) : undefined,
      vpc: env.network
        ? { vpcId: env.network.vpcId, subnetIds: [...env.network.subnetIds], securityGroupName: `${functionName}-sg`, databases }
        : undefined,
    };
  });
}
