/**
 * The CI-access bootstrap stack, structurally: who can assume each role (the OIDC claims and the
 * human trust), that every pipeline and operator role has a boundary, the code signing the
 * environment stack must deploy under, and that the roles follow the environment stack's types
 * and names. What the roles can and cannot do is proven by simulation (`npm run access`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import { teamCatalogs } from '../support/fixtures';
import { GITHUB } from '../../catalogs/project';
import { ciAccessInput, LAMBDA_INVOKERS, planCiAccess, WORKFLOWS } from '../../plan/ci-access';
import { planEnvironment } from '../../plan/plan';
import { POLICY_LIMITS } from '../../plan/policy';
import { synthesizedTypes, terraformCalls } from '../../plan/terraform-calls';
import { synthesizedTypesOf } from '../../stacks/ci-access-stack';
import { resources, synth, type Synthesized, type TfJson } from '../support/synth';

// The fixture team (__tests__/support/fixtures.ts): three environments, every kind of resource.
const ENVIRONMENTS = teamCatalogs();

let out: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
});

type St = { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: any; Condition?: any };
const doc = (s: string): { Statement: St[] } => JSON.parse(s);
const actions = (st: St) => [st.Action].flat();
const roleNamed = (stack: TfJson, name: string) => {
  const hit = resources(stack, 'aws_iam_role').find(([, r]) => r.name === name);
  if (!hit) throw new Error(`no role ${name}`);
  return hit[1];
};
const policyOf = (stack: TfJson, ref: string) => {
  const name = /^\$\{aws_iam_policy\.([^.]+)\.arn\}$/.exec(ref)![1];
  return stack.resource!.aws_iam_policy[name];
};
const OIDC = 'token.actions.githubusercontent.com';

describe.each(ENVIRONMENTS.map((e) => e.name))('ci-access-%s', (envName) => {
  const stack = () => out.stacks[`ci-access-${envName}`];

  test('creates the GitHub OIDC provider for STS only', () => {
    const [[, p]] = resources(stack(), 'aws_iam_openid_connect_provider');
    expect(p.url).toBe(`https://${OIDC}`);
    expect(p.client_id_list).toEqual(['sts.amazonaws.com']);
  });

  test.each([
    ['secrets-platform-plan-pr', 'pull_request:ref:refs/pull/*/merge', WORKFLOWS.pullRequest, 'refs/pull/*/merge'],
    ['secrets-platform-plan', `environment:${envName}-plan:ref:refs/heads/main`, WORKFLOWS.deploy, 'refs/heads/main'],
    ['secrets-platform-deploy', `environment:${envName}:ref:refs/heads/main`, WORKFLOWS.deploy, 'refs/heads/main'],
    ['secrets-platform-values', `environment:${envName}:ref:refs/heads/main`, WORKFLOWS.values, 'refs/heads/main'],
  ])('%s trusts one job of this repository, pinned by repository and owner id', (role, sub, workflow, ref) => {
    const trust = doc(roleNamed(stack(), role).assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    const [st] = trust.Statement;
    expect(st.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.keys(st.Principal)).toEqual(['Federated']);
    const eq = st.Condition.StringEquals;
    expect(eq[`${OIDC}:aud`]).toBe('sts.amazonaws.com');
    expect(eq[`${OIDC}:repository_id`]).toBe(GITHUB.repositoryId);
    expect(eq[`${OIDC}:repository_owner_id`]).toBe(GITHUB.ownerId);
    const claims = sub.includes('*') ? st.Condition.StringLike : eq;
    expect(claims[`${OIDC}:sub`]).toBe(`repo:${GITHUB.repository}:${sub}`);
    expect(claims[`${OIDC}:job_workflow_ref`]).toBe(`${GITHUB.repository}/${workflow}@${ref}`);
    expect(JSON.stringify(trust).length).toBeLessThanOrEqual(POLICY_LIMITS.iamTrustPolicy);
  });

  test('the deploy and values roles cannot be told apart by subject alone: their workflow refs differ', () => {
    const ref = (role: string) =>
      doc(roleNamed(stack(), role).assume_role_policy).Statement[0].Condition.StringEquals[`${OIDC}:job_workflow_ref`];
    expect(ref('secrets-platform-deploy')).not.toBe(ref('secrets-platform-values'));
  });

  test('human roles trust an IAM Identity Center permission set (or MFA principals), never a web identity', () => {
    for (const role of ['secrets-platform-break-glass', 'secrets-platform-operator']) {
      const trust = doc(roleNamed(stack(), role).assume_role_policy);
      for (const st of trust.Statement) {
        expect(st.Action).toBe('sts:AssumeRole');
        expect(st.Principal.Federated).toBeUndefined();
        const sso = st.Condition?.ArnLike?.['aws:PrincipalArn'];
        const mfa = st.Condition?.Bool?.['aws:MultiFactorAuthPresent'];
        expect([role, !!sso || mfa === 'true']).toEqual([role, true]);
        if (sso) expect(sso).toMatch(/:role\/aws-reserved\/sso\.amazonaws\.com\/\*AWSReservedSSO_SecretsPlatform\w+_\*$/);
      }
    }
  });

  test('every pipeline role and the operator carry a boundary that denies every value read', () => {
    for (const role of [
      'secrets-platform-plan-pr',
      'secrets-platform-plan',
      'secrets-platform-deploy',
      'secrets-platform-values',
      'secrets-platform-operator',
    ]) {
      const r = roleNamed(stack(), role);
      expect([role, typeof r.permissions_boundary]).toEqual([role, 'string']);
      const boundary = policyOf(stack(), r.permissions_boundary);
      expect(boundary.name).toBe(`${role}-boundary`);
      const denies = doc(boundary.policy).Statement.filter((s) => s.Effect === 'Deny' && !s.Condition);
      expect(denies.flatMap(actions)).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'sts:AssumeRole']),
      );
      expect(boundary.policy.length).toBeLessThanOrEqual(POLICY_LIMITS.iamManagedPolicy);
    }
  });

  test('the deploy boundary makes every role it creates or changes carry the workload boundary', () => {
    const boundary = doc(policyOf(stack(), roleNamed(stack(), 'secrets-platform-deploy').permissions_boundary).policy);
    const st = boundary.Statement.find((s) => s.Sid === 'EveryRoleCarriesTheWorkloadBoundary')!;
    expect(st.Effect).toBe('Deny');
    expect(actions(st)).toEqual(
      expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary']),
    );
    const workload = resources(stack(), 'aws_iam_policy').find(([, p]) => p.name === 'secrets-platform-workload-boundary')!;
    expect(st.Condition.StringNotEquals['iam:PermissionsBoundary']).toMatch(/:policy\/secrets-platform-workload-boundary$/);
    expect(workload).toBeDefined();
  });

  test('code signing: an Enforce config trusting only the profile, its ARN handed over in an SSM parameter', () => {
    const [[cscName, csc]] = resources(stack(), 'aws_lambda_code_signing_config');
    expect(csc.policies.untrusted_artifact_on_deployment).toBe('Enforce');
    const [[profileName, profile]] = resources(stack(), 'aws_signer_signing_profile');
    expect(csc.allowed_publishers.signing_profile_version_arns).toEqual([`\${aws_signer_signing_profile.${profileName}.version_arn}`]);
    expect(profile.platform_id).toBe('AWSLambda-SHA384-ECDSA');
    const [[, param]] = resources(stack(), 'aws_ssm_parameter');
    expect(param).toMatchObject({
      name: `/secrets-platform/${envName}/code-signing-config-arn`,
      type: 'String',
      insecure_value: `\${aws_lambda_code_signing_config.${cscName}.arn}`,
    });
    // The deploy role's policies and boundary name the config itself, not an estimate.
    const deploy = roleNamed(stack(), 'secrets-platform-deploy');
    const boundary = policyOf(stack(), deploy.permissions_boundary).policy;
    expect(boundary).toContain(`\${aws_lambda_code_signing_config.${cscName}.arn}`);
    expect(boundary).not.toContain('csc-0123456789abcdef0');
  });

  test('every role the deploy role may touch lives under the workload path; the CI roles do not', () => {
    for (const [, r] of resources(stack(), 'aws_iam_role')) expect(r.path ?? '/').toBe('/');
    for (const [, r] of resources(out.stacks[envName], 'aws_iam_role')) expect([r.name, r.path]).toEqual([r.name, '/secrets-platform/']);
  });

  test('every permission the environment stack grants on a function is one the deploy role may add (lambda:Principal)', () => {
    const perms = resources(out.stacks[envName], 'aws_lambda_permission');
    for (const [name, p] of perms) expect([name, LAMBDA_INVOKERS.includes(p.principal)]).toEqual([name, true]);
    const boundary = doc(policyOf(stack(), roleNamed(stack(), 'secrets-platform-deploy').permissions_boundary).policy);
    expect(boundary.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'lambda:AddPermission',
        Condition: { StringNotEquals: { 'lambda:Principal': LAMBDA_INVOKERS } },
      }),
    );
  });

  test('every secret policy the environment stack puts blocks public access, and the deploy role may put no other', () => {
    const policies = resources(out.stacks[envName], 'aws_secretsmanager_secret_policy');
    expect(policies.length).toBeGreaterThan(0);
    for (const [name, p] of policies) expect([name, p.block_public_policy]).toEqual([name, true]);
    const deploy = roleNamed(stack(), 'secrets-platform-deploy');
    const identity = resources(stack(), 'aws_iam_policy')
      .filter(([, p]) => /^secrets-platform-deploy-\d+$/.test(p.name))
      .flatMap(([, p]) => doc(p.policy).Statement);
    const puts = identity.filter((st) => st.Effect === 'Allow' && actions(st).includes('secretsmanager:PutResourcePolicy'));
    expect(puts.length).toBeGreaterThan(0);
    for (const st of puts) expect(st.Condition?.Bool).toEqual({ 'secretsmanager:BlockPublicPolicy': 'true' });
    const boundary = doc(policyOf(stack(), deploy.permissions_boundary).policy);
    expect(boundary.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'secretsmanager:PutResourcePolicy',
        Resource: '*',
        Condition: { BoolIfExists: { 'secretsmanager:BlockPublicPolicy': 'false' } },
      }),
    );
  });
});

test('the types the roles are derived from are the types the environment stack synthesizes', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'ci-access-'));
  const { stacks } = synthApp([ENVIRONMENTS.find((e) => e.name === 'production')!], { outdir, inventory: false });
  const synthesized = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'production', 'cdk.tf.json'), 'utf8'));
  // Ephemeral resources are not constructs (V1 removes the last one); the rest must agree exactly.
  const fromJson = synthesizedTypes(synthesized).filter((t) => t.kind !== 'ephemeral');
  const fromConstructs = synthesizedTypesOf(stacks[0]);
  const key = (t: { kind: string; type: string }) => `${t.kind} ${t.type}`;
  expect(fromConstructs.map(key).sort()).toEqual(fromJson.map(key).sort());
  // Every argument the JSON sets is seen on the constructs too (a call made only for it is granted).
  for (const t of fromJson) {
    const c = fromConstructs.find((x) => key(x) === key(t))!;
    expect([key(t), t.attrs.filter((a) => !c.attrs.includes(a))]).toEqual([key(t), []]);
  }
});

test('a type without a manifest entry stops the synth, naming the type and the fix', () => {
  const plan = planEnvironment(ENVIRONMENTS.find((e) => e.name === 'production')!);
  const input = ciAccessInput(plan, [{ kind: 'resource', type: 'aws_rds_cluster', attrs: [] }]);
  expect(() => planCiAccess(input, terraformCalls())).toThrow(
    /resource aws_rds_cluster has no entry aws_rds_cluster in plan\/terraform-calls\.json; read what the AWS provider calls/,
  );
});

test("a role whose boundary would exceed AWS's managed-policy size stops the synth", () => {
  const plan = planEnvironment(ENVIRONMENTS.find((e) => e.name === 'production')!);
  const tf = synth([ENVIRONMENTS.find((e) => e.name === 'production')!]).stacks.production;
  const input = ciAccessInput(plan, synthesizedTypes(tf));
  const long = {
    ...input,
    roles: { ...input.roles, breakGlass: 'x'.repeat(64) },
    humans: {
      ...input.humans,
      operator: { mfaPrincipals: Array.from({ length: 80 }, (_, n) => `arn:aws:iam::123456789012:user/operator-${n}-${'y'.repeat(20)}`) },
    },
  };
  expect(() => planCiAccess(long, terraformCalls())).toThrow(
    /trust policy of secrets-platform-operator is \d+ characters, over AWS's 2048/,
  );
});

test('only the human roles trust an account root, and each narrows it (the reason checkov CKV_AWS_61 is skipped)', () => {
  const human = new Set(['secrets-platform-break-glass', 'secrets-platform-operator']);
  let narrowed = 0;
  for (const [stackName, stack] of Object.entries(out.stacks)) {
    for (const [, r] of resources(stack, 'aws_iam_role')) {
      for (const st of doc(r.assume_role_policy).Statement) {
        const principals = [st.Principal?.AWS ?? []].flat() as string[];
        if (!principals.some((p) => /^(\d{12}|arn:[^:]+:iam::\d{12}:root)$/.test(p))) continue;
        expect([stackName, r.name, human.has(r.name)]).toEqual([stackName, r.name, true]);
        expect([r.name, st.Condition?.ArnLike?.['aws:PrincipalArn']]).toEqual([
          r.name,
          expect.stringMatching(/:role\/aws-reserved\/sso\.amazonaws\.com\/\*AWSReservedSSO_\w+_\*$/),
        ]);
        narrowed++;
      }
    }
  }
  expect(narrowed).toBeGreaterThanOrEqual(ENVIRONMENTS.length * 2);
});

test('deleting a secret for good is denied to the deploy role and the operator unless a secret of the catalog deletes at once', () => {
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
  const tf = synth([dev]).stacks.dev;
  const forceDeny = (env: typeof dev) => {
    const access = planCiAccess(ciAccessInput(planEnvironment(env), synthesizedTypes(tf)), terraformCalls());
    const deletes = (who: 'deploy' | 'operator' | 'breakGlass') =>
      access.roles[who].policies
        .flatMap((d) => d.Statement)
        .filter(
          (st) => st.Effect === 'Allow' && [st.Action].flat().some((a) => a === 'secretsmanager:DeleteSecret' || a === 'secretsmanager:*'),
        );
    const denied = (who: 'deploy' | 'operator' | 'breakGlass') =>
      (access.roles[who].boundary?.document.Statement ?? []).some(
        (st) =>
          st.Effect === 'Deny' &&
          [st.Action].flat().includes('secretsmanager:DeleteSecret') &&
          st.Condition?.Bool?.['secretsmanager:ForceDeleteWithoutRecovery'] === 'true',
      );
    for (const who of ['deploy', 'operator', 'breakGlass'] as const) expect([who, deletes(who).length > 0]).toEqual([who, true]);
    return [
      // The deploy role: its one DeleteSecret allows no force (its boundary has no room).
      deletes('deploy').every((st) => st.Condition?.BoolIfExists?.['secretsmanager:ForceDeleteWithoutRecovery'] === 'false'),
      denied('operator'),
      denied('breakGlass') || deletes('breakGlass').some((st) => st.Condition),
    ];
  };
  // The shipped catalog: every window is 7 days or more; break-glass may still delete for good.
  expect(forceDeny(dev)).toEqual([true, true, false]);
  // A dev catalog (fixture) with one secret that deletes at once (the rules allow 0 in dev only).
  const [first, ...rest] = dev.secrets;
  const atOnce = { ...dev, secrets: [{ ...first, recoveryWindowDays: 0 }, ...rest] };
  expect(planEnvironment(atOnce).secrets.find((s) => s.name === planEnvironment(dev).secrets[0].name)?.recoveryWindowDays).toBe(0);
  expect(forceDeny(atOnce)).toEqual([false, false, false]);
});
