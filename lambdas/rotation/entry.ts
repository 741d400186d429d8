/**
 * What the deployed handlers share: the strategy named by the function's environment and the
 * default Secrets Manager client. Each bundle's entry file (lambdas/handlers/*.ts) is one line.
 */
import { STRATEGIES, Strategy, STRATEGY_ENV } from './contract';
import { databaseStrategy, DatabaseEngine } from './database';
import { rotationHandler } from './protocol';
import { defaultSecretsManager } from './secrets-manager';

export function strategyFromEnv(env: NodeJS.ProcessEnv = process.env): Strategy {
  const s = env[STRATEGY_ENV];
  if (!STRATEGIES.includes(s as Strategy)) {
    throw new Error(`environment variable ${STRATEGY_ENV}="${s ?? ''}" is not one of ${STRATEGIES.join(', ')}; the rotation module sets it, so re-deploy the stack`);
  }
  return s as Strategy;
}

export function databaseHandler(engine: DatabaseEngine) {
  return rotationHandler(() => databaseStrategy({ engine, strategy: strategyFromEnv() }), () => defaultSecretsManager());
}
