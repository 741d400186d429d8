/**
 * @secrets-platform/client: rotation-aware reads of AWS Secrets Manager for Node.js apps.
 * Database pools live in their own entry points (`/pg`, `/mysql`), so an app that uses neither
 * driver never loads one.
 */
export { AWSCURRENT, AWSPENDING, AWSPREVIOUS, DEFAULTS, SecretCache, arnInRegion, isEndpointFailure, isTransient } from './cache';
export type { CacheEvent, CacheHooks, CacheLogger, FailoverOptions, GetOptions, SecretCacheOptions, SecretVersion, SecretsManagerSender } from './cache';
export { AUTH_RETRY_DEFAULTS, RotatingCredentials, credentialsOf, parseDatabaseSecret } from './credentials';
export type { AuthRetryOptions, DatabaseCredentials } from './credentials';
export { SecretsClientError, systemClock } from './util';
export type { Clock, ErrorCode } from './util';
