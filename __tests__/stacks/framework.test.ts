/**
 * Our stacks are plain `TerraformStack`s: the framework's whole synthesis runs, including CDK
 * Terrain's preparing pass, which records every write-only argument and refuses them when the
 * targeted Terraform is older than 1.11. The same file runs on cdktf (`npm test`) and on cdktn
 * (`npm run compat:cdktn`, which maps every framework import to the fork).
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { environment } from '../support/fixtures';
import { StateBackendStack } from '../../stacks/state-backend-stack';

const onCdktn = require.resolve('cdktf').includes(`${path.sep}cdktn${path.sep}`);

/** Synthesizes one of our stacks with a write-only argument, targeting `terraform`. */
function synthWithWriteOnly(terraform: string): () => void {
  const app = new App({ outdir: mkdtempSync(path.join(os.tmpdir(), 'wo-')), context: { targetVersions: { terraform } } });
  const stack = new StateBackendStack(app, 'state-backend-dev', environment('dev'));
  new SecretsmanagerSecretVersion(stack, 'probe', { secretId: 'probe', secretStringWo: 'not-a-secret', secretStringWoVersion: 1 });
  return () => app.synth();
}

test(`${onCdktn ? 'cdktn refuses' : 'cdktf accepts (it has no such check; Terraform itself refuses it below 1.11)'} a write-only argument in one of our stacks when the target Terraform is 1.5.7`, () => {
  if (onCdktn) expect(synthWithWriteOnly('1.5.7')).toThrow(/write.?only|secret_string_wo|1\.11/i);
  else expect(synthWithWriteOnly('1.5.7')).not.toThrow();
});

test('a write-only argument is accepted when the target Terraform has them (1.11)', () => {
  expect(synthWithWriteOnly('1.11.0')).not.toThrow();
});
