/**
 * A reader role with an IAM path, proven under IAM simulation: the secret's resource policy and
 * the key policy name the role's full ARN (role/service-role/...), so the role reads with no policy
 * of its own, and the same name without its path (another role) does not.
 */
import { teamEnvironment } from '../support/fixtures';
import { planEnvironment } from '../../plan/plan';
import { proveStack } from '../../tools/access/run';
import type { TfJson } from '../../tools/access/model';
import { synth } from '../support/synth';

jest.setTimeout(120_000);

test('a same-account reader behind service-role/ reads exactly what it is granted; the proof finds nothing', async () => {
  // The fixture team's dev, its IAM-role reader moved behind an IAM path.
  const catalog = teamEnvironment('dev');
  catalog.readers.reports = { kind: 'iam-role', roleName: 'service-role/orders-reports-lambda' };
  const plan = planEnvironment(catalog);
  const reader = plan.readers.find((r) => r.name === 'reports')!;
  expect(reader.resolved).toMatchObject({
    roleName: 'orders-reports-lambda',
    roleArn: `arn:aws:iam::${catalog.accountId}:role/service-role/orders-reports-lambda`,
  });
  const secret = plan.secrets.find((s) => s.id === reader.secretIds[0])!;
  const policy = JSON.stringify(secret.resourcePolicy);
  expect(policy).toContain('role/service-role/orders-reports-lambda');
  expect(policy).not.toContain(`:role/orders-reports-lambda"`);
  const tf = synth([catalog]).stacks.dev as TfJson;
  const { model, result } = await proveStack('dev', tf, plan, { secrets: (n) => n === secret.name });
  // No stack writes into the reader's role; the proof evaluates it by its full ARN, with no policy of its own.
  expect(model.externalRolePolicies).toEqual([]);
  const readerArn = reader.resolved.kind === 'iam-role' ? reader.resolved.roleArn : '';
  expect(result.principals.filter((p) => p.arn === readerArn).map((p) => [p.kind, p.identity.length])).toEqual([['reader-role', 0]]);
  // Simulated as the ARN without its path, the same role would be denied: the proof would report it.
  expect(result.findings).toEqual([]);
  expect(Object.keys(result.matrix[secret.name] ?? {})).toContain(readerArn);
});
