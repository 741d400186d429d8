/** ECS services: an execution role for injected secrets, a task role for run-time reads. */
import type { SecretSpec } from '../catalogs/types';
import { type PlanContext, SIZE_PAGES } from './context';
import { tfSafe } from './derive';
import { POLICY_LIMITS } from './policy';
import { ecsExecutionPolicy, ecsLogGroupName, ecsRoleNames, ecsTrustPolicy, readPolicy, valueFrom } from './policies/access';
import type { SecretAddresses } from './secrets';
import type { EcsServicePlan } from './types';

interface ServiceUse {
  inject: Array<{ secret: SecretSpec; env: string; jsonKey?: string }>;
  runtime: SecretSpec[];
  repositories: string[];
}

export function planEcsServices(ctx: PlanContext, at: SecretAddresses): EcsServicePlan[] {
  const { env, prefix, scope } = ctx;
  const services = new Map<string, ServiceUse>();
  for (const s of env.secrets) {
    for (const a of s.ecs ?? []) {
      const svc = services.get(a.service) ?? { inject: [], runtime: [], repositories: [] };
      for (const r of a.repositories ?? []) if (!svc.repositories.includes(r)) svc.repositories.push(r);
      for (const i of a.inject ?? []) svc.inject.push({ secret: s, env: i.env, jsonKey: i.jsonKey });
      if (a.runtime && !svc.runtime.includes(s)) svc.runtime.push(s);
      services.set(a.service, svc);
    }
  }
  return [...services].map(([service, svc]) => {
    const rolePrefix = `${prefix}-${service}`;
    const subject = `ECS service ${service} (${env.name})`;
    const fix = "split the service's secrets across fewer, larger JSON secrets";
    const trustPolicy = ctx.doc({
      subject,
      what: 'the trust policy',
      document: ecsTrustPolicy(scope),
      limit: POLICY_LIMITS.iamTrustPolicy,
      limitSource: SIZE_PAGES.iam,
      fix: 'report this as a bug',
    });
    const names = ecsRoleNames(rolePrefix);
    const logGroupName = ecsLogGroupName(rolePrefix);
    const repositories = svc.repositories.length > 0 ? svc.repositories : [service];
    return {
      service,
      rolePrefix,
      trustPolicy,
      logGroupName,
      repositories,
      // Always: ECS needs it to pull the image and write logs, even when nothing is injected.
      executionRole: {
        name: names.execution,
        description: `ECS task execution role of ${rolePrefix}: pulls its image, writes its logs, injects secrets at start-up`,
        policyName: 'start-tasks',
        policy: ctx.doc({
          subject,
          what: "the execution role's inline policy",
          document: ecsExecutionPolicy({ ...scope, repositories, logGroupName, inject: svc.inject.map((i) => at.grant(i.secret)) }),
          limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
          limitSource: SIZE_PAGES.iam,
          fix,
        }),
        secretIds: [...new Set(svc.inject.map((i) => i.secret.id))],
      },
      taskRole:
        svc.runtime.length > 0
          ? {
              name: names.task,
              description: `ECS task role of ${rolePrefix}: reads secrets at run time`,
              policyName: 'read-secrets',
              policy: ctx.doc({
                subject,
                what: "the task role's inline policy",
                document: readPolicy(
                  svc.runtime.map((s) => at.grant(s)),
                  { describe: true },
                ),
                limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
                limitSource: SIZE_PAGES.iam,
                fix,
              }),
              secretIds: svc.runtime.map((s) => s.id),
            }
          : undefined,
      containerSecrets: svc.inject.map((i) => ({
        name: i.env,
        valueFrom: valueFrom(at.arn(i.secret), i.jsonKey),
        secretId: i.secret.id,
        ...(i.jsonKey !== undefined ? { jsonKey: i.jsonKey } : {}),
      })),
      outputName: `ecs_${tfSafe(service)}`,
    };
  });
}
