import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentStack } from './environment-stack';
import { TERRAFORM_REQUIRED_VERSION } from './configure-stack';
import { GuardrailError } from './rules/violation';
import { parseCatalogs } from './catalog/parse';
import { StateBackendStack } from './state-backend-stack';
import { CiAccessStack, ciAccessStackName, resourceTypesOf } from './ci-access-stack';
import { runRules } from './rules/run';
import { planEnvironment } from './plan/plan';
import { environmentReport, reportMarkdown } from './report';
import { EnvironmentConfig } from './environments/types';

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
  /** Keep cdktf's cross-stack preparing pass (slower; the output is the same). */
  fullPrepare?: boolean;
}

/** Stack name of an environment's state backend: `state-backend-production`. */
export const backendStackName = (env: EnvironmentConfig) => `state-backend-${env.name}`;

/**
 * Validates every catalog first (nothing is constructed, let alone written, when a rule is
 * broken), then builds one stack per environment plus one state-backend stack per environment.
 */
export function buildApp(inputs: readonly unknown[], opts: BuildOptions = {}): { app: App; stacks: EnvironmentStack[] } {
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
  const stacks = plans.map((plan) => new EnvironmentStack(app, plan.environment, { plan, outdir, repoRoot: REPO_ROOT, fullPrepare: opts.fullPrepare }));
  envs.forEach((env) => new StateBackendStack(app, backendStackName(env), env, opts.fullPrepare));
  envs.forEach((env, i) => new CiAccessStack(app, ciAccessStackName(env), env, resourceTypesOf(stacks[i]), opts.fullPrepare));
  return { app, stacks };
}

/**
 * cdktf captures a full stack trace (no depth limit) into a plain object for every token it
 * creates, kept only for its own error messages: ~2,300 captures per synth, formatting them was
 * 15% of a 1,000-secret synth and walking the stack another ~20 ms of a whole-app synth. While the
 * app is built and synthesized, a plain object gets an empty trace without the walk or any
 * formatting (cdktf then records no creation stack); real Errors are captured as usual.
 */
function withCheapTokenTraces<T>(fn: () => T): T {
  const previousCapture = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, ctor?: Function) => {
    if (target instanceof Error) previousCapture.call(Error, target, ctor);
    else Object.defineProperty(target, 'stack', { value: '', writable: true, configurable: true, enumerable: false });
  };
  try {
    return fn();
  } finally {
    Error.captureStackTrace = previousCapture;
  }
}

export function synthApp(envs: readonly unknown[], opts: BuildOptions = {}): { outdir: string; stacks: EnvironmentStack[] } {
  const { app, stacks } = withCheapTokenTraces(() => {
    const built = buildApp(envs, opts);
    built.app.synth();
    return built;
  });
  if (opts.inventory ?? true) {
    for (const stack of stacks) {
      const dir = path.join(app.outdir, 'stacks', stack.node.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify(stack.inventory, null, 2) + '\n');
      // Who can do what, and the monthly cost (stacks/report.ts).
      const report = environmentReport(stack.plan);
      writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
      writeFileSync(path.join(dir, 'report.md'), reportMarkdown(report));
    }
  }
  return { outdir: app.outdir, stacks };
}
