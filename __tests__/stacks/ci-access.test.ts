/**
 * The CI-access bootstrap stack: who can assume the plan and deploy roles, and what they can do.
 * Checks the synthesized policies (literal JSON) against the pipeline's rules (docs/pipeline.md).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import { deployPolicies, DEPLOY_PERMISSIONS, environmentSubject, pullRequestSubject } from '../../modules/ci-access';
import { POLICY_LIMITS } from '../../plan/policy';
import { resourceTypesOf } from '../../stacks/ci-access-stack';
import { ENVIRONMENTS } from '../../catalogs';
import { NAME_PREFIX, stateBackendFor } from '../../catalogs/project';
import { resources, synth, Synthesized, TfJson } from '../support/synth';

let out: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
});

const REPO = 'example-org/secrets-platform';
type St = { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: any; Condition?: any };
const doc = (s: string): { Statement: St[] } => JSON.parse(s);
const actions = (st: St) => [st.Action].flat();
const res = (st: St) => [st.Resource ?? []].flat();
const roleNamed = (stack: TfJson, name: string) => resources(stack, 'aws_iam_role').find(([, r]) => r.name === name)![1];

describe.each(ENVIRONMENTS.map((e) => e.name))('ci-access-%s', (envName) => {
  const env = ENVIRONMENTS.find((e) => e.name === envName)!;
  const stack = () => out.stacks[`ci-access-${envName}`];
  const prefix = NAME_PREFIX[env.name];

  test('creates the GitHub OIDC provider for STS only', () => {
    const [[, p]] = resources(stack(), 'aws_iam_openid_connect_provider');
    expect(p.url).toBe('https://token.actions.githubusercontent.com');
    expect(p.client_id_list).toEqual(['sts.amazonaws.com']);
  });

  test('the plan role trusts only pull requests of this repository, through OIDC', () => {
    const trust = doc(roleNamed(stack(), 'secrets-platform-plan').assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    const [st] = trust.Statement;
    expect(st.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.keys(st.Principal)).toEqual(['Federated']);
    expect(st.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(st.Condition.StringLike['token.actions.githubusercontent.com:sub']).toBe(pullRequestSubject(REPO));
    expect(pullRequestSubject(REPO)).toBe('repo:example-org/secrets-platform:pull_request:ref:refs/pull/*/merge');
  });

  test('the plan role reads state and nothing else: no secret values, no other key, no other role', () => {
    const [[, inline]] = resources(stack(), 'aws_iam_role_policy');
    expect(inline.role).toContain('plan-role');
    const p = doc(inline.policy);
    const allowed = p.Statement.filter((s) => s.Effect === 'Allow');
    const state = stateBackendFor(env);
    expect(allowed.flatMap(actions).sort()).toEqual(['dynamodb:GetItem', 'kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    for (const st of allowed) {
      for (const r of res(st)) expect(r).toMatch(new RegExp(`${state.bucket}|table/${state.lockTable}$|:key/\\*$`));
    }
    const decrypt = allowed.find((s) => actions(s).includes('kms:Decrypt'))!;
    expect(decrypt.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toBe(state.keyAlias);
    expect(decrypt.Condition.StringEquals['kms:ViaService']).toEqual([`s3.${state.region}.amazonaws.com`, `dynamodb.${state.region}.amazonaws.com`]);
    const denied = p.Statement.filter((s) => s.Effect === 'Deny').flatMap(actions);
    expect(denied).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'sts:AssumeRole', 'kms:Decrypt']));
    expect(inline.policy.length).toBeLessThanOrEqual(POLICY_LIMITS.iamInlinePoliciesPerRole);
    // No managed policy is attached to the plan role.
    for (const [, a] of resources(stack(), 'aws_iam_role_policy_attachment')) expect(a.role).not.toContain('plan-role');
  });

  test('the deploy role trusts this repository on main in the environment and its plan environment only', () => {
    const role = roleNamed(stack(), 'secrets-platform-deploy');
    const [st] = doc(role.assume_role_policy).Statement;
    expect(Object.keys(st.Principal)).toEqual(['Federated']); // no AWS principal: the plan role cannot chain into it
    expect(st.Condition.StringLike).toBeUndefined();
    expect(st.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(st.Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([environmentSubject(REPO, env.name), environmentSubject(REPO, `${env.name}-plan`)]);
    expect(environmentSubject(REPO, 'production')).toBe('repo:example-org/secrets-platform:environment:production:ref:refs/heads/main');
    expect(role.assume_role_policy.length).toBeLessThanOrEqual(POLICY_LIMITS.iamTrustPolicy);
    expect(role.permissions_boundary).toMatch(/^\$\{aws_iam_policy\.ci_deploy-boundary_\w+\.arn\}$/);
  });

  test('the deploy policies: no wildcard services, no AWS managed policy, names scoped to the environment', () => {
    const policies = resources(stack(), 'aws_iam_policy').filter(([, p]) => /deploy-\d+$/.test(p.name));
    expect(policies.length).toBeGreaterThan(0);
    for (const [, a] of resources(stack(), 'aws_iam_role_policy_attachment')) expect(a.policy_arn).not.toMatch(/arn:aws:iam::aws:policy/);
    for (const [, p] of policies) {
      expect(p.policy.length).toBeLessThanOrEqual(POLICY_LIMITS.iamManagedPolicy);
      for (const st of doc(p.policy).Statement) {
        expect(st.Effect).toBe('Allow');
        for (const a of actions(st)) expect(a).not.toMatch(/^\*$|:\*$|^iam:\*|^sts:/);
        for (const r of res(st)) {
          if (r === '*') {
            // Only actions without resource-level permissions, and creation only with our tag.
            // (AWS's Service Authorization Reference lists no resource type for these.)
            const NO_RESOURCE_LEVEL = /:(Describe|List|Get)\w*$|^secretsmanager:GetRandomPassword$|^kms:CreateKey$|^lambda:CreateCodeSigningConfig$|^signer:PutSigningProfile$|^sns:(Unsubscribe|SetSubscriptionAttributes)$/;
            for (const a of actions(st)) expect(a).toMatch(NO_RESOURCE_LEVEL);
            if (actions(st).some((a) => /^kms:CreateKey$|^signer:PutSigningProfile$/.test(a))) expect(st.Condition.StringEquals['aws:RequestTag/Project']).toBe('secrets-platform');
            continue;
          }
          if (r.startsWith('arn:aws:secretsmanager')) expect(r).toBe(`arn:aws:secretsmanager:*:${env.accountId}:secret:${prefix}/*`);
          if (r.startsWith('arn:aws:iam')) expect(r).toMatch(new RegExp(`^arn:aws:iam::${env.accountId}:role/${prefix}-`));
          if (r.startsWith('arn:aws:lambda')) expect([`arn:aws:lambda:*:${env.accountId}:function:${prefix}-secrets-rotation-*`, `arn:aws:lambda:*:${env.accountId}:code-signing-config:*`]).toContain(r);
          if (r.startsWith('arn:aws:s3')) expect(r).toMatch(new RegExp(`^arn:aws:s3:::(secrets-platform-tfstate-${env.accountId}-[a-z0-9-]+/secrets-platform/${env.name}/\\*|secrets-platform-tfstate-${env.accountId}-[a-z0-9-]+|secrets-platform-artifacts-${env.accountId}-\\*(/\\*)?)$`));
          expect(r).not.toMatch(/^arn:aws:[a-z0-9-]+:\*:\*:/); // never another account
        }
      }
    }
  });

  test('the deploy role can pass only rotation roles to Lambda and the event-forwarding role to EventBridge', () => {
    const all = resources(stack(), 'aws_iam_policy').filter(([, p]) => /deploy-\d+$/.test(p.name)).flatMap(([, p]) => doc(p.policy).Statement);
    const pass = all
      .filter((s) => actions(s).includes('iam:PassRole'))
      .map((s) => [s.Resource, s.Condition.StringEquals['iam:PassedToService']])
      .sort();
    expect(pass).toEqual([
      [`arn:aws:iam::${env.accountId}:role/${prefix}-secrets-events-forward`, 'events.amazonaws.com'],
      [`arn:aws:iam::${env.accountId}:role/${prefix}-secrets-rotation-*`, 'lambda.amazonaws.com'],
    ]);
  });

  test('the boundary cannot be lifted and keeps the deploy role away from users, keys and the CI roles', () => {
    const [, b] = resources(stack(), 'aws_iam_policy').find(([, p]) => p.name === 'secrets-platform-deploy-boundary')!;
    const st = doc(b.policy).Statement;
    const denied = st.filter((s) => s.Effect === 'Deny');
    expect(denied.flatMap(actions)).toEqual(expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey', 'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary']));
    const ciRoles = denied.find((s) => s.Sid === 'CiRolesAreNotOursToChange')!;
    expect(res(ciRoles)).toEqual(expect.arrayContaining([`arn:aws:iam::${env.accountId}:role/secrets-platform-deploy`, `arn:aws:iam::${env.accountId}:role/secrets-platform-plan`]));
    for (const s of st.filter((x) => x.Effect === 'Allow')) for (const a of actions(s)) expect(a).not.toMatch(/^\*|^iam:\*|^sts:/);
  });
});

/** IAM's wildcard match of a policy resource or action against a concrete one. */
const globMatch = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

describe.each(ENVIRONMENTS.map((e) => e.name))('the deploy role of %s can create every named resource its stack declares', (envName) => {
  const env = ENVIRONMENTS.find((e) => e.name === envName)!;
  const at = (service: string, resource: string) => `arn:aws:${service}:${env.region}:${env.accountId}:${resource}`;
  // The action that creates each named type, and the ARN AWS evaluates it on.
  const CREATE: Record<string, [string, (r: any) => string]> = {
    aws_secretsmanager_secret: ['secretsmanager:CreateSecret', (r) => at('secretsmanager', `secret:${r.name}-AbCdEf`)],
    aws_iam_role: ['iam:CreateRole', (r) => `arn:aws:iam::${env.accountId}:role/${r.name}`],
    aws_lambda_function: ['lambda:CreateFunction', (r) => at('lambda', `function:${r.function_name}`)],
    aws_cloudwatch_log_group: ['logs:CreateLogGroup', (r) => at('logs', `log-group:${r.name}`)],
    aws_cloudwatch_metric_alarm: ['cloudwatch:PutMetricAlarm', (r) => at('cloudwatch', `alarm:${r.alarm_name}`)],
    aws_cloudwatch_event_rule: ['events:PutRule', (r) => at('events', `rule/${r.name}`)],
    aws_sns_topic: ['sns:CreateTopic', (r) => at('sns', r.name)],
    aws_kms_alias: ['kms:CreateAlias', (r) => at('kms', r.name)],
    aws_s3_bucket: ['s3:CreateBucket', (r) => `arn:aws:s3:::${r.bucket}`],
    aws_signer_signing_profile: ['signer:GetSigningProfile', (r) => at('signer', `/signing-profiles/${r.name}`)],
  };

  test('names fall inside the prefixes the deploy policies allow', () => {
    const statements = resources(out.stacks[`ci-access-${envName}`], 'aws_iam_policy')
      .filter(([, p]) => /deploy-\d+$/.test(p.name))
      .flatMap(([, p]) => doc(p.policy).Statement);
    let checked = 0;
    for (const [type, [action, arnOf]] of Object.entries(CREATE)) {
      for (const [name, r] of resources(out.stacks[envName], type)) {
        const target = arnOf(r);
        const allowed = statements.some((st) => st.Effect === 'Allow' && actions(st).some((a) => globMatch(a, action)) && res(st).some((p) => globMatch(p, target)));
        expect([type, name, target, allowed]).toEqual([type, name, target, true]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

test('the name check bites: a name outside the prefix is not allowed', () => {
  expect(globMatch('arn:aws:iam::1:role/prod-*', 'arn:aws:iam::1:role/prod-x')).toBe(true);
  expect(globMatch('arn:aws:iam::1:role/prod-*', 'arn:aws:iam::1:role/admin')).toBe(false);
  expect(globMatch('logs:Create*', 'logs:CreateLogGroup')).toBe(true);
});

test('deploy permissions follow the environment stack: every resource type it declares has them', () => {
  const types = Object.keys(out.stacks.production.resource ?? {});
  expect(types.length).toBeGreaterThan(15);
  for (const t of types) expect([t, typeof DEPLOY_PERMISSIONS[t]]).toEqual([t, 'function']);
});

test('a resource type without written-down permissions stops the synth with the fix', () => {
  const scope = { accountId: '123456789012', regions: ['us-east-1'], prefix: 'prod', project: 'secrets-platform', state: { bucket: 'b', keyPrefix: 'k/', lockTable: 't', keyAlias: 'alias/a', region: 'us-east-1' } };
  expect(() => deployPolicies(scope, ['aws_secretsmanager_secret', 'aws_rds_cluster'])).toThrow(/no deploy permissions are written down for aws_rds_cluster: add them to DEPLOY_PERMISSIONS/);
});

test('resourceTypesOf reads the types from the constructs: exactly the types the stack synthesizes', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'ci-access-'));
  const { stacks } = synthApp([ENVIRONMENTS.find((e) => e.name === 'production')!], { outdir, inventory: false });
  const synthesized = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'production', 'cdk.tf.json'), 'utf8'));
  expect(resourceTypesOf(stacks[0])).toEqual(Object.keys(synthesized.resource).sort());
});
