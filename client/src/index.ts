/**
 * @secrets-platform/client: rotation-aware reads of AWS Secrets Manager for Node.js apps.
 * Database pools live in their own entry points (`/pg`, `/mysql`), so an app that uses neither
 * driver never loads one.
 */
export { AWSCURRENT, AWSPENDING, AWSPREVIOUS, DEFAULTS, SecretCache, arnInRegion, isEndpointFailure, isTransient } from './cache';
export type {
  CacheEvent,
  CacheHooks,
  CacheLogger,
  CacheStats,
  FailoverOptions,
  GetOptions,
  JsonOptions,
  SecretCacheOptions,
  SecretVersion,
  SecretsManagerSender,
} from './cache';
export {
  AUTH_RETRY_DEFAULTS,
  IAM_TOKEN_LIFETIME_MS,
  IamAuthCredentials,
  IamTokens,
  LoginCredentials,
  NO_LOCKOUT_DEFAULTS,
  RotatingCredentials,
  credentialsOf,
  parseDatabaseSecret,
} from './credentials';
export type {
  AuthRetryOptions,
  DatabaseCredentials,
  IamAuthCredentialsOptions,
  IamAuthOptions,
  IamTokenRequest,
  RotatingCredentialsOptions,
} from './credentials';
export { SecretsClientError, systemClock } from './util';
export type { Clock, ErrorCode } from './util';
/** @internal The pools' shared machinery (`/pg` and `/mysql` load it from here). */
export { PoolSet, credentialsFrom } from './pool-set';
