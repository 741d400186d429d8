/** The Secrets Manager VPC endpoint of an environment with a network. */
import { type PlanContext, SIZE_PAGES } from './context';
import { POLICY_LIMITS } from './policy';
import { endpointPolicy } from './policies/network';
import type { EnvironmentPlan } from './types';

export function planEndpoint(ctx: PlanContext): EnvironmentPlan['endpoint'] {
  const { env, scope } = ctx;
  if (!env.network) return undefined;
  return {
    vpcId: env.network.vpcId,
    subnetIds: [...env.network.subnetIds],
    clientCidrs: [...(env.network.endpointClientCidrs ?? [])],
    clientSecurityGroupIds: [...(env.network.endpointClientSecurityGroupIds ?? [])],
    create: env.network.createSecretsManagerEndpoint ?? true,
    ...(env.network.existingEndpointSecurityGroupId !== undefined
      ? { existingSecurityGroupId: env.network.existingEndpointSecurityGroupId }
      : {}),
    policy: ctx.doc({
      subject: `Secrets Manager endpoint (${env.name})`,
      what: 'the endpoint policy',
      document: endpointPolicy([env.accountId], env.region, scope.partition),
      limit: POLICY_LIMITS.vpcEndpointPolicy,
      limitSource: SIZE_PAGES.endpoint,
      fix: 'report this as a bug',
    }),
  };
}
