/** The IAM lint in `npm run validate` catches what would otherwise fail only in AWS. */
import { lintPolicies, openFindings } from '../../tools/validate/iam-lint';

jest.setTimeout(300_000);

const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

test('an action that does not exist is found', () => {
  const findings = lintPolicies({ 'x/typo': doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValues', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*' }) });
  expect(findings.map((f) => f.issue)).toContain('UNKNOWN_ACTION');
  expect(openFindings(findings).length).toBeGreaterThan(0);
});

test('a resource the action cannot take is found', () => {
  const findings = lintPolicies({ 'x/mismatch': doc({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: 'arn:aws:kms:us-east-1:123456789012:key/*' }) });
  expect(findings.map((f) => f.issue)).toContain('RESOURCE_MISMATCH');
  expect(openFindings(findings).length).toBeGreaterThan(0);
});

test('a correct, narrow statement has no finding', () => {
  expect(lintPolicies({ 'x/ok': doc({ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*' }) })).toEqual([]);
});
