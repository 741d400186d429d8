/**
 * The CI access of one environment's account (bootstrap, run once by an administrator after the
 * state backend and before the first deploy; its state as configureStack's `bootstrap` says):
 * every role the pipelines and the operators use, their boundaries, the workload boundary, and
 * code signing. Every permission is derived (plan/ci-access.ts) from the manifest of what
 * Terraform calls and the types and names the environment stack synthesizes.
 */
import type { Construct } from 'constructs';
import { TerraformDataSource, TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import { CiAccess } from '../modules/ci-access';
import { configureStack } from './configure-stack';
import { ciAccessInput, type CiPrincipal, GITHUB_OIDC_URL, OIDC_SUB_CLAIM_KEYS, planCiAccess } from '../plan/ci-access';
import { SIGNATURE_VALIDITY_MONTHS, SIGNING_PLATFORM } from '../plan/code-signing';
import { type SynthesizedType, synthesizedTypes, terraformCalls } from '../plan/terraform-calls';
import type { EnvironmentPlan } from '../plan/types';

/** Stack name of an environment's CI access: `ci-access-production`. */
export const ciAccessStackName = (env: { name: string }) => `ci-access-${env.name}`;

/**
 * The resource and data source types a stack declares, with the arguments set on any of its
 * blocks: read from the constructs, in the shape the synthesized JSON gives (the access proof
 * reads the same from cdk.tf.json and checks the two agree).
 */
export function synthesizedTypesOf(stack: TerraformStack): SynthesizedType[] {
  const merged: { resource: Record<string, Record<string, unknown>>; data: Record<string, Record<string, unknown>> } = {
    resource: {},
    data: {},
  };
  for (const c of stack.node.findAll()) {
    if (!(c instanceof TerraformResource) && !(c instanceof TerraformDataSource)) continue;
    const tf = c.toTerraform() as { resource?: Record<string, Record<string, unknown>>; data?: Record<string, Record<string, unknown>> };
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, blocks] of Object.entries(tf[kind] ?? {})) merged[kind][type] = { ...(merged[kind][type] ?? {}), ...blocks };
    }
  }
  return synthesizedTypes(merged);
}

/** GitHub variables the workflows read the role ARNs from (values-interface.md). */
const GITHUB_VARIABLE: Partial<Record<CiPrincipal, (env: string) => string>> = {
  planPr: (env) => `repository variable PR_PLAN_ROLE_ARN_${env}`,
  plan: (env) => `environment ${env}-plan variable PLAN_ROLE_ARN`,
  deploy: (env) => `environment ${env} variable DEPLOY_ROLE_ARN`,
  values: (env) => `environment ${env} variable VALUES_ROLE_ARN`,
};

export class CiAccessStack extends TerraformStack {
  readonly access: CiAccess;

  constructor(scope: Construct, id: string, plan: EnvironmentPlan, envTypes: readonly SynthesizedType[]) {
    super(scope, id);
    configureStack(this, plan.catalog, '', 'bootstrap');
    const input = ciAccessInput(plan, envTypes);
    const ci = planCiAccess(input, terraformCalls());
    this.access = new CiAccess(this, 'ci', {
      oidc: { url: GITHUB_OIDC_URL, clientIds: ['sts.amazonaws.com'], estimatedArn: input.oidcProviderArn },
      roles: (Object.keys(ci.roles) as CiPrincipal[]).map((who) => ({ id: who, ...ci.roles[who] })),
      workloadBoundary: ci.workloadBoundary,
      codeSigning: {
        profileName: input.signingProfileName,
        platformId: SIGNING_PLATFORM,
        signatureValidityMonths: SIGNATURE_VALIDITY_MONTHS,
        parameterName: input.codeSigningParameterName,
        estimatedConfigArn: input.codeSigningConfigArn,
      },
    });
    for (const who of Object.keys(ci.roles) as CiPrincipal[]) {
      const variable = GITHUB_VARIABLE[who]?.(plan.environment);
      new TerraformOutput(this, `${who.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_role_arn`, {
        value: this.access.roles.get(who)!.arn,
        description: variable ? `GitHub ${variable}` : `${ci.roles[who].name} (humans: ${ci.roles[who].description})`,
      });
    }
    new TerraformOutput(this, 'oidc_sub_claim_keys', {
      value: [...OIDC_SUB_CLAIM_KEYS],
      description: 'The repository OIDC subject template the trust policies expect',
    });
  }
}
