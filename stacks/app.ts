import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentStack } from './environment-stack';
import { GuardrailError } from '../modules/guardrails';
import { StateBackendStack } from './state-backend-stack';
import { validateEnvironments } from './environments/validate';
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
}

/** Stack name of an environment's state backend: `state-backend-production`. */
export const backendStackName = (env: EnvironmentConfig) => `state-backend-${env.name}`;

/**
 * Validates every catalog first (nothing is constructed, let alone written, when a rule is
 * broken), then builds one stack per environment plus one state-backend stack per environment.
 */
export function buildApp(envs: EnvironmentConfig[], opts: BuildOptions = {}): { app: App; stacks: EnvironmentStack[] } {
  const violations = validateEnvironments(envs, REPO_ROOT);
  if (violations.length > 0) throw new GuardrailError(violations);
  const outdir = path.resolve(opts.outdir ?? path.join(REPO_ROOT, 'cdktf.out'));
  const app = new App({ outdir, skipValidation: false });
  const stacks = envs.map((env) => new EnvironmentStack(app, env.name, { env, outdir, repoRoot: REPO_ROOT }));
  envs.forEach((env) => new StateBackendStack(app, backendStackName(env), env));
  return { app, stacks };
}

export function synthApp(envs: EnvironmentConfig[], opts: BuildOptions = {}): { outdir: string; stacks: EnvironmentStack[] } {
  const { app, stacks } = buildApp(envs, opts);
  app.synth();
  if (opts.inventory ?? true) {
    for (const stack of stacks) {
      const dir = path.join(app.outdir, 'stacks', stack.node.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify(stack.inventory, null, 2) + '\n');
    }
  }
  return { outdir: app.outdir, stacks };
}
