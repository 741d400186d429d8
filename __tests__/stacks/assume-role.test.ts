import { assumedRoleArn, ASSUME_ROLE_ENV } from '../../stacks/assume-role';
import { teamEnvironment } from '../support/fixtures';
import { synth } from '../support/synth';

const production = teamEnvironment('production');

describe('the role the stacks assume, chosen per run', () => {
  test('unset: the catalog deploy role (operators, unchanged deploys)', () => {
    expect(production.deployRoleArn).toMatch(/:role\/secrets-platform-deploy$/);
    expect(assumedRoleArn(production, undefined)).toBe(production.deployRoleArn);
    expect(assumedRoleArn(production, '')).toBe(production.deployRoleArn);
  });

  test('"none": no role at all (CI: the plan role for pull requests, the OIDC deploy role for deploys)', () => {
    expect(assumedRoleArn(production, 'none')).toBeUndefined();
  });

  test('anything else is refused, so a typo cannot silently fall back to the deploy role', () => {
    expect(() => assumedRoleArn(production, 'None')).toThrow(new RegExp(`${ASSUME_ROLE_ENV}="None": use "none"`));
    expect(() => assumedRoleArn(production, 'arn:aws:iam::123456789012:role/other')).toThrow(/use "none"/);
  });

  test('synthesized with "none", neither the provider nor the S3 backend of any stack assumes a role', () => {
    const before = process.env[ASSUME_ROLE_ENV];
    process.env[ASSUME_ROLE_ENV] = 'none';
    try {
      const out = synth([production]);
      for (const [name, stack] of Object.entries(out.stacks)) {
        expect([name, stack.provider!.aws[0].assume_role]).toEqual([name, undefined]);
        expect([name, stack.terraform.backend?.s3?.assume_role]).toEqual([name, undefined]);
      }
    } finally {
      if (before === undefined) delete process.env[ASSUME_ROLE_ENV];
      else process.env[ASSUME_ROLE_ENV] = before;
    }
    const normal = synth([production]).stacks.production;
    expect(normal.provider!.aws[0].assume_role[0].role_arn).toBe(production.deployRoleArn);
    expect(normal.terraform.backend.s3.assume_role.role_arn).toBe(production.deployRoleArn);
  });
});
