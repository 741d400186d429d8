import { EnvironmentConfig, StateBackendConfig } from './types';

/** Project-wide facts shared by every environment. */
export const PROJECT = 'secrets-platform';
export const REPOSITORY = 'github.com/example-org/secrets-platform';

/**
 * Accounts outside the three environment accounts. The production reference names the
 * application accounts (111111111111, 222222222222) and a monitoring account; the partner
 * account is the consumer of the API gateway key.
 */
export const ACCOUNTS = {
  production: '123456789012',
  staging: '234567890123',
  dev: '345678901234',
  monitoring: '444455556666',
  appPrimary: '111111111111',
  appSecondary: '222222222222',
  partner: '333333333333',
  stagingApps: '555566667777',
} as const;

/** Secret names start with this, e.g. `prod/ticket-system/auth/jwt-signing-key`. */
export const NAME_PREFIX: Record<EnvironmentConfig['name'], string> = {
  dev: 'dev',
  staging: 'staging',
  production: 'prod',
};

/**
 * The state backend lives in each environment's own account (state holds every attribute of
 * every resource, so it never leaves the account it describes). Names are derived, so the
 * backend stack and the environment stacks cannot disagree.
 */
export function stateBackendFor(env: Pick<EnvironmentConfig, 'accountId' | 'region'>): StateBackendConfig {
  return {
    accountId: env.accountId,
    region: env.region,
    bucket: `${PROJECT}-tfstate-${env.accountId}-${env.region}`,
    lockTable: `${PROJECT}-tflock`,
    keyAlias: `alias/${PROJECT}/terraform-state`,
  };
}
