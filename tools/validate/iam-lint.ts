/**
 * parliament (PyPI, pinned) over IAM policies: actions that do not exist, condition keys that do
 * not apply, resources that cannot match an action. A wrong action name would otherwise surface
 * only at apply, in AWS. Findings with a reviewed reason live in security/parliament-ignores.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, run } from './terraform';

export const PARLIAMENT_VERSION = '1.6.4';

export interface IamFinding {
  file: string;
  issue: string;
  severity: string;
  detail: unknown;
}

function ensureParliament(): string {
  const venv = path.join(ROOT, '.build', 'parliament-venv');
  const py = path.join(venv, 'bin', 'python');
  if (existsSync(py) && run(py, ['-c', `import parliament; assert parliament.__version__ == "${PARLIAMENT_VERSION}"`], ROOT).status === 0) return py;
  const venvMade = run('python3', ['-m', 'venv', venv], ROOT);
  if (venvMade.status !== 0) throw new Error(`python3 -m venv ${venv} failed:\n${venvMade.stderr}`);
  const pip = run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `parliament==${PARLIAMENT_VERSION}`], ROOT);
  if (pip.status !== 0) throw new Error(`installing parliament failed:\n${pip.stderr}`);
  return py;
}

/** Findings for each policy (name -> policy JSON text). */
export function lintPolicies(policies: Record<string, string>): IamFinding[] {
  const py = ensureParliament();
  const r = spawnSync(py, [path.join(ROOT, 'tools', 'validate', 'lint_iam.py')], { input: JSON.stringify(policies), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`parliament failed:\n${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as IamFinding);
}

/** A finding as matched against the ignores (file reduced to the policy's name). */
export const describeFinding = (f: IamFinding) => JSON.stringify({ ...f, file: f.file.split('/').pop() });

/** Findings without a reviewed reason. */
export function openFindings(findings: IamFinding[]): IamFinding[] {
  const ignores = JSON.parse(readFileSync(path.join(ROOT, 'security', 'parliament-ignores.json'), 'utf8')) as { issue: string; match: string }[];
  return findings.filter((f) => !ignores.some((i) => i.issue === f.issue && describeFinding(f).includes(i.match)));
}
