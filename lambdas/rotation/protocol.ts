/**
 * The four-step rotation protocol Secrets Manager drives (createSecret, setSecret, testSecret,
 * finishSecret), independent of what is being rotated. A strategy supplies the three parts that
 * differ (the new value, how the resource learns it, how it is proven); this file makes the
 * checks every step needs and the label moves, so each strategy stays small and every one gets
 * the same guarantees:
 *
 * - rotation must be enabled, the token must be a version of the secret and labelled AWSPENDING;
 *   a token already AWSCURRENT means the rotation finished and the step does nothing;
 * - every step is idempotent: a retry after a crash between any two steps converges;
 * - testSecret reads the pending value from Secrets Manager, never from memory, so it also works
 *   invoked on its own;
 * - finishSecret moves AWSCURRENT and then removes AWSPENDING, so no pending label is left behind.
 */
import { MAX_SECRET_VALUE_BYTES } from './contract';
import { Logger } from './log';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  isNotFound,
  type SecretDescription,
  type SecretsManagerPort,
  type SecretValue,
} from './secrets-manager';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type Step = (typeof STEPS)[number];

export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: Step;
}

/** A failure whose message says what is wrong and what to do; never contains a value. */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

export interface RotationContext {
  sm: SecretsManagerPort;
  log: Logger;
  secret: SecretDescription;
  token: string;
  /** A staged string value of this secret; undefined when `optional` and the stage has no value. */
  value(stage: string, opts?: { optional?: boolean; versionId?: string }): Promise<string | undefined>;
  /**
   * String values of the newest versions that carry no label (left by a rotation that another one
   * replaced after its setSecret), newest first, at most `limit`, the rotating token excluded.
   */
  unlabelledValues(limit: number): Promise<string[]>;
  /** Reads another secret (an admin or master secret): its AWSCURRENT and, if any, AWSPREVIOUS values. */
  otherSecret(secretId: string): Promise<{ name: string; current: string; previous?: string }>;
}

export interface RotationStrategy {
  /** The value to stage as AWSPENDING; `current` is undefined when the secret has no value yet. */
  createValue(ctx: RotationContext, current: string | undefined): Promise<string>;
  /** Makes the protected resource accept `pending`. Must be idempotent. */
  setValue(ctx: RotationContext, pending: string): Promise<void>;
  /** Proves `value` works against the resource. Read-only. */
  testValue(ctx: RotationContext, value: string): Promise<void>;
  /** Whether a secret with no AWSCURRENT value may be rotated (generated values: yes; databases: no). */
  readonly createsFirstValue?: boolean;
}

function checkEvent(event: unknown): RotationEvent {
  const e = event as Partial<RotationEvent> | null;
  if (!e || typeof e.SecretId !== 'string' || !e.SecretId || typeof e.ClientRequestToken !== 'string' || !e.ClientRequestToken) {
    throw new RotationError(
      'event lacks SecretId or ClientRequestToken; this function is invoked by Secrets Manager with {SecretId, ClientRequestToken, Step}',
    );
  }
  if (!STEPS.includes(e.Step as Step))
    throw new RotationError(`unknown step "${String(e.Step)}" for secret ${e.SecretId}; expected one of ${STEPS.join(', ')}`);
  return e as RotationEvent;
}

function makeContext(sm: SecretsManagerPort, log: Logger, secret: SecretDescription, token: string): RotationContext {
  const readString = async (secretId: string, label: string, stage: string, optional: boolean, versionId?: string) => {
    let v: SecretValue;
    try {
      v = await sm.getSecretValue({ SecretId: secretId, VersionStage: stage, VersionId: versionId });
    } catch (e) {
      if (optional && isNotFound(e)) return undefined;
      if (isNotFound(e) && versionId && stage === AWSPENDING) {
        // The version exists (the token was checked) but holds no value: createSecret never ran for
        // it. A hand-written AWSPENDING value is never the fix; the rotation's own steps are.
        throw new RotationError(
          `secret ${label}: the AWSPENDING version of token ${versionId} has no value because createSecret has not run for this rotation (or failed); ` +
            `retry the whole rotation (aws secretsmanager rotate-secret --secret-id ${label}), which runs createSecret first`,
        );
      }
      if (isNotFound(e))
        throw new RotationError(
          `secret ${label} has no ${stage} value; store the initial value (aws secretsmanager put-secret-value) before the first rotation, then rotate again`,
        );
      throw e;
    }
    if (v.SecretString === undefined)
      throw new RotationError(`secret ${label} holds a binary ${stage} value; only string values can be rotated`);
    log.redactValue(v.SecretString);
    return v.SecretString;
  };
  return {
    sm,
    log,
    secret,
    token,
    value: (stage, opts = {}) => readString(secret.ARN, secret.Name, stage, !!opts.optional, opts.versionId),
    async unlabelledValues(limit) {
      const versions = (await sm.listVersions(secret.ARN))
        .filter((v) => v.VersionStages.length === 0 && v.VersionId !== token)
        .sort((a, b) => (b.CreatedDate?.getTime() ?? 0) - (a.CreatedDate?.getTime() ?? 0))
        .slice(0, limit);
      const out: string[] = [];
      for (const v of versions) {
        const text = await sm.getSecretValue({ SecretId: secret.ARN, VersionId: v.VersionId }).then(
          (x) => x.SecretString,
          () => undefined,
        );
        if (text !== undefined) {
          log.redactValue(text);
          out.push(text);
        }
      }
      return out;
    },
    async otherSecret(secretId) {
      const d = await sm.describeSecret(secretId);
      const current = (await readString(d.ARN, d.Name, AWSCURRENT, false))!;
      const hasPrevious = Object.values(d.VersionIdsToStages).some((s) => s.includes(AWSPREVIOUS));
      const previous = hasPrevious ? await readString(d.ARN, d.Name, AWSPREVIOUS, true) : undefined;
      return { name: d.Name, current, previous };
    },
  };
}

function versionWith(secret: SecretDescription, stage: string): string | undefined {
  return Object.entries(secret.VersionIdsToStages).find(([, stages]) => stages.includes(stage))?.[0];
}

/** Runs one step of one rotation. Throws a RotationError (or the underlying error) on failure. */
async function runStep(rawEvent: unknown, strategy: RotationStrategy, sm: SecretsManagerPort, baseLog: Logger): Promise<void> {
  const event = checkEvent(rawEvent);
  const token = event.ClientRequestToken;
  let log = baseLog.child({ step: event.Step, token });
  const secret = await sm.describeSecret(event.SecretId);
  log = log.child({ secret: secret.Name });
  const label = `${secret.Name} (token ${token})`;

  if (!secret.RotationEnabled) {
    throw new RotationError(
      `secret ${secret.Name} is not enabled for rotation; configure rotation on it (the catalog's rotation block) before invoking this function`,
    );
  }
  const stages = secret.VersionIdsToStages[token];
  if (!stages) {
    throw new RotationError(
      `secret ${label}: the token is not a version of this secret; start rotations with RotateSecret, which creates the version`,
    );
  }
  const ctx = makeContext(sm, log, secret, token);

  if (stages.includes(AWSCURRENT)) {
    if (stages.includes(AWSPENDING)) {
      // A finishSecret that stopped between its two label moves: complete it.
      await sm.updateSecretVersionStage({ SecretId: secret.ARN, VersionStage: AWSPENDING, RemoveFromVersionId: token });
      log.info('removed AWSPENDING left on the current version');
    }
    if (event.Step === 'testSecret') {
      // Useful on its own: proves the current value still works (a read-only health check).
      await strategy.testValue(ctx, (await ctx.value(AWSCURRENT))!);
      log.info('current value tested');
      return;
    }
    log.info('version is already AWSCURRENT; nothing to do');
    return;
  }
  if (!stages.includes(AWSPENDING)) {
    throw new RotationError(
      `secret ${label}: the version is not AWSPENDING (it is ${stages.join(', ') || 'unlabelled'}); a newer rotation has replaced it, so this invocation must not act`,
    );
  }

  const started = Date.now();
  switch (event.Step) {
    case 'createSecret': {
      const existing = await ctx.value(AWSPENDING, { optional: true, versionId: token });
      if (existing !== undefined) {
        log.info('pending value already exists; keeping it');
        return;
      }
      const current = await ctx.value(AWSCURRENT, { optional: !!strategy.createsFirstValue });
      const next = await strategy.createValue(ctx, current);
      log.redactValue(next);
      const bytes = Buffer.byteLength(next, 'utf8');
      if (bytes > MAX_SECRET_VALUE_BYTES)
        throw new RotationError(
          `secret ${secret.Name}: the new value is ${bytes} bytes, over Secrets Manager's ${MAX_SECRET_VALUE_BYTES}; shrink the value`,
        );
      await sm.putSecretValue({ SecretId: secret.ARN, ClientRequestToken: token, SecretString: next, VersionStages: [AWSPENDING] });
      log.info('pending value created', { bytes });
      break;
    }
    case 'setSecret':
      await strategy.setValue(ctx, (await ctx.value(AWSPENDING, { versionId: token }))!);
      log.info('resource now accepts the pending value');
      break;
    case 'testSecret':
      await strategy.testValue(ctx, (await ctx.value(AWSPENDING, { versionId: token }))!);
      log.info('pending value tested');
      break;
    case 'finishSecret': {
      const current = versionWith(secret, AWSCURRENT);
      await sm.updateSecretVersionStage({
        SecretId: secret.ARN,
        VersionStage: AWSCURRENT,
        MoveToVersionId: token,
        RemoveFromVersionId: current,
      });
      await sm.updateSecretVersionStage({ SecretId: secret.ARN, VersionStage: AWSPENDING, RemoveFromVersionId: token });
      log.info('rotation finished: pending version is now AWSCURRENT', { previousVersion: current });
      break;
    }
  }
  log.info('step done', { durationMs: Date.now() - started });
}

/**
 * A Lambda handler around `runStep`: logs the outcome and makes sure that an error leaving the
 * function (which Lambda logs and Secrets Manager records) carries no secret value.
 */
export function rotationHandler(
  strategy: () => RotationStrategy,
  sm: () => SecretsManagerPort,
  log: Logger = new Logger(),
): (event: unknown) => Promise<void> {
  // Built on first use and kept for the life of the execution environment (warm invocations).
  let built: { strategy: RotationStrategy; sm: SecretsManagerPort } | undefined;
  return async (event: unknown) => {
    try {
      built ??= { strategy: strategy(), sm: sm() };
      await runStep(event, built.strategy, built.sm, log);
    } catch (e) {
      const err = e as Error;
      // A RotationError's message is the whole story; its name is the error's name, not a prefix.
      // Other errors keep their own name (e.g. AccessDeniedException) in front of the text.
      const prefix = err instanceof RotationError || !err?.name || err.name === 'Error' ? '' : `${err.name}: `;
      const message = log.scrub(`${prefix}${err?.message ?? String(e)}`);
      const ev = (event ?? {}) as Partial<RotationEvent>;
      log.error('rotation step failed', {
        secretId: String(ev.SecretId),
        step: String(ev.Step),
        token: String(ev.ClientRequestToken),
        error: message,
      });
      const out = new Error(message);
      out.name = err instanceof RotationError ? 'RotationError' : 'RotationStepFailed';
      throw out;
    }
  };
}
