/**
 * The proofs share one evaluation among requests of one shape (tools/access/shape.ts). That must
 * never change what they find: with a planted bug in the bootstrap and in a secret policy of a
 * generated catalog, the secret proof and the CI proof report exactly the same differences with
 * the cache as when every request is evaluated on its own.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { terraformCalls } from '../../plan/terraform-calls';
import { CiSimulator, formatCiFinding } from '../../tools/access/ci-proof';
import { ciProofInput, proveCi } from '../../tools/access/ci-run';
import { formatFinding } from '../../tools/access/proof';
import { ciPrincipalFacts, proveStack, readStack } from '../../tools/access/run';
import { ShapeCache } from '../../tools/access/shape';
import { scaledFixture } from '../support/fixtures';

jest.setTimeout(300_000);
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

test('the shape cache finds exactly what evaluating every request finds', async () => {
  const catalog = scaledFixture(12);
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'shape-cache-'));
  synthApp([catalog], { outdir, inventory: false });
  const plan = planEnvironment(parseCatalogs([catalog]).catalogs[0]);
  const env = plan.environment;
  const stacks = {
    env: readStack(outdir, env) as Json,
    ci: readStack(outdir, `ci-access-${env}`) as Json,
    backend: readStack(outdir, `state-backend-${env}`),
  };
  // Planted: the deploy role loses KMS through Secrets Manager; one secret policy loses its read deny.
  for (const p of Object.values<Json>(stacks.ci.resource.aws_iam_policy)) {
    if (!/^secrets-platform-deploy-\d+$/.test(p.name)) continue;
    const doc = JSON.parse(p.policy);
    doc.Statement = doc.Statement.filter((st: Json) => !JSON.stringify(st.Condition ?? {}).includes('secretsmanager.'));
    p.policy = JSON.stringify(doc);
  }
  const [policyName, policy] = Object.entries<Json>(stacks.env.resource.aws_secretsmanager_secret_policy)[1];
  const doc = JSON.parse(policy.policy);
  doc.Statement = doc.Statement.filter(
    (st: Json) => st.Sid !== 'DenyValueReadsToUnnamedInThisAccount' && st.Sid !== 'DenyValueReadsToUnnamed',
  );
  stacks.env.resource.aws_secretsmanager_secret_policy[policyName].policy = JSON.stringify(doc);

  const secrets = Object.values<Json>(stacks.env.resource.aws_secretsmanager_secret)
    .slice(0, 4)
    .map((s) => s.name);
  const run = async (cache: boolean) => {
    const input = ciProofInput(env, plan, stacks, terraformCalls());
    const shapes = new ShapeCache(!cache);
    const secret = await proveStack(env, stacks.env, plan, { ci: ciPrincipalFacts(input.ci), secrets: (n) => secrets.includes(n), shapes });
    const ci = await proveCi(input, new CiSimulator(shapes));
    return {
      findings: [...secret.result.findings.map(formatFinding), ...ci.findings.map(formatCiFinding)].sort(),
      simulations: shapes.simulations,
      requests: shapes.requests,
    };
  };
  const cached = await run(true);
  const every = await run(false);
  expect(cached.findings.length).toBeGreaterThan(0);
  expect(cached.findings).toEqual(every.findings);
  // And the cache did share evaluations.
  expect(every.simulations).toBe(every.requests);
  expect(cached.simulations).toBeLessThan(every.simulations / 2);
});
