/**
 * Real Terraform on our synthesized JSON, offline: the stub provider (tools/tf-stub) serves the
 * schemas tools/validate/tf-schema.mjs generates from the cdktf bindings, installed under the names and
 * versions the stacks require. Used by `npm run validate` and by __tests__/validate.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root (found upwards: this file also runs bundled from .build/run). */
export const ROOT = findRoot(__dirname);

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'cdktf.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Provider addresses and versions the stacks pin (cdktf.out's required_providers). */
export const STUB_PROVIDERS = [
  { name: 'aws', version: '6.25.0' },
  { name: 'archive', version: '2.7.1' },
] as const;

const STUB_SRC = path.join(ROOT, 'tools', 'tf-stub');
export const WORK = path.join(ROOT, '.build', 'validate');

/**
 * Cache key of the stub binary: its Go sources, go.mod, go.sum, the validator manifest it embeds
 * (checks/*.json) and the Go toolchain version.
 */
function stubKey(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(STUB_SRC).sort()) {
    if (/\.go$|^go\.(mod|sum)$/.test(f)) h.update(f).update(readFileSync(path.join(STUB_SRC, f)));
  }
  for (const f of readdirSync(path.join(STUB_SRC, 'checks')).sort())
    h.update(`checks/${f}`).update(readFileSync(path.join(STUB_SRC, 'checks', f)));
  let goVersion: string;
  try {
    goVersion = run('go', ['env', 'GOVERSION'], ROOT).stdout;
  } catch {
    throw new Error('npm run validate needs Go (1.24+) on PATH to build the stub provider in tools/tf-stub');
  }
  h.update(goVersion);
  return h.digest('hex').slice(0, 16);
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The stub binary, built once per input hash into .build/tf-stub/<key>/ (about a minute of
 * `go build` on a fresh machine; later runs reuse it).
 */
export function ensureStub(log: (s: string) => void = () => {}): { binary: string; built: boolean; seconds: number } {
  const binary = path.join(ROOT, '.build', 'tf-stub', stubKey(), 'tf-stub');
  if (existsSync(binary)) return { binary, built: false, seconds: 0 };
  log(`building the stub provider (go build) into ${path.relative(ROOT, binary)}`);
  const t0 = Date.now();
  const r = run('go', ['build', '-trimpath', '-o', binary, '.'], STUB_SRC, { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' });
  if (r.status !== 0) throw new Error(`go build of tools/tf-stub failed:\n${r.stderr}`);
  return { binary, built: true, seconds: (Date.now() - t0) / 1000 };
}

/** Generates the provider schemas of every type the given stacks (and our imports) use (into .build/validate/schema unless told). */
export function writeSchemas(stackFiles: string[], log: (s: string) => void = () => {}, schemaDir = path.join(WORK, 'schema')): string {
  const r = run('node', [path.join(ROOT, 'tools', 'validate', 'tf-schema.mjs'), schemaDir, ...stackFiles], ROOT);
  if (r.status !== 0) throw new Error(`schema generation failed:\n${r.stderr}`);
  log(r.stdout.trim());
  return schemaDir;
}

/**
 * A plugin directory holding the stub under both provider names, and the schema directory it
 * reads. Schemas are generated for every type the given stacks (and our imports) use.
 */
export function preparePlugins(
  stackFiles: string[],
  log: (s: string) => void = () => {},
): { pluginDir: string; schemaDir: string; env: Record<string, string> } {
  const { binary, built, seconds } = ensureStub(log);
  if (built) log(`stub provider built in ${seconds.toFixed(1)} s`);
  const pluginDir = path.join(WORK, 'plugins');
  const schemaDir = writeSchemas(stackFiles, log);
  for (const p of STUB_PROVIDERS) {
    const dir = path.join(pluginDir, 'registry.terraform.io', 'hashicorp', p.name, p.version, 'linux_amd64');
    mkdirSync(dir, { recursive: true });
    const target = path.join(dir, `terraform-provider-${p.name}_v${p.version}`);
    if (
      !existsSync(target) ||
      statSync(target).size !== statSync(binary).size ||
      readFileSync(target).compare(readFileSync(binary)) !== 0
    ) {
      rmSync(target, { force: true });
      copyFileSync(binary, target);
    }
  }
  return { pluginDir, schemaDir, env: terraformEnv(schemaDir) };
}

export function terraformEnv(schemaDir: string): Record<string, string> {
  return {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_STUB_SCHEMA_DIR: schemaDir,
    // No credentials, no network: the stub never calls AWS.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    TF_CLI_CONFIG_FILE: path.join(WORK, 'terraformrc'),
  };
}

/** A working copy of a stack at the same depth as cdktf.out/stacks/<stack> (paths stay valid). */
export function copyStack(stackDir: string, name: string): string {
  // Synthesized paths are relative to cdktf.out/stacks/<stack> (`${path.module}/../../../...`).
  const dir = path.join(ROOT, '.build', 'validate-stacks', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(stackDir)) {
    if (f === '.terraform' || f === '.terraform.lock.hcl' || f.endsWith('.tfstate')) continue;
    cpSync(path.join(stackDir, f), path.join(dir, f), { recursive: true });
  }
  return dir;
}

/** One Terraform diagnostic, reduced to what a reader needs: where, which attribute, what. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  /** The configuration object: `aws_kms_key.name`, `data.archive_file.name`, `ephemeral.type.name`. */
  address: string;
  /** The attribute the diagnostic is about: the stub names it; else the highlighted configuration line's key. */
  attribute: string;
}

interface TfJsonDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
  snippet?: { context?: string | null; code?: string };
}

/** `resource.aws_x.n.rule[0]` -> `aws_x.n`; `data.archive_file.n` stays as it is. */
function addressOf(d: TfJsonDiagnostic): string {
  const m = /^(resource\.|data\.|ephemeral\.)?([\w-]+)\.([\w-]+)/.exec(d.address ?? d.snippet?.context ?? '');
  if (!m) return '';
  return `${m[1] === 'resource.' || m[1] === undefined ? '' : m[1]}${m[2]}.${m[3]}`;
}

function diagnostic(d: TfJsonDiagnostic): Diagnostic {
  const detail = d.detail ?? '';
  const stub = /\[tf-stub: \S+ \S+ attribute "([^"]+)"/.exec(detail);
  const key = /"([\w-]+)"\s*:/.exec(d.snippet?.code ?? '');
  return { severity: d.severity, summary: d.summary, detail, address: addressOf(d), attribute: stub?.[1] ?? key?.[1] ?? '' };
}

/** One line per diagnostic: the object, the attribute, Terraform's (or the provider's) words. */
export function formatDiagnostic(d: Diagnostic): string {
  const text = `${d.summary}${d.detail ? `: ${d.detail}` : ''}`.replace(/\s+/g, ' ').trim();
  return `${d.severity === 'warning' ? 'warning: ' : ''}${d.address || '(configuration)'}${d.attribute ? `: ${d.attribute}` : ''}: ${text}`;
}

export interface TfStep {
  step: string;
  ok: boolean;
  output: string;
  diagnostics: Diagnostic[];
}

function step(name: string, r: RunResult, diagnostics: Diagnostic[] = []): TfStep {
  const ok = r.status === 0 && !diagnostics.some((d) => d.severity === 'error');
  // Plan reports a provider's validation error twice (its validate walk and its plan walk): once is enough.
  const lines = [...new Set(diagnostics.map(formatDiagnostic))];
  return {
    step: name,
    ok,
    output: lines.length > 0 ? `${lines.join('\n')}${ok ? '' : `\n${r.stderr}`}` : r.stdout + r.stderr,
    diagnostics,
  };
}

/** terraform validate -json: every diagnostic Terraform and the providers report. */
export function validateJson(dir: string, plugins: { env: Record<string, string> }): TfStep {
  const v = run('terraform', ['validate', '-json', '-no-color'], dir, plugins.env);
  let parsed: { valid: boolean; diagnostics: TfJsonDiagnostic[] };
  try {
    parsed = JSON.parse(v.stdout);
  } catch {
    return step('validate', { ...v, status: v.status || 1 });
  }
  const s = step('validate', v, parsed.diagnostics.map(diagnostic));
  if (s.ok) s.output = ['The configuration is valid.', s.output].filter(Boolean).join('\n');
  return s;
}

/**
 * terraform init + validate: Terraform's language, type and ephemeral rules, and the providers'
 * checks. An override file swaps the S3 backend for a local one (the configuration itself is
 * unchanged; backend.ts checks the real backend block), so the same initialized directory can plan.
 */
export function validateDir(dir: string, plugins: { pluginDir: string; env: Record<string, string> }): TfStep[] {
  writeTerraformrc();
  writeFileSync(
    path.join(dir, 'validate_backend_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: 'validate.tfstate' } } } }, null, 1),
  );
  rmSync(path.join(dir, 'validate.tfstate'), { force: true });
  const steps: TfStep[] = [];
  const init = run(
    'terraform',
    ['init', '-reconfigure', `-plugin-dir=${plugins.pluginDir}`, '-input=false', '-no-color', '-lock-timeout=60s'],
    dir,
    plugins.env,
  );
  steps.push(step('init', init));
  if (init.status !== 0) return steps;
  steps.push(validateJson(dir, plugins));
  return steps;
}

function writeTerraformrc(): void {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(path.join(WORK, 'terraformrc'), 'disable_checkpoint = true\n');
}

/** terraform plan -json: the plan's diagnostics (providers' plan-time checks included) and whether it succeeded. */
export function planJson(dir: string, plugins: { env: Record<string, string> }, extra: string[] = []): TfStep {
  const plan = run('terraform', ['plan', '-json', '-input=false', '-no-color', '-lock-timeout=60s', ...extra], dir, plugins.env);
  const diagnostics: Diagnostic[] = [];
  for (const line of plan.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as { type?: string; diagnostic?: TfJsonDiagnostic };
    if (m.type === 'diagnostic' && m.diagnostic) diagnostics.push(diagnostic(m.diagnostic));
  }
  return step('plan', plan, diagnostics);
}

/**
 * Plan against empty local state in a directory validateDir initialized, and `terraform show
 * -json` saves the plan as JSON.
 */
export function planDir(dir: string, plugins: { pluginDir: string; env: Record<string, string> }): TfStep[] & { plan?: TfPlan } {
  const steps: TfStep[] & { plan?: TfPlan } = [];
  const plan = planJson(dir, plugins, ['-out=validate.tfplan']);
  steps.push(plan);
  if (!plan.ok) return steps;
  const show = run('terraform', ['show', '-json', '-no-color', 'validate.tfplan'], dir, plugins.env);
  steps.push(step('show -json', show.status === 0 ? { ...show, stdout: '' } : show));
  if (show.status === 0) {
    writeFileSync(path.join(dir, 'plan.json'), show.stdout);
    steps.plan = JSON.parse(show.stdout) as TfPlan;
  }
  return steps;
}

export interface TfPlan {
  resource_changes?: {
    address: string;
    mode: string;
    type: string;
    change: { actions: string[]; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
  }[];
}

/** Resources per type a synthesized stack declares (cdk.tf.json's `resource` section). */
export function declaredCounts(tfJson: {
  resource?: Record<string, Record<string, { count?: unknown; for_each?: unknown }>>;
}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, byName] of Object.entries(tfJson.resource ?? {})) {
    for (const [name, r] of Object.entries(byName)) {
      if (r.count !== undefined || r.for_each !== undefined)
        throw new Error(`${type}.${name}: count/for_each: expand the expected count before comparing`);
      out[type] = (out[type] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * What a plan from empty state must show: every declared resource created, nothing else, and no
 * write-only value in the plan.
 */
export function checkPlan(tfJson: Parameters<typeof declaredCounts>[0], plan: TfPlan): string[] {
  const problems: string[] = [];
  const expected = declaredCounts(tfJson);
  const planned: Record<string, number> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    if (rc.change.actions.join(',') !== 'create') problems.push(`${rc.address}: actions ${rc.change.actions.join(',')}, expected create`);
    planned[rc.type] = (planned[rc.type] ?? 0) + 1;
    for (const [k, v] of Object.entries(rc.change.after ?? {})) {
      if (k.endsWith('_wo') && v !== null) problems.push(`${rc.address}: write-only ${k} appears in the plan`);
    }
  }
  for (const type of new Set([...Object.keys(expected), ...Object.keys(planned)])) {
    if ((expected[type] ?? 0) !== (planned[type] ?? 0))
      problems.push(`${type}: ${planned[type] ?? 0} planned for creation, ${expected[type] ?? 0} declared`);
  }
  return problems;
}
