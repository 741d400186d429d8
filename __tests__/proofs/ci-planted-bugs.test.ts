/**
 * The CI proof must reject the bugs that made the deploy path unsafe or broken. Each case plants
 * one bug into the synthesized production bootstrap (ci-access-production) and runs the CI proof;
 * the proof must name the job, the principal and the action. A clean run over the same stacks
 * finds nothing, so every finding below is the planted bug's.
 */
import { teamEnvironment } from '../support/fixtures';
import { planEnvironment } from '../../plan/plan';
import { terraformCalls } from '../../plan/terraform-calls';
import { type CiFinding, formatCiFinding } from '../../tools/access/ci-proof';
import { ciProofInput, proveCi } from '../../tools/access/ci-run';
import type { Json, TfJson } from '../../tools/access/model';
import { synth } from '../support/synth';

// The fixture team's production (__tests__/support/fixtures.ts).
const production = teamEnvironment('production');

jest.setTimeout(120_000);

let stacks: { env: TfJson; ci: TfJson; backend: TfJson };
beforeAll(() => {
  const out = synth([production]).stacks;
  stacks = { env: out.production as TfJson, ci: out['ci-access-production'] as TfJson, backend: out['state-backend-production'] as TfJson };
});

const prove = async (ci: TfJson) =>
  (await proveCi(ciProofInput('production', planEnvironment(production), { ...stacks, ci }, terraformCalls()))).findings;

/** The bootstrap with one role's managed policies edited (statement by statement). */
function editPolicies(namePattern: RegExp, edit: (statements: Json[]) => Json[]): TfJson {
  const ci = structuredClone(stacks.ci) as Json;
  let touched = 0;
  for (const p of Object.values<Json>(ci.resource.aws_iam_policy)) {
    if (!namePattern.test(p.name)) continue;
    const doc = JSON.parse(p.policy);
    const before = JSON.stringify(doc.Statement);
    doc.Statement = edit(doc.Statement);
    if (JSON.stringify(doc.Statement) !== before) touched++;
    p.policy = JSON.stringify(doc);
  }
  if (touched === 0) throw new Error(`the plant changed no policy named ${namePattern}`);
  return ci;
}

const actions = (st: Json): string[] => [st.Action].flat();

/** A statement without the named keys of one condition operator (an operator or Condition left empty goes too). */
function withoutKeys(st: Json, op: string, ...keys: string[]): Json {
  if (!keys.some((k) => st.Condition?.[op]?.[k] !== undefined)) return st;
  const kept = Object.fromEntries(Object.entries(st.Condition[op]).filter(([k]) => !keys.includes(k)));
  const { [op]: _op, ...others } = st.Condition;
  const condition = Object.keys(kept).length > 0 ? { ...others, [op]: kept } : others;
  return { ...st, Condition: Object.keys(condition).length > 0 ? condition : undefined };
}

/** The statements without the boundary's guard `sid` and without the condition key that pins the call. */
const unguarded = (sid: string, op: string, key: string) => (sts: Json[]) =>
  sts.filter((st) => st.Sid !== sid).map((st) => withoutKeys(st, op, key));
const expectOnly = (findings: CiFinding[], pred: (f: CiFinding) => boolean) => {
  expect(findings.length).toBeGreaterThan(0);
  expect(findings.filter((f) => !pred(f)).map(formatCiFinding)).toEqual([]);
};

test('the unmodified stacks pass (the baseline every planted bug departs from)', async () => {
  expect((await prove(stacks.ci)).map(formatCiFinding)).toEqual([]);
});

test('1. the deploy role without KMS through Secrets Manager: apply cannot create or replicate a secret under its key', async () => {
  const ci = editPolicies(/^secrets-platform-deploy-\d+$/, (sts) =>
    sts.filter((st) => !JSON.stringify(st.Condition?.StringEquals?.['kms:ViaService'] ?? '').includes('secretsmanager.')),
  );
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action.startsWith('kms:') && f.expected === 'Allowed');
  expect(
    findings.some(
      (f) =>
        f.job === 'deploy-environment.yml apply' && /aws_secretsmanager_secret\..* (create|update) \(CreateSecret|UpdateSecret/.test(f.why),
    ),
  ).toBe(true);
});

test('2. iam:CreateRole without the permissions-boundary condition: the proof names the escalation', async () => {
  const ci = editPolicies(/^secrets-platform-deploy-\d+$/, (sts) =>
    sts.map((st) => {
      if (!actions(st).includes('iam:CreateRole')) return st;
      const { ['iam:PermissionsBoundary']: _dropped, ...rest } = st.Condition.StringEquals;
      return { ...st, Condition: { ...st.Condition, StringEquals: rest } };
    }),
  );
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action === 'iam:CreateRole');
  expect(findings.map((f) => f.why)).toContain(
    "iam:CreateRole without the workload boundary (the role's own policies allow it; only the boundary or a resource policy stops it)",
  );
});

test('3. the PR plan role without what plan -refresh=false calls (the code-signing parameter, a data source)', async () => {
  const ci = editPolicies(/^secrets-platform-plan-pr-\d+$/, (sts) => sts.filter((st) => !actions(st).includes('ssm:GetParameter')));
  const findings = await prove(ci);
  expectOnly(
    findings,
    (f) =>
      f.job === 'pull-request.yml plan' &&
      f.principal === 'secrets-platform-plan-pr' &&
      f.action === 'ssm:GetParameter' &&
      f.expected === 'Allowed',
  );
});

test('4. a deploy role allowed GetSecretValue: named even though its boundary still denies it', async () => {
  const ci = editPolicies(/^secrets-platform-deploy-1$/, (sts) => [
    ...sts,
    {
      Sid: 'Planted',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:*:${production.accountId}:secret:prod/*`,
    },
  ]);
  const findings = await prove(ci);
  expectOnly(
    findings,
    (f) => f.principal === 'secrets-platform-deploy' && f.action === 'secretsmanager:GetSecretValue' && f.check === 'identity',
  );
  // With the boundary's deny gone too, each secret's own policy still refuses the read; but a
  // rewritten secret policy (the escalation the proof tries) would let it through: named.
  const worse = editPolicies(/^secrets-platform-deploy-(1|boundary)$/, (sts) =>
    sts.some((st) => st.Sid === 'NeverReadAValue')
      ? sts.filter((st) => st.Sid !== 'NeverReadAValue')
      : [
          ...sts,
          {
            Sid: 'Planted',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: `arn:aws:secretsmanager:*:${production.accountId}:secret:prod/*`,
          },
        ],
  );
  const both = await prove(worse);
  expect(
    both.some(
      (f) =>
        f.check === 'escalation' &&
        f.principal === 'secrets-platform-deploy' &&
        f.action === 'secretsmanager:GetSecretValue' &&
        f.actual === 'Allowed' &&
        f.why === 'secret policy rewrite, then read the value',
    ),
  ).toBe(true);
});

test('5. a code-signing config that allows Warn', async () => {
  const ci = structuredClone(stacks.ci) as Json;
  for (const c of Object.values<Json>(ci.resource.aws_lambda_code_signing_config)) c.policies.untrusted_artifact_on_deployment = 'Warn';
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.check === 'code-signing');
  expect(findings.map((f) => f.why)).toContain(
    'code signing allows Warn: unsigned or foreign code would deploy (untrusted_artifact_on_deployment must be Enforce)',
  );
});

test('6. a deploy trust that pins the repository by name only (no repository_id): a re-created repository gets the role', async () => {
  const ci = structuredClone(stacks.ci) as Json;
  const role = Object.values<Json>(ci.resource.aws_iam_role).find((r) => r.name === 'secrets-platform-deploy');
  const trust = JSON.parse(role.assume_role_policy);
  delete trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:repository_id'];
  role.assume_role_policy = JSON.stringify(trust);
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.check === 'trust' && f.principal === 'secrets-platform-deploy');
  expect(findings.some((f) => /does not pin token\.actions\.githubusercontent\.com:repository_id/.test(f.decidedBy))).toBe(true);
});

test('7. the values role allowed any tag key: it could rewrite the version Terraform set', async () => {
  const ci = editPolicies(/^secrets-platform-values-\d+$/, (sts) =>
    sts.map((st) => (st.Sid === 'MarkValueWritten' ? { ...st, Condition: undefined } : st)),
  );
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-values' && f.action === 'secretsmanager:TagResource');
});

test("8. the deploy role may change the bootstrap's alarm rules (they share its rule prefix): the proof names it", async () => {
  // As before this review: the rule statements untagged, the boundary silent on events.
  const ci = editPolicies(/^secrets-platform-deploy-(\d+|boundary)$/, (sts) =>
    sts.map((st) => {
      if (st.Sid === 'BootstrapResourcesAreNotOurs') return { ...st, Action: actions(st).filter((a) => a !== 'events:*') };
      return actions(st).some((a) => a.startsWith('events:'))
        ? withoutKeys(st, 'StringEquals', 'aws:ResourceTag/secrets-platform:stack', 'aws:ResourceTag/Environment')
        : st;
    }),
  );
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action.startsWith('events:') && f.expected === 'Denied');
  expect(
    findings.some(
      (f) =>
        f.check === 'escalation' &&
        f.why === 'change, disable or delete a bootstrap alarm rule (the trail and state-key watches)' &&
        /state-trail-changes$/.test(f.resource),
    ),
  ).toBe(true);
});

test('9. lambda:AddPermission without the principal pinned: another account could invoke a rotation function', async () => {
  const ci = editPolicies(
    /^secrets-platform-deploy-(\d+|boundary)$/,
    unguarded('OnlySecretsManagerInvokes', 'StringEquals', 'lambda:Principal'),
  );
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action === 'lambda:AddPermission');
  expect(findings.some((f) => f.check === 'escalation' && /^lambda:AddPermission for another principal/.test(f.why))).toBe(true);
});

test('10. secretsmanager:PutResourcePolicy without secretsmanager:BlockPublicPolicy: a rewrite could open a secret to everyone', async () => {
  // As before this review: the call's condition dropped, the boundary silent on it.
  const ci = editPolicies(
    /^secrets-platform-deploy-(\d+|boundary)$/,
    unguarded('SecretPoliciesBlockPublicAccess', 'Bool', 'secretsmanager:BlockPublicPolicy'),
  );
  const findings = await prove(ci);
  expectOnly(
    findings,
    (f) => f.principal === 'secrets-platform-deploy' && f.action === 'secretsmanager:PutResourcePolicy' && f.expected === 'Denied',
  );
  expect(findings.some((f) => f.check === 'escalation' && /public-access check off or absent/.test(f.why))).toBe(true);
});

test('11. a secret deleted for good (ForceDeleteWithoutRecovery) by the deploy role or the operator: the proof names both', async () => {
  // As before this review: the deploy role's and the operator's DeleteSecret unconditioned, the operator's boundary silent.
  const ci = editPolicies(
    /^secrets-platform-(deploy-\d+|operator-(\d+|boundary))$/,
    unguarded('DeletedSecretsStayRestorable', 'BoolIfExists', 'secretsmanager:ForceDeleteWithoutRecovery'),
  );
  const findings = await prove(ci);
  expectOnly(
    findings,
    (f) =>
      ['secrets-platform-deploy', 'secrets-platform-operator'].includes(f.principal) &&
      f.action === 'secretsmanager:DeleteSecret' &&
      f.expected === 'Denied',
  );
  for (const principal of ['secrets-platform-deploy', 'secrets-platform-operator']) {
    expect([
      principal,
      findings.some((f) => f.principal === principal && f.check === 'escalation' && /ForceDeleteWithoutRecovery/.test(f.why)),
    ]).toEqual([principal, true]);
  }
});
