/**
 * The rule the deploy pipeline is built on (deploy-environment.yml gives deploy-time values to
 * both `terraform plan` and `terraform apply`), checked with real Terraform on the dev stack:
 * an ephemeral variable must be set at apply exactly when it was set at plan, and the saved plan
 * never contains its value.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyStack, planDir, preparePlugins, ROOT, run } from '../../tools/validate/terraform';

jest.setTimeout(300_000);

let dir: string;
let plugins: ReturnType<typeof preparePlugins>;
let variable: string;

beforeAll(() => {
  const synth = run('node', [path.join(ROOT, 'tools', 'synth.mjs')], ROOT);
  if (synth.status !== 0) throw new Error(synth.stderr);
  const stackDir = path.join(ROOT, 'cdktf.out', 'stacks', 'dev');
  plugins = preparePlugins([path.join(stackDir, 'cdk.tf.json')]);
  dir = copyStack(stackDir, 'ephemeral-apply');
  const j = JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  variable = Object.entries(j.variable as Record<string, { ephemeral?: boolean }>).find(([, v]) => v.ephemeral)![0];
  const steps = planDir(dir, plugins); // plans without any deploy-time value
  expect(steps.every((s) => s.ok)).toBe(true);
});

const tf = (args: string[], env: Record<string, string> = {}) => run('terraform', args, dir, { ...plugins.env, ...env });

test('a value given only at apply is refused: it must be given to the plan too', () => {
  const r = tf(['apply', '-input=false', '-no-color', '-lock-timeout=60s', 'validate.tfplan'], { [`TF_VAR_${variable}`]: 'value-at-apply' });
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toContain('Ephemeral variable was not set during planning');
});

test('a value given to the plan is not in the saved plan, and must be given again at apply', () => {
  const value = 'canary-4f1d0c9e-value';
  const plan = tf(['plan', '-input=false', '-no-color', '-lock-timeout=60s', '-out=with-value.tfplan'], { [`TF_VAR_${variable}`]: value });
  expect(plan.status).toBe(0);
  expect(plan.stdout).not.toContain(value);
  const show = tf(['show', '-json', 'with-value.tfplan']);
  expect(show.stdout).not.toContain(value);
  expect(readFileSync(path.join(dir, 'with-value.tfplan')).includes(value)).toBe(false);
  const apply = tf(['apply', '-input=false', '-no-color', '-lock-timeout=60s', 'with-value.tfplan']);
  expect(apply.status).not.toBe(0);
  expect((apply.stdout + apply.stderr).replace(/\s+/g, ' ')).toContain('was set during the plan phase, and so must also be set during the apply phase');
});
