/**
 * The CI proof must reject the bugs that made the deploy path unsafe or broken. Each case plants
 * one bug into the synthesized production bootstrap (ci-access-production) and runs the CI proof;
 * the proof must name the job, the principal and the action. A clean run over the same stacks
 * finds nothing, so every finding below is the planted bug's.
 */
import { teamEnvironment } from '../support/fixtures';
import { planEnvironment } from '../../plan/plan';
import { terraformCalls } from '../../plan/terraform-calls';
import { CiFinding, formatCiFinding } from '../../tools/access/ci-proof';
import { ciProofInput, proveCi } from '../../tools/access/ci-run';
import { TfJson } from '../../tools/access/model';
import { synth } from '../support/synth';

// The fixture team's production (__tests__/support/fixtures.ts).
const production = teamEnvironment('production');

jest.setTimeout(120_000);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
let stacks: { env: TfJson; ci: TfJson; backend: TfJson };
beforeAll(() => {
  const out = synth([production]).stacks;
  stacks = { env: out.production as TfJson, ci: out['ci-access-production'] as TfJson, backend: out['state-backend-production'] as TfJson };
});

const prove = async (ci: TfJson) => (await proveCi(ciProofInput('production', planEnvironment(production), { ...stacks, ci }, terraformCalls()))).findings;

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
const expectOnly = (findings: CiFinding[], pred: (f: CiFinding) => boolean) => {
  expect(findings.length).toBeGreaterThan(0);
  expect(findings.filter((f) => !pred(f)).map(formatCiFinding)).toEqual([]);
};

test('the unmodified stacks pass (the baseline every planted bug departs from)', async () => {
  expect((await prove(stacks.ci)).map(formatCiFinding)).toEqual([]);
});

test('1. the deploy role without KMS through Secrets Manager: apply cannot create or replicate a secret under its key', async () => {
  const ci = editPolicies(/^secrets-platform-deploy-\d+$/, (sts) => sts.filter((st) => !JSON.stringify(st.Condition ?? {}).includes('secretsmanager.')));
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action.startsWith('kms:') && f.expected === 'Allowed');
  expect(findings.some((f) => f.job === 'deploy-environment.yml apply' && /aws_secretsmanager_secret\..* (create|update) \(CreateSecret|UpdateSecret/.test(f.why))).toBe(true);
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
  expect(findings.map((f) => f.why)).toContain('iam:CreateRole without the workload boundary (the role\'s own policies allow it; only the boundary or a resource policy stops it)');
});

test('3. the PR plan role without what plan -refresh=false calls (the code-signing parameter, a data source)', async () => {
  const ci = editPolicies(/^secrets-platform-plan-pr-\d+$/, (sts) => sts.filter((st) => !actions(st).includes('ssm:GetParameter')));
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.job === 'pull-request.yml plan' && f.principal === 'secrets-platform-plan-pr' && f.action === 'ssm:GetParameter' && f.expected === 'Allowed');
});

test('4. a deploy role allowed GetSecretValue: named even though its boundary still denies it', async () => {
  const ci = editPolicies(/^secrets-platform-deploy-1$/, (sts) => [...sts, { Sid: 'Planted', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:*:${production.accountId}:secret:prod/*` }]);
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-deploy' && f.action === 'secretsmanager:GetSecretValue' && f.check === 'identity');
  // With the boundary's deny gone too, each secret's own policy still refuses the read; but a
  // rewritten secret policy (the escalation the proof tries) would let it through: named.
  const worse = editPolicies(/^secrets-platform-deploy-(1|boundary)$/, (sts) =>
    sts.some((st) => st.Sid === 'NeverReadAValue') ? sts.filter((st) => st.Sid !== 'NeverReadAValue') : [...sts, { Sid: 'Planted', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:*:${production.accountId}:secret:prod/*` }],
  );
  const both = await prove(worse);
  expect(both.some((f) => f.check === 'escalation' && f.principal === 'secrets-platform-deploy' && f.action === 'secretsmanager:GetSecretValue' && f.actual === 'Allowed' && f.why === 'secret policy rewrite, then read the value')).toBe(true);
});

test('5. a code-signing config that allows Warn', async () => {
  const ci = structuredClone(stacks.ci) as Json;
  for (const c of Object.values<Json>(ci.resource.aws_lambda_code_signing_config)) c.policies.untrusted_artifact_on_deployment = 'Warn';
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.check === 'code-signing');
  expect(findings.map((f) => f.why)).toContain('code signing allows Warn: unsigned or foreign code would deploy (untrusted_artifact_on_deployment must be Enforce)');
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
  const ci = editPolicies(/^secrets-platform-values-\d+$/, (sts) => sts.map((st) => (st.Sid === 'MarkValueWritten' ? { ...st, Condition: undefined } : st)));
  const findings = await prove(ci);
  expectOnly(findings, (f) => f.principal === 'secrets-platform-values' && f.action === 'secretsmanager:TagResource');
});
