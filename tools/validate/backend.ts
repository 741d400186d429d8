/**
 * The stacks' S3 backend block, checked offline as `terraform init` checks it. The validate and
 * plan runs use `init -backend=false` and a local backend override, so they never see it.
 *
 * Terraform's own code does the checking: each stack's backend block alone goes into a scratch
 * directory and `terraform init -json` runs there with no credentials, no shared config files and
 * the EC2 metadata service disabled. The S3 backend (hashicorp/terraform v1.11.4,
 * internal/backend/remote-state/s3/backend.go) first validates the block against its schema
 * (assume_role.role_arn must be an IAM role ARN, session_name 2-64 characters, ...) and in
 * PrepareConfig (line 605: bucket and key set and not empty, key a relative S3 path without "//",
 * kms_key_id a KMS key ID or ARN, allowed_account_ids and forbidden_account_ids not both, the
 * deprecated dynamodb_table named as deprecated in favour of use_lockfile), then in Configure
 * checks the region and looks for credentials. Offline, a valid block ends exactly there: "No valid
 * credential sources found". Anything else is a defect in the block.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, formatDiagnostic, run, WORK } from './terraform';

/** The diagnostic that ends an offline init of a valid S3 backend block: no credentials to go on with. */
const NO_CREDENTIALS = 'No valid credential sources found';

export interface BackendCheck {
  ok: boolean;
  /** Terraform's diagnostics on the block, the expected missing-credentials error left out. */
  diagnostics: Diagnostic[];
  /** Whether init got as far as looking for credentials, i.e. every check on an S3 block ran. */
  reachedCredentials: boolean;
  output: string;
}

interface InitDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  range?: { start: { byte: number }; end: { byte: number } };
}

/** The attribute a diagnostic points at: the key on the configuration line where its range starts. */
function highlighted(source: string, d: InitDiagnostic): string {
  if (!d.range) return '';
  const before = Buffer.from(source).subarray(0, d.range.start.byte).toString();
  const line = before.slice(before.lastIndexOf('\n') + 1) + source.slice(before.length).split('\n')[0];
  return /"([\w-]+)"\s*:/.exec(line)?.[1] ?? '';
}

/** Runs `terraform init` on the stack's backend block alone (about 0.2 s) and returns what Terraform says about it. */
export function checkBackend(tfJson: { terraform?: { backend?: Record<string, unknown> } }, name: string): BackendCheck {
  const backend = tfJson.terraform?.backend;
  if (!backend) return { ok: true, diagnostics: [], reachedCredentials: false, output: 'no backend block' };
  const dir = path.join(WORK, 'backend', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = JSON.stringify({ terraform: { backend } }, null, 1);
  writeFileSync(path.join(dir, 'backend.tf.json'), source);
  writeFileSync(path.join(WORK, 'terraformrc'), 'disable_checkpoint = true\n');
  const r = run('terraform', ['init', '-json', '-input=false', '-no-color', '-reconfigure'], dir, {
    TF_IN_AUTOMATION: '1',
    TF_CLI_CONFIG_FILE: path.join(WORK, 'terraformrc'),
    CHECKPOINT_DISABLE: '1',
    // Nothing to authenticate with, and nothing to reach: Terraform stops at the credentials.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const all: InitDiagnostic[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as { type?: string; diagnostic?: InitDiagnostic };
    if (m.type === 'diagnostic' && m.diagnostic) all.push(m.diagnostic);
  }
  const reachedCredentials = all.some((d) => d.severity === 'error' && d.summary === NO_CREDENTIALS);
  const diagnostics: Diagnostic[] = all
    .filter((d) => d.summary !== NO_CREDENTIALS)
    .map((d) => ({
      severity: d.severity,
      summary: d.summary,
      detail: d.detail ?? '',
      address: `terraform.backend.${Object.keys(backend)[0]}`,
      attribute: highlighted(source, d),
    }));
  // A backend that needs no credentials (the state-backend stacks' bootstrap local backend) initializes.
  const ok = (reachedCredentials || r.status === 0) && !diagnostics.some((d) => d.severity === 'error');
  const lines = diagnostics.map(formatDiagnostic);
  if (!ok && !diagnostics.some((d) => d.severity === 'error'))
    lines.push(`init ended without reaching the credentials check (exit ${r.status}): ${r.stderr.trim()}`);
  return { ok, diagnostics, reachedCredentials, output: lines.join('\n') };
}
