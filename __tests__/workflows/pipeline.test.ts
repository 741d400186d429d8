/**
 * The delivery pipeline's safety properties, read from the workflow files themselves so that a
 * later edit cannot undo one silently (docs/pipeline.md). actionlint and zizmor check syntax and
 * known-bad patterns in .ci/run; these tests check our own rules. Each rule is a function that
 * lists what breaks it, so the tests can also plant each mistake and see the rule catch it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const DIR = path.join(__dirname, '..', '..', '.github', 'workflows');
const REPO = path.join(__dirname, '..', '..');
type Step = {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  id?: string;
  name?: string;
  if?: string;
};
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
  strategy?: unknown;
};
type Workflow = {
  on: any;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(DIR, f), 'utf8')]));
const load = (): Record<string, Workflow> => Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));
const wf = load();
const jobsOf = (w: Workflow) => Object.entries(w.jobs);
const allSteps = (w: Workflow) => jobsOf(w).flatMap(([name, j]) => (j.steps ?? []).map((s) => ({ job: name, step: s })));
const perms = (j: Job): Record<string, string> => (typeof j.permissions === 'object' ? j.permissions : {});
const needsOf = (j: Job) => (j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs : [j.needs]);
const runs = (j: Job) => (j.steps ?? []).map((s) => s.run ?? '').join('\n');
/** A Terraform command line and its subcommand (`terraform -chdir=x plan ...`). */
const TF_CALL = /\bterraform\s+(?:-chdir=\S+\s+)?(init|plan|apply|import|refresh|destroy|state|show|validate)\b/;
const tfCalls = (j: Job, sub: string) =>
  runs(j)
    .split('\n')
    .filter((l) => TF_CALL.exec(l)?.[1] === sub);
const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };
const CREDENTIALS = 'aws-actions/configure-aws-credentials@';
const usesStep = (j: Job, prefix: string) => (j.steps ?? []).filter((s) => s.uses?.startsWith(prefix));

/** Installs packages or runs synth: the code of ~1,000 npm packages, or of a pull request, runs. */
function runsPackages(j: Job): string[] {
  const found: string[] = [];
  for (const s of j.steps ?? []) {
    const r = s.run ?? '';
    if (/\b(npm|pnpm|yarn)\s+(ci|install|i|add|exec|run|test)\b|\bnpx\b|\bpip3?\s+install\b|\bcdktf\s+(synth|deploy|diff|get)\b/.test(r))
      found.push(r.split('\n')[0]);
    if (s.uses?.startsWith('actions/setup-node@') || s.uses?.startsWith('actions/setup-python@')) found.push(s.uses.split('@')[0]);
  }
  return found;
}
/** Holds AWS credentials or can ask for an OIDC token. */
function holdsCredentials(j: Job): string[] {
  const found: string[] = [];
  if (perms(j)['id-token'] && perms(j)['id-token'] !== 'none') found.push(`id-token: ${perms(j)['id-token']}`);
  if (j.permissions === 'write-all') found.push('permissions: write-all');
  if (usesStep(j, CREDENTIALS).length > 0) found.push('configure-aws-credentials');
  if (/AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|ACTIONS_ID_TOKEN_REQUEST/.test(JSON.stringify(j)))
    found.push('AWS keys or the OIDC request token in the job');
  return found;
}

// ------------------------------------------------------------------------------------ the rules

/** No job that installs packages or runs synth holds an OIDC token or AWS credentials. */
function ruleNoCredentialsWithPackages(w: Record<string, Workflow>): string[] {
  const out: string[] = [];
  for (const [f, x] of Object.entries(w)) {
    for (const [name, j] of jobsOf(x)) {
      const pkg = runsPackages(j);
      const creds = holdsCredentials(j);
      if (pkg.length > 0 && creds.length > 0) out.push(`${f} job ${name} runs ${pkg.join(', ')} and holds ${creds.join(', ')}`);
    }
  }
  return out;
}

/** Artifacts (names with `${{ }}` as `*`) that jobs of `x` upload: producing job and file. */
function uploadsOf(x: Workflow, names: RegExp) {
  const uploads = new Map<string, { job: string; file: string }>();
  for (const [name, j] of jobsOf(x)) {
    for (const s of usesStep(j, 'actions/upload-artifact@')) {
      const artifact = String(s.with?.name ?? '').replace(/\$\{\{[^}]*\}\}/g, '*');
      if (names.test(artifact)) uploads.set(artifact, { job: name, file: String(s.with?.path) });
    }
  }
  return uploads;
}

/**
 * For a reusable workflow `f` downloading `artifact`: the caller job that uploads it must need
 * the producing job and pass its sha256 output as the input `<artifact base>-sha256`, which
 * the download is then checked against (`inputs.<that>`).
 */
function callerOf(w: Record<string, Workflow>, f: string, artifact: string) {
  for (const [, x] of Object.entries(w)) {
    for (const [, j] of jobsOf(x)) {
      if (j.uses !== `./.github/workflows/${f}`) continue;
      const up = uploadsOf(x, /./).get(artifact);
      if (!up) continue;
      const input = `${artifact.replace(/-\*$/, '')}-sha256`;
      if (j.with?.[input] !== `\${{ needs.${up.job}.outputs.sha256 }}` || !needsOf(j).includes(up.job)) return undefined;
      return { up, expected: `inputs.${input}` };
    }
  }
  return undefined;
}

/** Every artifact a job downloads comes from a job it needs, which uploads it with a SHA-256 job
 * output; the downloading job checks it (sha256sum --check --strict against that output) before
 * any other step uses it.
 */
function ruleChecksummedArtifacts(w: Record<string, Workflow>, names: RegExp): string[] {
  const out: string[] = [];
  for (const [f, x] of Object.entries(w)) {
    const uploads = uploadsOf(x, names);
    for (const [artifact, up] of uploads) {
      const producer = x.jobs[up.job];
      const outputStep = /steps\.(\w+)\.outputs\.sha256/.exec(producer.outputs?.sha256 ?? '')?.[1];
      const made = producer.steps?.find((p) => p.id === outputStep);
      if (!made || !new RegExp(`sha256sum ${up.file.replace('.', '\\.')}`).test(made.run ?? ''))
        out.push(`${f} job ${up.job} has no sha256 output of ${up.file} (${artifact})`);
    }
    for (const [name, j] of jobsOf(x)) {
      const steps = j.steps ?? [];
      steps.forEach((s, i) => {
        if (!s.uses?.startsWith('actions/download-artifact@')) return;
        const artifact = String(s.with?.name ?? s.with?.pattern ?? '').replace(/\$\{\{[^}]*\}\}/g, '*');
        if (!names.test(artifact)) return;
        let up = uploads.get(artifact);
        let expected = up ? `needs.${up.job}.outputs.sha256` : '';
        if (!up) {
          // A called workflow: the caller hands it the checksum as an input `<name>-sha256`.
          const found = callerOf(w, f, artifact);
          if (!found) {
            out.push(`${f} job ${name} downloads ${artifact}, which no job of this workflow or its caller uploads`);
            return;
          }
          up = found.up;
          expected = found.expected;
        } else if (!needsOf(j).includes(up.job)) out.push(`${f} job ${name} downloads ${artifact} without needing ${up.job}`);
        const check = steps.findIndex(
          (c, k) =>
            k > i &&
            /sha256sum --check --strict/.test(c.run ?? '') &&
            (c.run ?? '').includes(up!.file) &&
            Object.values(c.env ?? {}).some((v) => v.includes(expected)),
        );
        if (check < 0) {
          out.push(`${f} job ${name} never checks ${up.file} against ${expected}`);
          return;
        }
        const usedBefore = steps.slice(i + 1, check).find((c) => c.run || c.uses?.startsWith(CREDENTIALS));
        if (usedBefore)
          out.push(`${f} job ${name} runs "${usedBefore.name ?? usedBefore.run ?? usedBefore.uses}" before checking ${up.file}`);
      });
    }
  }
  return out;
}

/** The apply job runs Terraform alone, on the saved plan, with the lock file's provider hashes. */
function ruleApplyAlone(w: Record<string, Workflow>): string[] {
  const out: string[] = [];
  const apply = w['deploy-environment.yml'].jobs.apply;
  for (const s of apply.steps ?? []) {
    const ok = ['hashicorp/setup-terraform@', 'actions/download-artifact@', CREDENTIALS].some((p) => s.uses?.startsWith(p));
    if (s.uses && !ok) out.push(`apply uses ${s.uses}`);
    for (const line of (s.run ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (
        !/^(dir=|echo "\$\w+ +\S+" \| sha256sum --check --strict$|tar (-C "[^"]+" )?-xzf \S+$|terraform -chdir="\$dir" (init|apply) )/.test(
          line,
        )
      )
        out.push(`apply runs: ${line}`);
    }
  }
  const init = tfCalls(apply, 'init');
  if (init.length !== 1 || !init[0].includes('-lockfile=readonly')) out.push('apply: terraform init without -lockfile=readonly');
  const applied = tfCalls(apply, 'apply');
  if (applied.length !== 1 || !/ deploy\.tfplan$/.test(applied[0].trim())) out.push('apply: not exactly one apply of deploy.tfplan');
  // The lock file travels with the saved plan.
  const save = w['deploy-environment.yml'].jobs.plan.steps?.find((s) => s.id === 'save')?.run ?? '';
  if (!/\.terraform\.lock\.hcl/.test(save) || !/deploy\.tfplan/.test(save))
    out.push('plan: the saved plan artifact lacks deploy.tfplan or .terraform.lock.hcl');
  return out;
}

/** Jobs with credentials assume exactly the role meant for them. */
function ruleRoles(w: Record<string, Workflow>): string[] {
  const expected: Record<string, Record<string, RegExp>> = {
    'pull-request.yml': { plan: /^\$\{\{ vars\[format\('PR_PLAN_ROLE_ARN_\{0\}', matrix\.environment\)\] \}\}$/ },
    'deploy-environment.yml': { plan: /^\$\{\{ vars\.PLAN_ROLE_ARN \}\}$/, apply: /^\$\{\{ vars\.DEPLOY_ROLE_ARN \}\}$/ },
    'values.yml': { values: /^\$\{\{ vars\.VALUES_ROLE_ARN \}\}$/ },
    'deploy.yml': {},
  };
  const out: string[] = [];
  for (const [f, x] of Object.entries(w)) {
    for (const [name, j] of jobsOf(x)) {
      if (j.uses) continue; // a reusable workflow: its own jobs are checked in its file
      const creds = usesStep(j, CREDENTIALS).map((s) => String(s.with?.['role-to-assume']));
      const want = expected[f]?.[name];
      if (!want && (creds.length > 0 || perms(j)['id-token'])) out.push(`${f} job ${name} holds credentials it should not`);
      if (want && (creds.length !== 1 || !want.test(creds[0]))) out.push(`${f} job ${name} assumes ${creds.join(', ') || 'nothing'}`);
    }
  }
  return out;
}

/**
 * Every repository script a job runs exists and is in that job's checkout (all of it, or the
 * sparse-checkout paths); a job without a checkout runs none.
 */
function ruleScriptsCheckedOut(w: Record<string, Workflow>): string[] {
  const out: string[] = [];
  for (const [f, x] of Object.entries(w)) {
    for (const [name, j] of jobsOf(x)) {
      const checkout = usesStep(j, 'actions/checkout@')[0];
      const sparse = checkout
        ? String(checkout.with?.['sparse-checkout'] ?? '')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [];
      for (const m of runs(j).matchAll(/\b(?:node|bash)\s+((?:tools|scripts)\/[\w./-]+)/g)) {
        const script = m[1];
        if (!existsSync(path.join(REPO, script))) out.push(`${f} job ${name} runs ${script}, which does not exist`);
        else if (!checkout) out.push(`${f} job ${name} runs ${script} without a checkout`);
        else if (sparse.length > 0 && !sparse.some((p) => script === p || script.startsWith(`${p.replace(/\/$/, '')}/`)))
          out.push(`${f} job ${name} runs ${script}, outside its sparse checkout (${sparse.join(', ')})`);
      }
    }
  }
  return out;
}

const GATE = /^node tools\/ci\/stack-gate\.cjs "cdktf\.out\/stacks\/\$STACK" --bundles \.build\/lambdas$/;

/**
 * Synth's output is a program for Terraform (provisioners run at apply and are not in the plan
 * text; data "external" and any provider binary run at init and plan). So a job holding
 * credentials that runs Terraform on it runs the reviewed commit's stack gate first, before
 * the credentials and before any Terraform call; the apply job runs the same checksummed
 * artifact the plan job gated. A job with a checkout extracts only the stack and the bundles
 * from an artifact, so no archive member can replace a checked-out script.
 */
function ruleStackGate(w: Record<string, Workflow>): string[] {
  const out: string[] = [];
  const d = w['deploy-environment.yml'];
  const plan = d.jobs.plan;
  const steps = plan.steps ?? [];
  const gate = steps.findIndex((s) => (s.run ?? '').split('\n').some((l) => GATE.test(l.trim())));
  const creds = steps.findIndex((s) => s.uses?.startsWith(CREDENTIALS));
  const firstTf = steps.findIndex((s) => TF_CALL.test(s.run ?? ''));
  if (gate < 0) out.push('deploy-environment.yml job plan never runs the stack gate on the stack');
  else {
    if (creds >= 0 && creds < gate) out.push('deploy-environment.yml job plan assumes its role before the stack gate');
    if (firstTf >= 0 && firstTf < gate) out.push('deploy-environment.yml job plan runs Terraform before the stack gate');
  }
  if (!needsOf(d.jobs.apply).includes('plan'))
    out.push('deploy-environment.yml job apply does not need the plan job that gates its artifact');
  for (const [f, x] of Object.entries(w)) {
    for (const [name, j] of jobsOf(x)) {
      if (usesStep(j, 'actions/checkout@').length === 0) continue;
      for (const line of runs(j)
        .split('\n')
        .map((l) => l.trim())) {
        if (/^tar\s+(-C\s+\S+\s+)?-x\w*f\s+\S+$/.test(line))
          out.push(`${f} job ${name} extracts a whole artifact over its checkout: ${line}`);
      }
    }
  }
  return out;
}

const rules = (w: Record<string, Workflow>) => [
  ...ruleStackGate(w),
  ...ruleScriptsCheckedOut(w),
  ...ruleNoCredentialsWithPackages(w),
  ...ruleChecksummedArtifacts(w, /^(synth-\*|pr-synth|plan-\*)$/),
  ...ruleApplyAlone(w),
  ...ruleRoles(w),
];

// ---------------------------------------------------------------------------- the properties

test('the three workflows exist', () => {
  expect(files.sort()).toEqual(expect.arrayContaining(['deploy-environment.yml', 'deploy.yml', 'pull-request.yml', 'values.yml']));
});

test('every rule holds for the workflows as written', () => {
  expect(rules(wf)).toEqual([]);
});

describe('each rule catches its mistake, planted', () => {
  const plant = (edit: (w: Record<string, Workflow>) => void) => {
    const w = load();
    edit(w);
    return rules(w);
  };
  test.each([
    [
      'id-token: write on the pull-request synth job',
      (w: any) => (w['pull-request.yml'].jobs.synth.permissions['id-token'] = 'write'),
      /pull-request\.yml job synth runs .*npm ci.*holds id-token: write/,
    ],
    [
      'id-token: write on the deploy synth job',
      (w: any) => (w['deploy-environment.yml'].jobs.synth.permissions['id-token'] = 'write'),
      /deploy-environment\.yml job synth runs .*npm ci.*holds id-token: write/,
    ],
    [
      'id-token: write on the pull-request test job',
      (w: any) => (w['pull-request.yml'].jobs.test.permissions['id-token'] = 'write'),
      /job test runs .*npm ci.*holds id-token: write/,
    ],
    [
      'id-token: write on the access-diff job',
      (w: any) => (w['pull-request.yml'].jobs['access-diff'].permissions['id-token'] = 'write'),
      /job access-diff runs .*holds id-token: write/,
    ],
    [
      'npm ci in the main-branch plan job',
      (w: any) => w['deploy-environment.yml'].jobs.plan.steps.splice(1, 0, { run: 'npm ci' }),
      /job plan runs npm ci and holds id-token: write, configure-aws-credentials/,
    ],
    [
      'setup-node in the values job',
      (w: any) => w['values.yml'].jobs.values.steps.splice(1, 0, { uses: 'actions/setup-node@x' }),
      /values\.yml job values runs actions\/setup-node and holds/,
    ],
    [
      'the values job checked against a checksum the caller did not take from synth',
      (w: any) => (w['deploy-environment.yml'].jobs.values.with['synth-sha256'] = '${{ needs.plan.outputs.sha256 }}'),
      /values\.yml job values downloads synth-\*, which no job of this workflow or its caller uploads/,
    ],
    [
      'the values role asked for from deploy-environment.yml',
      (w: any) =>
        w['deploy-environment.yml'].jobs.apply.steps.push({
          uses: `${CREDENTIALS}x`,
          with: { 'role-to-assume': '${{ vars.VALUES_ROLE_ARN }}' },
        }),
      /deploy-environment\.yml job apply assumes/,
    ],
    [
      'npx in the pull-request plan job',
      (w: any) => w['pull-request.yml'].jobs.plan.steps.push({ run: 'npx cdktf synth' }),
      /pull-request\.yml job plan runs npx cdktf synth and holds id-token: write/,
    ],
    [
      'credentials in the synth job',
      (w: any) => w['deploy-environment.yml'].jobs.synth.steps.push({ uses: `${CREDENTIALS}x`, with: { 'role-to-assume': 'r' } }),
      /job synth runs .*npm ci.*configure-aws-credentials/,
    ],
    [
      'no checksum check in the apply job',
      (w: any) =>
        (w['deploy-environment.yml'].jobs.apply.steps = w['deploy-environment.yml'].jobs.apply.steps.filter(
          (s: Step) => !/sha256sum/.test(s.run ?? ''),
        )),
      /job apply never checks synth\.tgz against needs\.synth\.outputs\.sha256/,
    ],
    [
      'the plan checksum taken from the wrong job',
      (w: any) =>
        (w['deploy-environment.yml'].jobs.apply.steps.find((s: Step) => /sha256sum/.test(s.run ?? '')).env.PLAN_SHA256 =
          '${{ needs.synth.outputs.sha256 }}'),
      /job apply never checks plan\.tgz against needs\.plan\.outputs\.sha256/,
    ],
    [
      'the plan job using the artifact before checking it',
      (w: any) => w['deploy-environment.yml'].jobs.plan.steps.splice(3, 0, { run: 'tar -xzf synth.tgz' }),
      /job plan runs "tar -xzf synth\.tgz" before checking synth\.tgz/,
    ],
    [
      'a synth job without a checksum output',
      (w: any) => delete w['deploy-environment.yml'].jobs.synth.outputs,
      /job synth has no sha256 output of synth\.tgz/,
    ],
    [
      'a checkout in the apply job',
      (w: any) => w['deploy-environment.yml'].jobs.apply.steps.unshift({ uses: 'actions/checkout@x' }),
      /apply uses actions\/checkout@x/,
    ],
    [
      'a node script in the apply job',
      (w: any) => w['deploy-environment.yml'].jobs.apply.steps.push({ run: 'node scripts/x.mjs' }),
      /apply runs: node scripts\/x\.mjs/,
    ],
    [
      'init without the lock file',
      (w: any) =>
        (w['deploy-environment.yml'].jobs.apply.steps.at(-1).run = w['deploy-environment.yml'].jobs.apply.steps
          .at(-1)
          .run.replace(' -lockfile=readonly', '')),
      /apply: terraform init without -lockfile=readonly/,
    ],
    [
      'a saved plan without its lock file',
      (w: any) => (w['deploy-environment.yml'].jobs.plan.steps.find((s: Step) => s.id === 'save').run = 'tar -czf plan.tgz deploy.tfplan'),
      /lacks deploy\.tfplan or \.terraform\.lock\.hcl/,
    ],
    [
      'the main-branch plan with the deploy role',
      (w: any) =>
        (w['deploy-environment.yml'].jobs.plan.steps.find((s: Step) => s.uses?.startsWith(CREDENTIALS)).with['role-to-assume'] =
          '${{ vars.DEPLOY_ROLE_ARN }}'),
      /job plan assumes \$\{\{ vars\.DEPLOY_ROLE_ARN \}\}/,
    ],
    [
      'the values job with the deploy role',
      (w: any) =>
        (w['values.yml'].jobs.values.steps.find((s: Step) => s.uses?.startsWith(CREDENTIALS)).with['role-to-assume'] =
          '${{ vars.DEPLOY_ROLE_ARN }}'),
      /job values assumes/,
    ],
    [
      'a sparse checkout without the script the job runs',
      (w: any) => (w['deploy-environment.yml'].jobs.plan.steps[0].with['sparse-checkout'] = 'scripts/ci'),
      /job plan runs tools\/ci\/values\.cjs, outside its sparse checkout \(scripts\/ci\)/,
    ],
    [
      'a script that does not exist',
      (w: any) => (w['values.yml'].jobs.values.steps.at(-1).run = 'node tools/ci/nope.cjs write'),
      /values\.yml job values runs tools\/ci\/nope\.cjs, which does not exist/,
    ],
    [
      'no stack gate in the main-branch plan job',
      (w: any) =>
        (w['deploy-environment.yml'].jobs.plan.steps = w['deploy-environment.yml'].jobs.plan.steps.filter(
          (s: Step) => !/stack-gate/.test(s.run ?? ''),
        )),
      /job plan never runs the stack gate/,
    ],
    [
      'the stack gate after the role is assumed',
      (w: any) => {
        const steps: Step[] = w['deploy-environment.yml'].jobs.plan.steps;
        const gate = steps.findIndex((s) => /stack-gate/.test(s.run ?? ''));
        const [g] = steps.splice(gate, 1);
        steps.splice(steps.findIndex((s) => s.uses?.startsWith(CREDENTIALS)) + 1, 0, g);
      },
      /job plan assumes its role before the stack gate/,
    ],
    [
      "the whole synth artifact extracted over the plan job's checkout",
      (w: any) => {
        const s = w['deploy-environment.yml'].jobs.plan.steps.find((x: Step) => /sha256sum --check/.test(x.run ?? ''));
        s.run = s.run.replace(/tar -xzf synth\.tgz .*/, 'tar -xzf synth.tgz');
      },
      /deploy-environment\.yml job plan extracts a whole artifact over its checkout: tar -xzf synth\.tgz/,
    ],
    [
      'an OIDC token on the comment job',
      (w: any) => (w['pull-request.yml'].jobs.comment.permissions['id-token'] = 'write'),
      /job comment holds credentials it should not/,
    ],
  ])('%s', (_what, edit, message) => {
    expect(plant(edit).join('\n')).toMatch(message);
  });
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
    for (const [name, j] of jobsOf(wf[f])) expect([name, typeof j.permissions]).toEqual([name, 'object']);
  });

  test('checkouts do not leave the token in .git', () => {
    for (const { step } of allSteps(wf[f])) {
      if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  test('no secrets are inherited wholesale', () => {
    for (const [, j] of jobsOf(wf[f])) expect(j.secrets).toBeUndefined();
  });

  test('every Terraform call that can take a lock has -lock-timeout; nothing auto-approves', () => {
    const calls: string[] = [];
    for (const { step } of allSteps(wf[f])) {
      for (const line of (step.run ?? '').split('\n')) {
        const sub = TF_CALL.exec(line)?.[1];
        if (sub && !['show', 'validate'].includes(sub)) calls.push(line);
      }
    }
    for (const c of calls) expect(c).toMatch(/-lock-timeout=\d+s/);
    expect(text[f]).not.toMatch(/auto-approve|cdktf deploy/);
  });

  test('no plan text is ever cut from its start (tail, negative slices)', () => {
    expect(text[f]).not.toMatch(/\btail\s+-[cn]|\.slice\(\s*-|\.substr\(\s*-/);
  });
});

test('a job calling a reusable workflow grants every permission the called jobs ask for', () => {
  let calls = 0;
  for (const f of files) {
    for (const [name, j] of jobsOf(wf[f])) {
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
  expect(calls).toBe(4);
});

test('only the four Terraform and values jobs can ask for an OIDC token', () => {
  const withToken = files.flatMap((f) =>
    jobsOf(wf[f])
      .filter(([, j]) => perms(j)['id-token'] === 'write' && !j.uses)
      .map(([n]) => `${f}:${n}`),
  );
  expect(withToken.sort()).toEqual([
    'deploy-environment.yml:apply',
    'deploy-environment.yml:plan',
    'pull-request.yml:plan',
    'values.yml:values',
  ]);
});

test('every plan runs the real provider: init from the registry, then validate, then plan', () => {
  for (const [f, job] of [
    ['pull-request.yml', 'plan'],
    ['deploy-environment.yml', 'plan'],
  ] as const) {
    const lines = runs(wf[f].jobs[job]).split('\n');
    const at = (sub: string) => lines.findIndex((l) => TF_CALL.exec(l)?.[1] === sub);
    expect([f, at('init') >= 0, at('init') < at('validate'), at('validate') < at('plan')]).toEqual([f, true, true, true]);
    // No stub: no plugin directory, no skipped backend.
    expect(runs(wf[f].jobs[job])).not.toMatch(/-plugin-dir|-backend=false|tf-stub/);
  }
});

describe('pull requests', () => {
  const f = 'pull-request.yml';
  const w = wf[f];

  test('never cancel a running Terraform', () => {
    expect(w.concurrency?.['cancel-in-progress']).toBe(false);
  });

  test('no job reads a secret, enters a deployment environment or assumes another role than the PR plan role', () => {
    expect(text[f]).not.toMatch(/secrets\./);
    expect(text[f]).not.toMatch(/DEPLOY_ROLE|VALUES_ROLE|vars\.PLAN_ROLE/);
    for (const [, j] of jobsOf(w)) expect(j.environment).toBeUndefined();
  });

  test('synth runs without credentials and never assumes the deploy role', () => {
    expect(w.jobs.synth.env?.SECRETS_PLATFORM_ASSUME_ROLE).toBe('none');
    expect(holdsCredentials(w.jobs.synth)).toEqual([]);
  });

  test('the plan job holds the OIDC token and nothing else: no write token, no checkout, no script of the pull request', () => {
    const plan = w.jobs.plan;
    expect(perms(plan)).toEqual({ 'id-token': 'write' });
    expect(usesStep(plan, 'actions/checkout@')).toEqual([]);
    expect(runs(plan)).not.toMatch(/\bnode\b|\bbash\s+scripts|\.\/scripts/);
  });

  test('plans never refresh, never lock, never apply', () => {
    const plans = tfCalls(w.jobs.plan, 'plan');
    expect(plans.length).toBe(1);
    for (const p of plans) {
      expect(p).toContain('-refresh=false');
      expect(p).toContain('-lock=false');
    }
    expect(text[f]).not.toMatch(/terraform[^\n]*\bapply\b|cdktf (diff|deploy)/);
  });

  test('the job with a write token runs no code from the pull request', () => {
    for (const [, j] of jobsOf(w)) {
      if (!Object.values(perms(j)).includes('write') || perms(j)['id-token']) continue;
      for (const s of j.steps ?? []) {
        expect(s.run).toBeUndefined();
        expect(s.uses ?? '').not.toMatch(/^actions\/checkout@|^actions\/setup-node@/);
      }
    }
  });
});

describe('the comment job posts only text it produced, to comments only it wrote', () => {
  const script = String(wf['pull-request.yml'].jobs.comment.steps!.find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script);
  const BOT = { login: 'github-actions[bot]', type: 'Bot' };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;

  /** Runs the step's script as actions/github-script does, against a fake API and files. */
  async function post(files: Record<string, string>, comments: Array<{ id: number; user: object; body: string }>) {
    const created: Array<{ body: string }> = [];
    const updated: Array<{ comment_id: number; body: string }> = [];
    const github = {
      paginate: async () => comments,
      rest: {
        issues: {
          listComments: () => undefined,
          createComment: async (p: { body: string }) => void created.push(p),
          updateComment: async (p: { comment_id: number; body: string }) => void updated.push(p),
        },
      },
    };
    const context = {
      repo: { owner: 'o', repo: 'r' },
      issue: { number: 7 },
      serverUrl: 'https://github.com',
      runId: 99,
      payload: { pull_request: { head: { sha: 'abc123' } } },
    };
    const fs = { existsSync: (p: string) => p in files, readFileSync: (p: string) => files[p] };
    await new AsyncFunction('require', 'github', 'context', 'core', script)(
      (m: string) => (m === 'fs' ? fs : undefined),
      github,
      context,
      {},
    );
    return { created, updated };
  }
  const plans = {
    'plan-dev.txt': 'dev plan\n',
    'plan-staging.txt': 'staging plan\n',
    'plan-production.txt': 'production plan\n',
    'access-diff.md': 'diff\n',
  };

  test("a person's comment with our marker, and our own comment quoting it, are not ours; our marked comment is updated", async () => {
    const r = await post(plans, [
      {
        id: 1,
        user: { login: 'mallory', type: 'User' },
        body: '<!-- secrets-platform:pr-plan:dev -->\nNo changes. Your infrastructure matches the configuration.',
      },
      { id: 2, user: BOT, body: 'an older comment that quotes <!-- secrets-platform:pr-plan:staging -->\n' },
      { id: 3, user: { login: 'github-actions', type: 'User' }, body: '<!-- secrets-platform:pr-plan:production -->\nlook-alike login' },
      { id: 4, user: BOT, body: '<!-- secrets-platform:pr-access-diff -->\nold diff' },
    ]);
    expect(r.updated.map((u) => u.comment_id)).toEqual([4]);
    expect(r.created.map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- secrets-platform:pr-plan:dev -->',
      '<!-- secrets-platform:pr-plan:staging -->',
      '<!-- secrets-platform:pr-plan:production -->',
    ]);
    expect(r.created[0].body).toContain('dev plan');
  });

  test('a plan text cannot close our block, add markup or carry a marker that counts', async () => {
    const hostile = '</pre>\n<!-- secrets-platform:pr-plan:dev -->\n## No changes\n```\n<img src=x onerror=alert(1)> & co\n';
    const r = await post({ ...plans, 'plan-dev.txt': hostile }, []);
    const body = r.created[0].body;
    expect(body.match(/<pre>/g)).toHaveLength(1);
    expect(body.match(/<\/pre>/g)).toHaveLength(1);
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body.indexOf('<!-- secrets-platform:pr-plan:dev -->')).toBe(0);
    expect(body).toContain('&lt;/pre&gt;\n&lt;!-- secrets-platform:pr-plan:dev --&gt;\n## No changes');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; co');
    expect(body).not.toContain('<img');
  });

  test('a plan too long for a comment shows its start, and says which lines are cut and where they are', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `  # aws_secretsmanager_secret.s${i} will be created <${'x'.repeat(20)}>`);
    const r = await post({ ...plans, 'plan-production.txt': lines.join('\n') }, []);
    const body = r.created[2].body;
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body).toContain('aws_secretsmanager_secret.s0 will be created');
    const cut =
      /\*\*Cut: this comment shows lines 1-(\d+) of 4000; lines (\d+)-4000 are NOT shown\. The whole text is the artifact `pr-plan-production` of \[this run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/99\)\.\*\*/.exec(
        body,
      );
    expect(cut).not.toBeNull();
    const shown = Number(cut![1]);
    expect(Number(cut![2])).toBe(shown + 1);
    expect(body).toContain(`secret.s${shown - 1} will`);
    expect(body).not.toContain(`secret.s${shown} will`);
    // Said before the text and again after it.
    expect(body.split('**Cut:').length - 1).toBe(2);
  });

  test('a missing plan says so', async () => {
    const { 'plan-staging.txt': _gone, ...rest } = plans;
    const r = await post(rest, []);
    expect(r.created[1].body).toContain('no plan: the plan job failed; see its log');
  });
});

describe('the run summary of a deploy plan (tools/ci/plan-summary.sh)', () => {
  const summarize = (plan: string, limit?: number) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-summary-'));
    writeFileSync(path.join(dir, 'plan.txt'), plan);
    const r = spawnSync(
      'bash',
      [
        path.join(REPO, 'tools', 'ci', 'plan-summary.sh'),
        path.join(dir, 'plan.txt'),
        'Saved plan for production',
        'plan-text-production',
        'https://example/art/1',
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...(limit ? { PLAN_SUMMARY_LIMIT: String(limit) } : {}) },
      },
    );
    expect(r.status).toBe(0);
    return r.stdout;
  };

  test('a plan that fits is shown whole, escaped', () => {
    const out = summarize('Plan: 1 to add\n  description = "</pre><b>x</b> & y"\n');
    expect(out).toContain('The whole plan (2 lines) is below');
    expect(out).toContain('description = "&lt;/pre&gt;&lt;b&gt;x&lt;/b&gt; &amp; y"');
    expect(out.match(/<\/pre>/g)).toHaveLength(1);
    expect(out).not.toContain('Cut');
  });

  test("a plan over GitHub's 1 MiB summary limit: its start, whole lines, the cut named before and after, the artifact named", () => {
    const lines = Array.from({ length: 30000 }, (_, i) => `  + resource ${i} <${'y'.repeat(40)}>`);
    const out = summarize(`${lines.join('\n')}\n`);
    expect(Buffer.byteLength(out)).toBeLessThan(1024 * 1024);
    const m =
      /\*\*Cut: this summary shows lines 1-(\d+) of the plan's 30000 lines \(\d+ bytes\); lines (\d+)-30000 are NOT shown here, because GitHub keeps at most 1 MiB of summary\. Read the whole plan in the artifact `plan-text-production` of this run \(https:\/\/example\/art\/1\) before approving\.\*\*/.exec(
        out,
      );
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(Number(m![1]) + 1);
    expect(out).toContain('  + resource 0 &lt;');
    expect(out).toContain(`  + resource ${Number(m![1]) - 1} &lt;`);
    expect(out).not.toContain(`  + resource ${Number(m![1])} &lt;`);
    expect(out.split('**Cut:').length - 1).toBe(2);
  });
});

describe('deploys', () => {
  const f = 'deploy.yml';
  const env = 'deploy-environment.yml';
  const jobs = wf[env].jobs;

  test('run from main only, also when started by hand', () => {
    expect(wf[f].on).toHaveProperty('workflow_dispatch');
    for (const [, j] of [...jobsOf(wf[f]), ...jobsOf(wf[env]), ...jobsOf(wf['values.yml'])])
      expect(j.if ?? '').toContain("github.ref == 'refs/heads/main'");
  });

  test('one run per environment at a time, never cancelled by the next', () => {
    expect(wf[env].concurrency?.group).toContain('inputs.environment');
    expect(wf[env].concurrency?.['cancel-in-progress']).toBe(false);
  });

  test('synth hands on the stack, its values manifest and the bundles the stack zips', () => {
    const pack = jobs.synth.steps!.find((s) => s.id === 'pack')!.run!;
    expect(pack).toMatch(/cdktf\.out\/stacks\/\$STACK/);
    expect(pack).toMatch(/\.build\/lambdas/);
    expect(jobs.synth.env?.SECRETS_PLATFORM_ASSUME_ROLE).toBe('none');
  });

  test('the main-branch plan: read-only role in <env>-plan, refreshing, lock-free, saved, the whole text as an artifact', () => {
    const plan = jobs.plan;
    expect(plan.environment).toBe('${{ inputs.environment }}-plan');
    const p = tfCalls(plan, 'plan');
    expect(p).toHaveLength(1);
    expect(p[0]).not.toContain('-refresh=false');
    expect(p[0]).toContain('-lock=false');
    expect(p[0]).toContain('-out=deploy.tfplan');
    expect(plan.outputs?.sha256).toBeDefined();
    const text = usesStep(plan, 'actions/upload-artifact@').find((s) => String(s.with?.name).startsWith('plan-text-'))!;
    expect(text.with?.path).toBe('plan.txt');
    const summary = plan.steps!.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ''))!;
    expect(summary.run).toMatch(/^bash tools\/ci\/plan-summary\.sh plan\.txt .*"plan-text-\$STACK" "\$ARTIFACT_URL"/);
    expect(summary.env?.ARTIFACT_URL).toBe(`\${{ steps.${text.id}.outputs.artifact-url }}`);
    // The values dry run: DescribeSecret with the plan role, nothing written.
    const values = plan.steps!.find((s) => s.id === 'values')!;
    expect(values.run).toMatch(/^node tools\/ci\/values\.cjs plan /);
    expect(plan.outputs?.values).toBe('${{ steps.values.outputs.pending }}');
  });

  test('the apply job, behind the reviewed environment, applies exactly the saved plan', () => {
    const apply = jobs.apply;
    expect(needsOf(apply).sort()).toEqual(['plan', 'synth']);
    expect(apply.environment).toBe('${{ inputs.environment }}');
    expect(apply.if).toContain("needs.plan.outputs.changes == 'true'");
  });

  test('the values job: after apply, its own workflow and role, in the reviewed environment, a checked-in script on Node built-ins', () => {
    const call = jobs.values;
    expect(call.uses).toBe('./.github/workflows/values.yml');
    expect(needsOf(call)).toEqual(expect.arrayContaining(['apply', 'plan', 'synth']));
    expect(call.if).toMatch(/needs\.apply\.result == 'success' \|\| needs\.apply\.result == 'skipped'/);
    expect(call.if).toContain("needs.plan.outputs.values == 'true'");
    expect(call.with?.environment).toBe('${{ inputs.environment }}');
    const v = wf['values.yml'].jobs.values;
    expect(v.environment).toBe('${{ inputs.environment }}');
    expect(Object.keys(wf['values.yml'].jobs)).toEqual(['values']);
    const write = v.steps!.find((s) => /values\.cjs write/.test(s.run ?? ''))!;
    expect(write.run).toBe(
      'node tools/ci/values.cjs write --manifest "cdktf.out/stacks/$STACK/values.json" --environment "$STACK" --role-arn "$ROLE_ARN"',
    );
    // The script imports nothing but Node's built-ins.
    const src = readFileSync(path.join(REPO, 'tools', 'ci', 'values.cjs'), 'utf8');
    const imports = [...src.matchAll(/require\(['"]([^'"]+)['"]\)/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const i of imports) expect(i).toMatch(/^node:/);
  });

  test('values reach the values step only, as an environment variable, never a command line', () => {
    const withSecrets: string[] = [];
    expect(text[env]).not.toMatch(/secrets\./);
    for (const [name, j] of jobsOf(wf['values.yml'])) {
      for (const s of j.steps ?? []) {
        if (/secrets\./.test(JSON.stringify(s))) {
          withSecrets.push(`${name}:${s.name}`);
          expect(s.env?.DEPLOY_TIME_VALUES).toBe('${{ secrets.DEPLOY_TIME_VALUES }}');
          expect(
            Object.entries(s.env ?? {})
              .filter(([, v]) => /secrets\./.test(v))
              .map(([k]) => k),
          ).toEqual(['DEPLOY_TIME_VALUES']);
          expect(s.run ?? '').not.toMatch(/secrets\.|DEPLOY_TIME_VALUES/);
        }
      }
      expect(JSON.stringify(j.env ?? {})).not.toMatch(/secrets\./);
    }
    expect(withSecrets).toEqual(['values:Write the values (Node built-ins only; values never in argv or the log)']);
    expect(JSON.stringify(wf['values.yml'].env ?? {})).not.toMatch(/secrets\./);
    expect(text['deploy.yml']).not.toMatch(/secrets\./);
  });
});
