/**
 * Values that front no database (API keys we issue, JWT signing keys, webhook and encryption
 * keys): a new value following the secret's generator rules, as the whole secret or as one key
 * of a JSON secret whose other keys are kept. Consumers that read the secret at run time pick up
 * the new value once it is AWSCURRENT; the previous value stays readable as AWSPREVIOUS, so a
 * verifier can accept both during the overlap.
 */
import { alphabet, DEFAULT_PASSWORD_EXCLUDE, type GeneratorRules, rulesFromTags } from './contract';
import { type RotationContext, RotationError, type RotationStrategy } from './protocol';
import { generateValue } from './values';

const GENERATED_DEFAULT_RULES: GeneratorRules = { format: 'password', length: 32, excludeCharacters: DEFAULT_PASSWORD_EXCLUDE };

function parseObject(ctx: RotationContext, text: string, stage: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RotationError(
      `secret ${ctx.secret.Name} (${stage}) is not valid JSON, but its rotation replaces one JSON key; store a JSON object`,
    );
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new RotationError(`secret ${ctx.secret.Name} (${stage}) is not a JSON object; store a JSON object`);
  return v as Record<string, unknown>;
}

export function generatedStrategy(): RotationStrategy {
  const rulesOf = (ctx: RotationContext) => rulesFromTags(ctx.secret.Tags, GENERATED_DEFAULT_RULES);
  return {
    createsFirstValue: true,
    async createValue(ctx, current) {
      const rules = rulesOf(ctx);
      const value = generateValue(rules);
      if (!rules.jsonKey) return value;
      const obj = current === undefined ? {} : parseObject(ctx, current, 'AWSCURRENT');
      return JSON.stringify({ ...obj, [rules.jsonKey]: value });
    },
    async setValue(ctx) {
      ctx.log.info('no external system to update; consumers read the new value once it is AWSCURRENT');
    },
    async testValue(ctx, text) {
      const rules = rulesOf(ctx);
      const value = rules.jsonKey ? parseObject(ctx, text, 'tested')[rules.jsonKey] : text;
      const chars = alphabet(rules.format, rules.excludeCharacters) + (rules.format === 'base64' ? '=' : '');
      if (typeof value !== 'string' || value.length !== rules.length || [...value].some((c) => !chars.includes(c))) {
        throw new RotationError(
          `secret ${ctx.secret.Name}: the tested value does not follow its rules (${rules.length} ${rules.format} characters${rules.jsonKey ? ` in key ${rules.jsonKey}` : ''}); it was changed out of band or the rules changed: rotate again`,
        );
      }
    },
  };
}
