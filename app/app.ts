import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentStack } from '../stacks/environment-stack';
import { TERRAFORM_REQUIRED_VERSION } from '../stacks/configure-stack';
import { GuardrailError } from '../catalogs/violation';
import { parseCatalogs } from '../catalogs/parse';
import { StateBackendStack } from '../stacks/state-backend-stack';
import { CiAccessStack, ciAccessStackName, synthesizedTypesOf } from '../stacks/ci-access-stack';
import { runRules } from '../rules/run';
import { planEnvironment } from '../plan/plan';
import { inventoryOf } from '../report/inventory';
import { environmentReport, reportMarkdown } from '../report/report';
import { VALUES_MANIFEST_FILE, valuesManifest } from '../plan/values';
import type { EnvironmentConfig } from '../catalogs/types';

/** The directory holding cdktf.json (found upwards, since this file may run from a bundle). */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'cdktf.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
export const REPO_ROOT = findRepoRoot(__dirname);

export interface BuildOptions {
  outdir?: string;
  /** Write inventory files next to each stack after synth (default true). */
  inventory?: boolean;
}

/** Stack name of an environment's state backend: `state-backend-production`. */
const backendStackName = (env: EnvironmentConfig) => `state-backend-${env.name}`;

/**
 * Validates every catalog first (nothing is constructed, let alone written, when a rule is
 * broken), then builds one stack per environment plus one state-backend stack per environment.
 */
function buildApp(inputs: readonly unknown[], opts: BuildOptions = {}): { app: App; stacks: EnvironmentStack[] } {
  const { catalogs: envs, problems } = parseCatalogs(inputs);
  if (problems.length > 0) throw new GuardrailError(problems);
  const plans = envs.map(planEnvironment);
  const violations = runRules(plans, REPO_ROOT);
  if (violations.length > 0) throw new GuardrailError(violations);
  // CDKTF_OUTDIR is how `cdktf synth --output DIR` (and cdktn's CLI) tells the app where to write.
  const outdir = path.resolve(opts.outdir ?? process.env.CDKTF_OUTDIR ?? path.join(REPO_ROOT, 'cdktf.out'));
  // The Terraform versions the output is written for. cdktf ignores this key; CDK Terrain (cdktn)
  // checks every write-only argument and S3 lockfile against it and, without it, assumes
  // Terraform 1.5.7 and refuses the app. OpenTofu is not targeted: nothing here is tested on it.
  const context = { targetVersions: { terraform: TERRAFORM_REQUIRED_VERSION } };
  const app = new App({ outdir, skipValidation: false, context });
  const stacks = plans.map((plan) => new EnvironmentStack(app, plan.environment, { plan, outdir }));
  for (const env of envs) new StateBackendStack(app, backendStackName(env), env);
  for (const [i, plan] of plans.entries()) new CiAccessStack(app, ciAccessStackName(plan.catalog), plan, synthesizedTypesOf(stacks[i]));
  return { app, stacks };
}

export function synthApp(envs: readonly unknown[], opts: BuildOptions = {}): { outdir: string; stacks: EnvironmentStack[] } {
  const { app, stacks } = buildApp(envs, opts);
  app.synth();
  if (opts.inventory ?? true) {
    for (const stack of stacks) {
      const dir = path.join(app.outdir, 'stacks', stack.node.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'inventory.json'), `${JSON.stringify(inventoryOf(stack.plan), null, 2)}\n`);
      // Who can do what, and the monthly cost (report/report.ts).
      const report = environmentReport(stack.plan);
      writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(path.join(dir, 'report.md'), reportMarkdown(report));
      // What the values step writes after apply: names, versions, sources; never a value.
      const sha256 = (file: string) =>
        createHash('sha256')
          .update(readFileSync(path.resolve(REPO_ROOT, file)))
          .digest('hex');
      writeFileSync(path.join(dir, VALUES_MANIFEST_FILE), `${JSON.stringify(valuesManifest(stack.plan, sha256), null, 2)}\n`);
    }
  }
  return { outdir: app.outdir, stacks };
}
