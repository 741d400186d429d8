// Rotation function for generated values that front no database (API keys, signing keys).
import { generatedStrategy } from '../rotation/generated';
import { rotationHandler } from '../rotation/protocol';
import { defaultSecretsManager } from '../rotation/secrets-manager';

export const handler = rotationHandler(generatedStrategy, () => defaultSecretsManager());
