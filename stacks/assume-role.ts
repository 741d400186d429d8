import type { EnvironmentConfig } from '../catalogs/types';

/**
 * Which role the provider and the S3 backend assume, chosen per run at synth:
 * - unset: the catalog's `deployRoleArn` (staging and production: `secrets-platform-deploy`),
 *   as for an operator running `cdktf deploy` with their own credentials;
 * - `none`: no role; Terraform uses the credentials it was started with. CI sets this: the
 *   pull-request plan holds the read-only plan role and must never reach the deploy role, and
 *   the deploy jobs already hold the deploy role through OIDC.
 * `allowed_account_ids` still pins every stack to its account either way.
 */
export const ASSUME_ROLE_ENV = 'SECRETS_PLATFORM_ASSUME_ROLE';

export function assumedRoleArn(
  env: Pick<EnvironmentConfig, 'deployRoleArn'>,
  value: string | undefined = process.env[ASSUME_ROLE_ENV],
): string | undefined {
  if (value === undefined || value === '') return env.deployRoleArn;
  if (value === 'none') return undefined;
  throw new Error(
    `${ASSUME_ROLE_ENV}=${JSON.stringify(value)}: use "none" (use the credentials Terraform runs with) or leave it unset (assume the catalog's deploy role)`,
  );
}
