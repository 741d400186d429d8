/**
 * Child process of the bench: the access proof's wall time (the secret proof, the CI proof and the
 * state backend's key, as `npm run access` runs them; the Python linters are not timed) for the
 * shipped catalogs (`shipped`) or a generated catalog of N secrets with the same shapes (`N`).
 * Synth runs first and is not timed. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthApp } from '../../app/app';
import { ENVIRONMENTS } from '../../catalogs';
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { terraformCalls } from '../../plan/terraform-calls';
import { ciProofInput, proveCi } from '../access/ci-run';
import { ciPrincipalFacts, proveKeysOnly, proveStack, readStack } from '../access/run';
import { scaledEnvironment } from './catalog';

async function main() {
  const arg = process.argv[2] ?? 'shipped';
  const catalogs = arg === 'shipped' ? ENVIRONMENTS : [scaledEnvironment(Number(arg), ENVIRONMENTS.find((e) => e.name === 'production')!)];
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'bench-access-'));
  synthApp(catalogs, { outdir, inventory: false });
  const { catalogs: parsed } = parseCatalogs(catalogs);
  const plans = parsed.map(planEnvironment);
  const manifest = terraformCalls();
  const t0 = performance.now();
  let requests = 0;
  let simulations = 0;
  let differences = 0;
  for (const plan of plans) {
    const env = plan.environment;
    const ci = ciProofInput(
      env,
      plan,
      { env: readStack(outdir, env), ci: readStack(outdir, `ci-access-${env}`), backend: readStack(outdir, `state-backend-${env}`) },
      manifest,
    );
    const { result } = await proveStack(env, readStack(outdir, env), plan, { ci: ciPrincipalFacts(ci.ci) });
    const c = await proveCi(ci);
    const k = (await proveKeysOnly(`state-backend-${env}`, readStack(outdir, `state-backend-${env}`), plan)).result;
    requests += result.requests + c.requests + k.requests;
    simulations += result.simulations + c.simulations + k.simulations;
    differences += result.findings.length + c.findings.length + k.findings.length;
  }
  const ms = performance.now() - t0;
  rmSync(outdir, { recursive: true, force: true });
  const secrets = plans.reduce((n, p) => n + p.secrets.length, 0);
  process.stdout.write(`${JSON.stringify({ catalog: arg, secrets, ms, requests, simulations, differences })}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
