/**
 * Runs the access proof over synthesized stacks: loads every environment stack, pairs it with
 * its catalog, simulates, and returns the findings. Shared by `npm run access` and the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentPlan } from '../../plan/types';
import { ENVIRONMENTS } from '../../catalogs';
import { planEnvironment } from '../../plan/plan';
import { parseCatalogs } from '../../catalogs/parse';
import { type AccessFacts, catalogFacts } from './expected';
import { loadStack, type PolicyDoc, type StackModel, type TfJson } from './model';
import { type CiPrincipalFacts, prove, type ProofOptions, type ProofResult } from './proof';
import type { CiModel } from './ci-model';
import type { PrincipalKind } from './expected';
import type { CiPrincipal } from '../../plan/ci-access';

const KIND: Record<CiPrincipal, PrincipalKind> = {
  planPr: 'plan',
  plan: 'plan',
  deploy: 'deploy',
  values: 'values',
  operator: 'operator',
  breakGlass: 'break-glass',
};

/** The bootstrap stack's roles as the secret proof's principals (their real identity and boundary). */
export function ciPrincipalFacts(ci: CiModel): CiPrincipalFacts[] {
  return [...ci.roles.values()].map((r) => ({
    arn: r.arn,
    kind: KIND[r.who],
    identity: r.identity,
    ...(r.boundary ? { boundary: r.boundary } : {}),
  }));
}

export function crossReadersFor(model: StackModel, facts: AccessFacts): Array<{ arn: string; identity: PolicyDoc[] }> {
  const byArn = new Map<string, PolicyDoc[]>();
  for (const r of facts.crossAccountReaders) {
    const docs = model.consumerPolicies[r.output];
    if (!docs)
      throw new Error(`${model.stack}: the catalog names reader ${r.output}, but the stack writes no consumer_policies_${r.output} output`);
    for (const arn of r.roleArns) byArn.set(arn, [...(byArn.get(arn) ?? []), ...docs]);
  }
  return [...byArn.entries()].map(([arn, identity]) => ({ arn, identity }));
}

/**
 * The stack names a same-account reader role by name only (aws_iam_role_policy.role), but IAM
 * evaluates it by its ARN, which carries the role's path (`role/service-role/reader`): the
 * catalog's reader gives the path.
 */
export function withReaderPaths(model: StackModel, plan: EnvironmentPlan): StackModel {
  const arnOf = new Map(
    plan.readers.flatMap((r) => (r.resolved.kind === 'iam-role' ? [[r.resolved.roleName, r.resolved.roleArn] as [string, string]] : [])),
  );
  return { ...model, externalRolePolicies: model.externalRolePolicies.map((p) => ({ ...p, arn: arnOf.get(p.roleName) ?? p.arn })) };
}

export async function proveStack(
  name: string,
  tf: TfJson,
  plan: EnvironmentPlan,
  extra: Omit<ProofOptions, 'crossReaders'> = {},
): Promise<{ model: StackModel; facts: AccessFacts; result: ProofResult }> {
  const model = withReaderPaths(loadStack(name, tf), plan);
  const facts = catalogFacts(plan);
  if (model.account !== facts.account) throw new Error(`${name}: stack account ${model.account} is not the catalog's ${facts.account}`);
  const result = await prove(model, facts, { ...extra, crossReaders: crossReadersFor(model, facts) });
  return { model, facts, result };
}

export function readStack(outdir: string, name: string): TfJson {
  const file = path.join(outdir, 'stacks', name, 'cdk.tf.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run synth\` first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** A stack without secrets (the state backend): only the key checks apply. */
export async function proveKeysOnly(name: string, tf: TfJson, plan: EnvironmentPlan): Promise<{ model: StackModel; result: ProofResult }> {
  const model = loadStack(name, tf);
  const facts: AccessFacts = { ...catalogFacts(plan), readerAccounts: [], sameAccountReaders: [], secrets: [], crossAccountReaders: [] };
  return { model, result: await prove(model, facts, { crossReaders: [] }) };
}

/** The plans of the environments `npm run synth` builds (catalogs parsed and planned the same way). */
export function environmentPlans(): EnvironmentPlan[] {
  const { catalogs, problems } = parseCatalogs(ENVIRONMENTS);
  if (problems.length > 0) throw new Error(`catalogs do not fit the schema: ${problems.map((p) => p.message).join('; ')}`);
  return catalogs.map(planEnvironment);
}
