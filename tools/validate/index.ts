/**
 * `npm run validate` (first half; the broken-configuration tests are the second): synthesizes
 * every stack, then for each runs real Terraform against the stub provider:
 *   terraform init -backend=false, terraform validate,
 *   terraform plan from empty local state (S3 backend swapped by an override file),
 *   terraform show -json, and checks the plan: every declared resource created, counted per
 *   type from the synthesized JSON, nothing else, no write-only value in the plan;
 *   and the S3 backend block the way `terraform init` checks it (backend.ts).
 * The stub enforces the validator manifest (tools/tf-stub/checks): every synthesized attribute must
 * have an entry there, so a type or attribute the stacks start to set cannot slip past its checks.
 * Then checkov scans every plan JSON (framework terraform_plan), with the same skips as `npm run scan`.
 * (parliament lints the CI roles' IAM policies in `npm run access`.)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSchemas, synthesizedAttributes } from './attributes';
import { checkBackend } from './backend';
import { countedChecks, coverage, loadManifests, missingEntries } from './manifest';
import { checkPlan, copyStack, planDir, preparePlugins, ROOT, run, validateDir, WORK } from './terraform';

const t0 = Date.now();
const log = (s: string) => console.log(`validate: ${s}`);

const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
if (synth.status !== 0) {
  console.error(synth.stdout + synth.stderr);
  process.exit(1);
}
const out = path.join(ROOT, 'cdktf.out', 'stacks');
const stacks = readdirSync(out)
  .filter((s) => !s.startsWith('.'))
  .sort();
const files = stacks.map((s) => path.join(out, s, 'cdk.tf.json'));
log(`synth ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const plugins = preparePlugins(files, log);

let failed = false;
// Every attribute the stacks set has its provider checks (or an explicit "none") in the manifest.
{
  const set = synthesizedAttributes(files, loadSchemas(plugins.schemaDir));
  const manifests = loadManifests();
  const missing = missingEntries(manifests, set);
  const cov = coverage(countedChecks(manifests, set));
  const attributes = [...set.values()].reduce((n, a) => n + a.size, 0);
  log(
    `validator manifest: ${set.size} types, ${attributes} attributes set, ${cov.total} provider checks on them, ${cov.enforced} enforced by the stub (${cov.percent}%)`,
  );
  if (missing.length > 0) {
    failed = true;
    console.error(
      `validate: attributes the stacks set with no entry in tools/tf-stub/checks (read the provider's checks and add them, or "none" with the reason):`,
    );
    for (const m of missing) console.error(`  ${m}`);
  }
}
const planFiles: string[] = [];
for (const stack of stacks) {
  const started = Date.now();
  const dir = copyStack(path.join(out, stack), stack);
  const steps = [...validateDir(dir, plugins)];
  let problems: string[] = [];
  if (steps.every((s) => s.ok)) {
    const planned = planDir(dir, plugins);
    steps.push(...planned);
    if (planned.plan) {
      problems = checkPlan(JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')), planned.plan);
      planFiles.push(path.join(dir, 'plan.json'));
    }
  }
  const tfJson = JSON.parse(readFileSync(path.join(out, stack, 'cdk.tf.json'), 'utf8'));
  const backend = checkBackend(tfJson, stack);
  for (const d of backend.diagnostics.filter((x) => x.severity === 'warning'))
    log(`${stack}: backend: warning: ${d.attribute ? `${d.attribute}: ` : ''}${d.summary}: ${d.detail}`);
  const bad = steps.find((s) => !s.ok);
  if (bad || problems.length > 0 || !backend.ok) {
    failed = true;
    console.error(
      `validate: ${stack}: FAILED at ${bad ? `terraform ${bad.step}` : problems.length > 0 ? 'plan check' : 'backend block (terraform init)'}`,
    );
    if (bad) console.error(bad.output);
    for (const p of problems) console.error(`  ${p}`);
    if (!backend.ok) console.error(backend.output);
    continue;
  }
  const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8'));
  const creates = (plan.resource_changes ?? []).filter((r: { mode: string }) => r.mode === 'managed').length;
  log(
    `${stack}: init, validate, plan, backend ok; ${creates} resources to create, matching the synthesized JSON per type (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

// checkov over the plan JSON: values Terraform resolved (references, defaults) become visible.
if (planFiles.length > 0) {
  const started = Date.now();
  const checkov = run('bash', [path.join(ROOT, 'scripts', 'scan.sh'), '--print-checkov'], ROOT);
  if (checkov.status !== 0) throw new Error(checkov.stderr);
  const skips = (JSON.parse(readFileSync(path.join(ROOT, 'security', 'checkov-skips.json'), 'utf8')) as { id: string }[])
    .map((s) => s.id)
    .join(',');
  const args = planFiles.flatMap((f) => ['-f', f]);
  const report = path.join(WORK, 'checkov-plan.json');
  rmSync(report, { recursive: true, force: true });
  const cmd = checkov.stdout.trim();
  const r = run(
    cmd.includes('/') ? path.resolve(ROOT, cmd) : cmd,
    [
      ...args,
      '--framework',
      'terraform_plan',
      ...(skips ? ['--skip-check', skips] : []),
      '--compact',
      '--quiet',
      '--skip-download',
      '--output',
      'cli',
      '--output',
      'json',
      '--output-file-path',
      `console,${report}`,
    ],
    ROOT,
  );
  const parsed = JSON.parse(
    readFileSync(existsSync(path.join(report, 'results_json.json')) ? path.join(report, 'results_json.json') : report, 'utf8'),
  );
  const results = (Array.isArray(parsed) ? parsed : [parsed]).map(
    (x: { summary?: { passed: number; failed: number } }) => x.summary ?? { passed: 0, failed: 0 },
  );
  const passed = results.reduce((n: number, s: { passed: number }) => n + s.passed, 0);
  const failedChecks = results.reduce((n: number, s: { failed: number }) => n + s.failed, 0);
  log(
    `checkov (terraform_plan) over ${planFiles.length} plans: ${passed} passed, ${failedChecks} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (failedChecks > 0 || r.status !== 0) {
    failed = true;
    console.error(r.stdout + r.stderr);
  }
}
// The CI roles' policies are linted with parliament by `npm run access` (tools/access/lint.py),
// with their ARNs resolved and every suppression reasoned in security/parliament-suppressions.json.

writeFileSync(path.join(WORK, 'summary.json'), JSON.stringify({ stacks, failed, seconds: (Date.now() - t0) / 1000 }, null, 1));
log(`${failed ? 'FAILED' : 'all stacks valid'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
