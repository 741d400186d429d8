/**
 * The delivery pipeline's safety properties, read from the workflow files themselves so that a
 * later edit cannot undo one silently (README "Pipeline"). actionlint and zizmor check syntax and
 * known-bad patterns; these tests check our own rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const DIR = path.join(__dirname, '..', '..', '.github', 'workflows');
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string; name?: string };
type Job = {
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  steps?: Step[];
  outputs?: Record<string, string>;
};
type Workflow = { on: any; permissions?: unknown; concurrency?: { group: string; 'cancel-in-progress'?: boolean }; env?: Record<string, string>; jobs: Record<string, Job> };

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(DIR, f), 'utf8')]));
const wf: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));
const jobsOf = (f: string) => Object.entries(wf[f].jobs);
const allSteps = (f: string) => jobsOf(f).flatMap(([name, j]) => (j.steps ?? []).map((s) => ({ job: name, step: s })));
const perms = (j: Job): Record<string, string> => (typeof j.permissions === 'object' ? j.permissions : {});
/** A Terraform command line and its subcommand (`terraform -chdir=x plan ...`). */
const TF_CALL = /\bterraform\s+(?:-chdir=\S+\s+)?(init|plan|apply|import|refresh|destroy|state|show|validate)\b/;
const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

test('the three workflows exist', () => {
  expect(files.sort()).toEqual(expect.arrayContaining(['deploy-environment.yml', 'deploy.yml', 'pull-request.yml']));
});

describe.each(files)('%s', (f) => {
  test('every action is pinned to a full commit SHA with its version in a comment', () => {
    const uses = text[f].split('\n').filter((l) => /^\s*-?\s*uses:\s/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const ref = line.replace(/^\s*-?\s*uses:\s*/, '');
      if (ref.startsWith('./')) continue; // a workflow of this repository, at this commit
      expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test('grants nothing at the top level; each job asks for what it needs', () => {
    expect(wf[f].permissions).toEqual({});
    for (const [name, j] of jobsOf(f)) expect([name, typeof j.permissions]).toEqual([name, 'object']);
  });

  test('checkouts do not leave the token in .git', () => {
    for (const { step } of allSteps(f)) {
      if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  test('no secrets are inherited wholesale', () => {
    for (const [, j] of jobsOf(f)) expect(j.secrets).toBeUndefined();
  });

  test('every Terraform call that can take a lock has -lock-timeout; nothing auto-approves', () => {
    const calls: string[] = [];
    for (const { step } of allSteps(f)) {
      for (const line of (step.run ?? '').split('\n')) {
        const sub = TF_CALL.exec(line)?.[1] ?? /"(apply|plan|init)"/.exec(line)?.[1];
        if (sub && !['show', 'validate'].includes(sub)) calls.push(line);
      }
    }
    for (const c of calls) expect(c).toMatch(/-lock-timeout=\d+s/);
    expect(text[f]).not.toMatch(/auto-approve|cdktf deploy/);
  });
});

test('a job calling a reusable workflow grants every permission the called jobs ask for', () => {
  let calls = 0;
  for (const f of files) {
    for (const [name, j] of jobsOf(f)) {
      if (!j.uses?.startsWith('./')) continue;
      calls++;
      const called = wf[path.basename(j.uses)];
      const granted = perms(j);
      for (const [, cj] of Object.entries(called.jobs)) {
        for (const [scope, level] of Object.entries(perms(cj))) {
          expect([f, name, scope, LEVEL[granted[scope] ?? 'none'] >= LEVEL[level]]).toEqual([f, name, scope, true]);
        }
      }
    }
  }
  expect(calls).toBe(3);
});

describe('pull requests', () => {
  const f = 'pull-request.yml';

  test('never cancel a running Terraform', () => {
    expect(wf[f].concurrency?.['cancel-in-progress']).toBe(false);
  });

  test('no job reads a secret, enters a deployment environment or assumes the deploy role', () => {
    expect(text[f]).not.toMatch(/secrets\./);
    expect(text[f]).not.toMatch(/DEPLOY_ROLE/);
    for (const [, j] of jobsOf(f)) expect(j.environment).toBeUndefined();
  });

  test('jobs with AWS credentials use the plan role, keep the stacks from assuming another role, and have no write token', () => {
    const withAws = jobsOf(f).filter(([, j]) => (j.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')));
    expect(withAws.length).toBeGreaterThan(0);
    for (const [, j] of withAws) {
      const cred = j.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
      expect(String(cred.with?.['role-to-assume'])).toMatch(/PLAN_ROLE_ARN/);
      expect(j.env?.SECRETS_PLATFORM_ASSUME_ROLE).toBe('none');
      expect(Object.entries(perms(j)).filter(([, l]) => l === 'write').map(([s]) => s)).toEqual(['id-token']);
    }
  });

  test('plans never refresh (GetSecretValue), never lock, never apply', () => {
    const plans = allSteps(f).flatMap(({ step }) => (step.run ?? '').split('\n')).filter((l) => TF_CALL.exec(l)?.[1] === 'plan');
    expect(plans.length).toBeGreaterThan(0);
    for (const p of plans) {
      expect(p).toContain('-refresh=false');
      expect(p).toContain('-lock=false');
    }
    expect(text[f]).not.toMatch(/terraform[^\n]*\bapply\b|cdktf (diff|deploy)/);
  });

  test('the job with a write token runs no code from the pull request', () => {
    for (const [, j] of jobsOf(f)) {
      if (!Object.values(perms(j)).includes('write') || perms(j)['id-token']) continue;
      for (const s of j.steps ?? []) {
        expect(s.run).toBeUndefined();
        expect(s.uses ?? '').not.toMatch(/^actions\/checkout@|^actions\/setup-node@/);
      }
    }
  });
});

describe('deploys', () => {
  const f = 'deploy.yml';
  const env = 'deploy-environment.yml';

  test('run from main only, also when started by hand', () => {
    expect(wf[f].on).toHaveProperty('workflow_dispatch');
    for (const [, j] of [...jobsOf(f), ...jobsOf(env)]) expect(j.if ?? '').toContain("github.ref == 'refs/heads/main'");
  });

  test('one run per environment at a time, never cancelled by the next', () => {
    expect(wf[env].concurrency?.group).toContain('inputs.environment');
    expect(wf[env].concurrency?.['cancel-in-progress']).toBe(false);
  });

  test('the plan job saves the plan, checksums it and posts its summary', () => {
    const plan = wf[env].jobs.plan;
    const run = (plan.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/terraform[^\n]*plan[^\n]*-out=deploy\.tfplan/);
    expect(run).toContain('GITHUB_STEP_SUMMARY');
    expect(run).toMatch(/sha256sum/);
    expect(plan.outputs?.sha256).toBeDefined();
    expect(plan.environment).toBe('${{ inputs.environment }}-plan');
  });

  test('the apply job, behind the reviewed environment, applies exactly the saved plan after checking its checksum', () => {
    const apply = wf[env].jobs.apply;
    expect(apply.needs).toBe('plan');
    expect(apply.environment).toBe('${{ inputs.environment }}');
    const steps = apply.steps ?? [];
    const verify = steps.findIndex((s) => /sha256sum --check/.test(s.run ?? ''));
    const applyStep = steps.findIndex((s) => /terraform -chdir="\$dir" apply [^\n]*deploy\.tfplan$/m.test(s.run ?? ''));
    expect(verify).toBeGreaterThanOrEqual(0);
    expect(applyStep).toBeGreaterThan(verify);
    expect(Object.values(steps[verify].env ?? {}).join()).toContain('needs.plan.outputs.sha256');
    // No checkout: the apply job runs nothing but the reviewed artifact and Terraform.
    expect(steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
  });

  test('deploy-time values reach the terraform plan and apply commands only, through the reviewed wrapper', () => {
    const withSecrets: string[] = [];
    for (const [name, j] of jobsOf(env)) {
      for (const s of j.steps ?? []) {
        if (/secrets\./.test(JSON.stringify(s))) {
          withSecrets.push(`${name}:${s.id ?? s.name}`);
          expect(Object.keys(s.env ?? {})).toEqual(['DEPLOY_TIME_VALUES']);
          // Terraform is the only command that gets them, through tools/ci/tf-with-values.mjs.
          expect(s.run).toMatch(/node "\$dir\/tf-with-values\.mjs" terraform -chdir="\$dir" (plan|apply) /);
        }
      }
      expect(JSON.stringify(j.env ?? {})).not.toMatch(/secrets\./);
    }
    expect(withSecrets.sort()).toEqual(['apply:terraform apply (the saved plan)', 'plan:plan']);
    expect(JSON.stringify(wf[env].env ?? {})).not.toMatch(/secrets\./);
    expect(text['deploy.yml']).not.toMatch(/secrets\./);
  });
});
