/**
 * What the deployed handlers share: the strategy named by the function's environment and the
 * default Secrets Manager client. Each bundle's entry file (lambdas/handlers/*.ts) is one line.
 */
import { MIN_TLS_ENV, STRATEGIES, type Strategy, STRATEGY_ENV, TLS_MODES, type TlsMode } from './contract';
import { databaseStrategy, type DatabaseEngine } from './database';
import { rotationHandler } from './protocol';
import { defaultSecretsManager } from './secrets-manager';

function strategyFromEnv(env: NodeJS.ProcessEnv = process.env): Strategy {
  const s = env[STRATEGY_ENV];
  if (!STRATEGIES.includes(s as Strategy)) {
    throw new Error(
      `environment variable ${STRATEGY_ENV}="${s ?? ''}" is not one of ${STRATEGIES.join(', ')}; the rotation module sets it, so re-deploy the stack`,
    );
  }
  return s as Strategy;
}

function minTlsFromEnv(env: NodeJS.ProcessEnv = process.env): TlsMode {
  const v = env[MIN_TLS_ENV] ?? 'verify-full';
  if (!TLS_MODES.includes(v as TlsMode))
    throw new Error(`environment variable ${MIN_TLS_ENV}="${v}" is not one of ${TLS_MODES.join(', ')}; re-deploy the stack`);
  return v as TlsMode;
}

export function databaseHandler(engine: DatabaseEngine) {
  return rotationHandler(
    () => databaseStrategy({ engine, strategy: strategyFromEnv(), minTls: minTlsFromEnv() }),
    () => defaultSecretsManager(),
  );
}
