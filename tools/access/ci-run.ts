/**
 * Runs the CI proof for one environment: loads the bootstrap and environment stacks (and the
 * state backend's bucket policy), builds every request (jobs, value step, runbooks, escalation,
 * trust) and compares. Shared by `npm run access`, the proofs project and the bench.
 */
import { ciAccessInput, type CiAccessInput } from '../../plan/ci-access';
import { arn } from '../../plan/arn';
import { synthesizedTypes, type TerraformCalls } from '../../plan/terraform-calls';
import type { EnvironmentPlan } from '../../plan/types';
import { isWritten } from '../../plan/values';
import { EnvironmentFacts, loadCiAccess } from './ci-model';
import {
  type CiFinding,
  type CiProofInput,
  type CiProofResult,
  CiSimulator,
  runRequests,
  terraformRequests,
  valueRequests,
} from './ci-proof';
import { codeSigningFindings, escalationRequests, trustFindings, workloadEscalation, workloadFindings } from './escalation';
import { type Json, type PolicyDoc, resolverFor, stackIdentity, type TfJson } from './model';

export interface CiStacks {
  env: TfJson;
  ci: TfJson;
  backend?: TfJson;
}

/** The proof's input for one environment, from its plan and its synthesized stacks. */
export function ciProofInput(stack: string, plan: EnvironmentPlan, stacks: CiStacks, manifest: TerraformCalls): CiProofInput {
  const input: CiAccessInput = ciAccessInput(plan, synthesizedTypes(stacks.env));
  const ci = loadCiAccess(`ci-access-${plan.environment}`, stacks.ci, input.roles);
  const bucketPolicy = Object.values<Json>(stacks.backend?.resource?.aws_s3_bucket_policy ?? {})[0];
  const stateBucketPolicy: PolicyDoc | undefined = bucketPolicy ? JSON.parse(resolveBucketPolicy(bucketPolicy.policy, input)) : undefined;
  const env = new EnvironmentFacts(
    stack,
    stacks.env,
    stateBucketPolicy ? [{ arn: arn(input.partition, 's3', '', '', input.state.bucket), policy: stateBucketPolicy }] : [],
  );
  const stateKey = stacks.backend ? stateKeyOf(stacks.backend, input) : undefined;
  const valueStep = new Map(
    plan.secrets.flatMap((s) => (isWritten(s.value) ? [[s.name, { rotateAfterWrite: s.value.rotateAfterWrite }] as const] : [])),
  );
  return {
    stack,
    input,
    ci,
    env,
    manifest,
    valueStep,
    ...(stateBucketPolicy ? { stateBucketPolicy } : {}),
    ...(stateKey ? { stateKey } : {}),
  };
}

/** The state backend's key: the key its alias names, with its policy and tags. */
function stateKeyOf(tf: TfJson, input: CiAccessInput): CiProofInput['stateKey'] {
  const { account, region } = stackIdentity(tf);
  const resolve = resolverFor(tf, account, region);
  const alias = Object.values<Json>(tf.resource?.aws_kms_alias ?? {}).find((a) => a.name === input.state.keyAlias);
  const logical = alias ? /\$\{aws_kms_key\.([^.]+)\./.exec(alias.target_key_id)?.[1] : undefined;
  const key = logical ? tf.resource!.aws_kms_key[logical] : undefined;
  if (!key) return undefined;
  const provider = (tf.provider?.aws ?? []).find((x: Json) => !x.alias) ?? {};
  return {
    arn: resolve(`\${aws_kms_key.${logical}.arn}`),
    policy: JSON.parse(resolve(key.policy)),
    tags: { ...(provider.default_tags?.[0]?.tags ?? {}), ...(key.tags ?? {}) },
  };
}

/** The state bucket policy names its bucket by reference; the proof knows the name. */
function resolveBucketPolicy(text: string, input: CiAccessInput): string {
  return text
    .replace(/\$\{aws_s3_bucket\.[^.]+\.arn\}/g, arn(input.partition, 's3', '', '', input.state.bucket))
    .replace(/\$\{aws_s3_bucket\.[^.]+\.(id|bucket)\}/g, input.state.bucket);
}

export async function proveCi(p: CiProofInput, sim = new CiSimulator()): Promise<CiProofResult> {
  const notes: string[] = [];
  const jobs = terraformRequests(p, notes);
  const values = valueRequests(p);
  const { requests: escalation, methods } = escalationRequests(p);
  const findings: CiFinding[] = [
    ...(await runRequests(p, [...jobs, ...values, ...escalation], sim)),
    ...(await trustFindings(p, sim)),
    ...(await workloadEscalation(p, sim)),
    ...codeSigningFindings(p),
    ...workloadFindings(p),
  ];
  return {
    stack: p.stack,
    findings,
    requests: jobs.length + values.length + escalation.length,
    simulations: sim.simulations,
    escalationMethods: methods,
    notes,
  };
}
