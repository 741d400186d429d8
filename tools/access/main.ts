/**
 * `npm run access`: the access proof over every synthesized environment (run after `npm run
 * synth`). Per environment:
 * - the secret proof (proof.ts): every principal x secret x action against the catalog, with the
 *   CI and human roles as the bootstrap stack synthesizes them (identity and boundary);
 * - the CI proof (ci-proof.ts, escalation.ts): every call of every workflow job, the value step,
 *   the runbooks and break-glass on every resource, the calls they must not make, every
 *   documented escalation path, the roles' trust and the code signing;
 * - the state backend's key.
 * Then parliament lints every policy document, and cloudsplaining reads an
 * account-authorization-details document built from the synthesized roles (security/).
 * Exits 1 on any difference, printing job, principal, action, resource and the deciding statement.
 * Writes cdktf.out/stacks/<env>/access.json (the simulated matrix; `npm run access:diff` compares the reports synth writes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { terraformCalls } from '../../plan/terraform-calls';
import { formatCiFinding } from './ci-proof';
import { ciProofInput, proveCi } from './ci-run';
import { authorizationDetails, runCloudsplaining } from './cloudsplaining';
import { formatFinding } from './proof';
import { ciPrincipalFacts, environmentPlans, proveKeysOnly, proveStack, readStack } from './run';

/** The one command that installs the proof's Python tools (docs/access-proof.md#running-it). */
const VENV_SETUP = 'python3 -m venv .build/access-venv && .build/access-venv/bin/pip install parliament==1.6.3 cloudsplaining==0.9.1';

async function main(): Promise<void> {
  const outdir = path.resolve(process.argv[2] ?? 'cdktf.out');
  // The Python tools first: missing, they are a setup step, not a difference in access.
  const venv = path.resolve('.build', 'access-venv', 'bin', 'python');
  const python = existsSync(venv) ? venv : 'python3';
  const tools = spawnSync(python, ['-c', 'import parliament, cloudsplaining'], { encoding: 'utf8' });
  if (tools.status !== 0 || !existsSync(path.join(path.dirname(python), 'cloudsplaining'))) {
    console.error(`access proof: parliament and cloudsplaining are not installed in .build/access-venv; run: ${VENV_SETUP}`);
    process.exit(2);
  }
  let failures = 0;
  const documents: Array<{ stack: string; where: string; kind: string; policy: unknown }> = [];
  const plans = environmentPlans();
  const manifest = terraformCalls();
  const inputs = [];
  for (const plan of plans) {
    const env = plan.environment;
    const started = Date.now();
    const ci = ciProofInput(
      env,
      plan,
      { env: readStack(outdir, env), ci: readStack(outdir, `ci-access-${env}`), backend: readStack(outdir, `state-backend-${env}`) },
      manifest,
    );
    inputs.push(ci);
    const { result, model } = await proveStack(env, readStack(outdir, env), plan, { ci: ciPrincipalFacts(ci.ci) });
    documents.push(...model.documents.map((d) => ({ stack: env, ...d })));
    documents.push(...ci.ci.documents.map((d) => ({ stack: ci.ci.stack, ...d })));
    writeFileSync(path.join(outdir, 'stacks', env, 'access.json'), `${JSON.stringify({ stack: env, matrix: result.matrix }, null, 2)}\n`);
    console.log(
      `access ${env}: ${result.principals.length} principals, ${result.requests} requests, ${result.simulations} evaluations in ${Date.now() - started} ms, ${result.findings.length} difference(s)`,
    );
    if (result.encryptionContextStatements.length > 0) {
      console.log(
        `  not simulated (kms:EncryptionContext conditions; proven by __tests__/access/encryption-context.test.ts): ${result.encryptionContextStatements.join(', ')}`,
      );
    }
    for (const f of result.findings.slice(0, 200)) console.log(`  ${formatFinding(f)}`);
    if (result.findings.length > 200) console.log(`  ... and ${result.findings.length - 200} more`);
    failures += result.findings.length;

    const t1 = Date.now();
    const c = await proveCi(ci);
    console.log(
      `access ci ${env}: ${c.requests} requests (jobs, value step, runbooks, break-glass, ${c.escalationMethods.length} escalation methods), ${c.simulations} evaluations in ${Date.now() - t1} ms, ${c.findings.length} difference(s)`,
    );
    for (const n of c.notes) console.log(`  note: ${n}`);
    for (const f of c.findings.slice(0, 200)) console.log(`  ${formatCiFinding(f)}`);
    if (c.findings.length > 200) console.log(`  ... and ${c.findings.length - 200} more`);
    failures += c.findings.length;
  }
  // State-backend stacks: no secrets, but their key must not be decryptable directly or granted away.
  for (const plan of plans) {
    const name = `state-backend-${plan.environment}`;
    const { result, model } = await proveKeysOnly(name, readStack(outdir, name), plan);
    documents.push(...model.documents.map((d) => ({ stack: name, ...d })));
    console.log(`access ${name}: ${result.simulations} simulations, ${result.findings.length} difference(s)`);
    for (const f of result.findings) console.log(`  ${formatFinding(f)}`);
    failures += result.findings.length;
  }
  const work = path.resolve('.build', 'access');
  mkdirSync(work, { recursive: true });
  // Lint every policy document with parliament (suppressions with reasons in security/).
  writeFileSync(path.join(work, 'policies.json'), JSON.stringify(documents));
  const lint = spawnSync(python, [path.join(__dirname, '..', '..', 'tools', 'access', 'lint.py'), path.join(work, 'policies.json')], {
    stdio: 'inherit',
  });
  if (lint.status !== 0) {
    console.error('access proof: the parliament lint failed (see above)');
    failures += 1;
  }
  // cloudsplaining over the account-authorization details of every account's CI roles.
  const cs = runCloudsplaining(
    python,
    work,
    inputs.map((i) => authorizationDetails(i)),
  );
  console.log(cs.summary);
  for (const line of cs.open) console.log(`  ${line}`);
  failures += cs.open.length + (cs.error ? 1 : 0);
  if (cs.error) console.error(`access proof: cloudsplaining failed: ${cs.error}`);
  if (failures > 0) {
    console.error(`access proof: ${failures} difference(s) between simulated and expected access`);
    process.exit(1);
  }
  console.log(
    'access proof: every principal x secret x action matches the catalog; every job x resource x call matches the manifest; no escalation',
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
