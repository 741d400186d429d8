/**
 * Optional catalog fields and behaviours the platform has, read from the schema (catalogs/schema.ts)
 * and the plan, so that fixtures and generated catalogs use a field only where the schema takes it
 * and the guardrails expect it (issue 19: the organisation-wide rules and IAM paths land on their
 * own branch). Once every branch is merged these are all true and this file can go.
 */
import { EcsAccessSchema, EnvironmentSchema, NetworkSchema } from '../../catalogs/schema';
import type { EnvironmentConfig } from '../../catalogs/types';
import { planEnvironment } from '../../plan/plan';

/** Optional catalog fields and behaviours the platform has (read from the schema and the plan). */
export const FEATURES = {
  organizationId: 'organizationId' in EnvironmentSchema.entries,
  existingEndpoint: 'existingEndpointSecurityGroupId' in NetworkSchema.entries,
  rotatedInjectionReason: 'rotatedInjectionReason' in EcsAccessSchema.entries,
  /** Reader roles with an IAM path (`service-role/reader`) granted by their full ARN. */
  iamPaths: (() => {
    const probe: EnvironmentConfig = {
      name: 'dev',
      accountId: '100000000001',
      region: 'us-east-1',
      breakGlass: { roleName: 'bg' },
      owner: 'o',
      costCenter: 'c',
      recoveryWindowDays: 7,
      keyDeletionWindowDays: 7,
      logRetentionDays: 30,
      readers: { r: { kind: 'iam-role', roleName: 'service-role/probe' } },
      secrets: [
        {
          id: 's',
          service: 's',
          component: 'c',
          type: 't',
          description: 'd',
          category: 'application',
          value: { kind: 'deploy-time' },
          readers: ['r'],
        },
      ],
    };
    const r = planEnvironment(probe).readers[0]?.resolved;
    return r?.kind === 'iam-role' && r.roleArn.endsWith(':role/service-role/probe') && r.roleName === 'probe';
  })(),
};
