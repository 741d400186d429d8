import { Construct } from 'constructs';
import { App, Lazy, LocalBackend, TerraformOutput, TerraformVariable, Token } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { StandaloneStack } from '../../stacks/standalone-stack';

/**
 * StandaloneStack skips cdktf's preparing pass and its second resolve of the merged document.
 * The whole-app test (foundation.test.ts) proves our stacks unchanged; this one covers the shapes
 * our stacks do not have today: several providers of one type (arrays that concatenate), outputs
 * nested in constructs, overrides that hold tokens or delete, a backend, variables.
 */
function build(stack: StandaloneStack, withBackend: boolean) {
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new AwsProvider(stack, 'aws-us', { region: 'us-east-1', alias: 'us' });
  if (withBackend) new LocalBackend(stack, { path: 'state.tfstate' });
  // A stack nested in the stack renders on its own, not into this one.
  new S3Bucket(new StandaloneStack(stack, 'inner'), 'inner-bucket', { bucket: 'inner' });
  const days = new TerraformVariable(stack, 'days', { type: 'number', default: 7 });
  const names = new TerraformVariable(stack, 'names', { type: 'list(string)' });
  const extra = new TerraformVariable(stack, 'extra_tags', { type: 'map(string)' });
  const group = new Construct(stack, 'group');
  const bucket = new S3Bucket(group, 'bucket', { bucket: 'b', tags: { Name: 'b' } });
  const role = new IamRole(group, 'role', { assumeRolePolicy: `{"Resource":"${bucket.arn}"}`, dependsOn: [bucket], managedPolicyArns: names.listValue, maxSessionDuration: days.numberValue });
  // Literal text that looks like Terraform or like a number stays as it is; token maps resolve.
  new S3Bucket(group, 'literal', { bucket: 'l', forceDestroy: true, tags: { Path: '${path.module}/x', Version: '1e+5', Empty: '' } });
  new S3Bucket(group, 'mapped', { bucket: 'm', tags: Token.asStringMap(extra.value) });
  new TerraformOutput(new Construct(group, 'nested'), 'arn', { value: role.arn });
  new TerraformOutput(stack, 'top', { value: bucket.id, sensitive: true });
  bucket.addOverride('lifecycle.ignore_changes', ['tags']);
  bucket.addOverride('tags', undefined);
  stack.addOverride('terraform.required_version', '>= 1.11.0');
  stack.addOverride(`locals.bucket_arn`, bucket.arn);
  stack.addOverride(`locals.days`, days.numberValue);
  stack.addOverride('locals.list', [bucket.id, role.name]);
  stack.addOverride('locals.sparse', ['a', undefined, 'b']);
  stack.addOverride('locals.days_text', `every ${days.numberValue} days`); // a number token inside text
  stack.addOverride('locals.gone', 'x');
  stack.addOverride('locals.gone', undefined);
  stack.addOverride('output.top.sensitive', undefined); // deletes what the output rendered
  stack.addOverride('locals.lazy', Lazy.anyValue({ produce: () => ({ days: days.numberValue }) }));
}

function synthBoth(withBackend = true) {
  const app = new App({ outdir: '/tmp/unused', skipValidation: true });
  const fast = new StandaloneStack(app, 'fast');
  const full = new StandaloneStack(app, 'full', true);
  build(fast, withBackend);
  build(full, withBackend);
  const tf = (s: StandaloneStack) => JSON.parse(JSON.stringify(s.toTerraform()).replaceAll('full', 'STACK').replaceAll('fast', 'STACK'));
  return { fast: tf(fast), full: tf(full) };
}

test('renders exactly what cdktf renders, for providers, outputs, overrides, backend and variables', () => {
  const { fast, full } = synthBoth();
  expect(fast).toEqual(full);
  // The shapes this test exists for are really there (so the comparison can fail).
  expect(fast.provider.aws).toHaveLength(2);
  expect(fast.output).toHaveProperty('top');
  expect(Object.keys(fast['//'].outputs.STACK.group.nested)).toEqual(['arn']);
  expect(fast.locals.bucket_arn).toMatch(/^\$\{aws_s3_bucket\.group_bucket_[0-9A-F]+\.arn\}$/);
  expect(fast.locals.days).toBe('${var.days}');
  expect(fast.locals.list).toHaveLength(2);
  expect(fast.locals.sparse).toEqual(['a', 'b']);
  expect(fast.locals.days_text).toBe('every ${var.days} days');
  expect(fast.terraform.backend.local.path).toBe('state.tfstate');
  const bucket = Object.values(fast.resource.aws_s3_bucket)[0] as Record<string, unknown>;
  expect(bucket).not.toHaveProperty('tags');
  expect(bucket.lifecycle).toEqual({ ignore_changes: ['tags'] });
  expect(fast['//'].metadata.overrides.stack).toEqual(['terraform', 'locals', 'output']);
  const roleTf = Object.values(fast.resource.aws_iam_role)[0] as Record<string, unknown>;
  expect(roleTf.managed_policy_arns).toBe('${var.names}');
  expect(roleTf.max_session_duration).toBe('${var.days}');
  const buckets = Object.values(fast.resource.aws_s3_bucket) as Array<Record<string, any>>;
  expect(buckets.find((b) => b.bucket === 'l')!.tags).toEqual({ Path: '${path.module}/x', Version: '1e+5', Empty: '' });
  expect(buckets.find((b) => b.bucket === 'm')!.tags).toBe('${var.extra_tags}');
  expect(fast.locals).not.toHaveProperty('gone');
  expect(fast.locals.lazy).toEqual({ days: '${var.days}' });
  expect(fast.output.top).not.toHaveProperty('sensitive');
  expect(full.output.top).not.toHaveProperty('sensitive');
});

test('without a backend (before synth adds one) it still matches, local by default', () => {
  const { fast, full } = synthBoth(false);
  expect(fast).toEqual(full);
  expect(fast['//'].metadata.backend).toBe('local');
  expect(fast.resource.aws_s3_bucket).not.toHaveProperty(['inner-bucket']);
  expect(JSON.stringify(fast)).not.toContain('inner');
});

test('a function where data belongs is refused by both, as cdktf refuses it', () => {
  const app = new App({ outdir: '/tmp/unused', skipValidation: true });
  const stacks = [new StandaloneStack(app, 'fast'), new StandaloneStack(app, 'full', true)];
  for (const st of stacks) {
    new AwsProvider(st, 'aws', { region: 'eu-west-1' });
    st.addOverride('locals.fn', () => 1);
    expect(() => st.toTerraform()).toThrow(/function/i);
  }
});
