import type { EnvironmentConfig, StateBackendConfig } from './types';

/** Project-wide facts shared by every environment. */
export const PROJECT = 'secrets-platform';
export const REPOSITORY = 'github.com/example-org/secrets-platform';

/**
 * The GitHub repository CI runs in, by name and by the numeric ids GitHub puts in every OIDC
 * token (`repository_id`, `repository_owner_id`). The roles trust the ids, not only the name: a
 * repository deleted and re-created under the same name, or a transferred one, gets new ids and
 * no role. Set these to your repository's (docs/first-deployment.md: `gh api repos/OWNER/NAME
 * --jq '.id, .owner.id'`); the values below belong to the example repository.
 */
export const GITHUB = {
  repository: REPOSITORY.replace(/^github\.com\//, ''),
  repositoryId: '812345678',
  ownerId: '98765432',
} as const;

/** The roles the bootstrap stack (stacks/ci-access-stack.ts) creates in every environment account. */
/** The tag key that tells an environment stack's resources from the bootstrap stacks'. */
export const STACK_TAG = `${PROJECT}:stack`;
export type StackKind = 'environment' | 'bootstrap';

/** The IAM path of every role an environment stack creates: the deploy role's IAM reach ends there. */
export const WORKLOAD_ROLE_PATH = `/${PROJECT}/`;

export const CI_ROLE_NAMES = {
  planPr: `${PROJECT}-plan-pr`,
  plan: `${PROJECT}-plan`,
  deploy: `${PROJECT}-deploy`,
  values: `${PROJECT}-values`,
  operator: `${PROJECT}-operator`,
} as const;

/** IAM Identity Center permission sets that reach the human roles when a catalog names none. */
export const DEFAULT_PERMISSION_SETS = { breakGlass: 'SecretsPlatformBreakGlass', operator: 'SecretsPlatformOperator' } as const;

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
