#!/usr/bin/env node
// Runs a command (terraform plan or apply in deploy-environment.yml) with the environment's
// deploy-time values as TF_VAR_* variables, and nothing else sees them: DEPLOY_TIME_VALUES (a
// GitHub environment secret, a JSON object of variable name -> value) is read, each value masked
// in the log, and removed from the child's environment.
//
// Terraform needs the values in both steps: an ephemeral variable set during plan must be set
// again during apply, and one unset during plan must stay unset ("Ephemeral variable was not set
// during planning"). The saved plan never contains them.
import { spawnSync } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: tf-with-values.mjs <command> [args...]');
  process.exit(2);
}
let values = {};
try {
  values = JSON.parse(process.env.DEPLOY_TIME_VALUES || '{}');
} catch {
  console.error('DEPLOY_TIME_VALUES is not a JSON object of variable name -> value');
  process.exit(2);
}
if (values === null || typeof values !== 'object' || Array.isArray(values)) {
  console.error('DEPLOY_TIME_VALUES must be a JSON object of variable name -> value');
  process.exit(2);
}
const env = { ...process.env };
delete env.DEPLOY_TIME_VALUES;
for (const [name, value] of Object.entries(values)) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    console.error(`DEPLOY_TIME_VALUES: "${name}" is not a Terraform variable name`);
    process.exit(2);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const line of text.split('\n')) if (line) console.log(`::add-mask::${line}`);
  env[`TF_VAR_${name}`] = text;
}
const r = spawnSync(cmd, args, { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
