/**
 * `npm run access`: the access proof over every synthesized environment stack (run after
 * `npm run synth`). Exits 1 on any difference between simulated and expected access, printing
 * each difference with principal, action, secret, expected and actual decision and the deciding
 * statement. Writes cdktf.out/stacks/<env>/access.json (the matrix, for `npm run access:diff`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatFinding } from './proof';
import { environmentPlans, proveKeysOnly, proveStack, readStack } from './run';

async function main(): Promise<void> {
  const outdir = path.resolve(process.argv[2] ?? 'cdktf.out');
  let failures = 0;
  const documents: Array<{ stack: string; where: string; kind: string; policy: unknown }> = [];
  const plans = environmentPlans();
  for (const plan of plans) {
    const env = { name: plan.environment };
    const started = Date.now();
    const { result, model } = await proveStack(env.name, readStack(outdir, env.name), plan);
    documents.push(...model.documents.map((d) => ({ stack: env.name, ...d })));
    writeFileSync(path.join(outdir, 'stacks', env.name, 'access.json'), JSON.stringify({ stack: env.name, matrix: result.matrix }, null, 2) + '\n');
    const ms = Date.now() - started;
    console.log(
      `access ${env.name}: ${result.principals.length} principals, ${result.simulations} simulations in ${ms} ms, ${result.findings.length} difference(s)`,
    );
    if (result.encryptionContextStatements.length > 0) {
      console.log(`  not simulated (kms:EncryptionContext conditions; proven by __tests__/access/encryption-context.test.ts): ${result.encryptionContextStatements.join(', ')}`);
    }
    for (const f of result.findings.slice(0, 200)) console.log(`  ${formatFinding(f)}`);
    if (result.findings.length > 200) console.log(`  ... and ${result.findings.length - 200} more`);
    failures += result.findings.length;
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
  // Lint every policy document with parliament (suppressions with reasons in security/).
  const lintDir = path.resolve('.build', 'access');
  mkdirSync(lintDir, { recursive: true });
  writeFileSync(path.join(lintDir, 'policies.json'), JSON.stringify(documents));
  // The venv .ci/run creates, else whatever python3 has parliament installed.
  const venv = path.resolve('.build', 'access-venv', 'bin', 'python');
  const lint = spawnSync(existsSync(venv) ? venv : 'python3', [path.join(__dirname, '..', '..', 'tools', 'access', 'lint.py'), path.join(lintDir, 'policies.json')], { stdio: 'inherit' });
  if (lint.status !== 0) {
    console.error('access proof: the parliament lint failed (see above)');
    failures += 1;
  }
  if (failures > 0) {
    console.error(`access proof: ${failures} difference(s) between simulated and expected access`);
    process.exit(1);
  }
  console.log('access proof: every principal x secret x action matches the catalog');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
