/**
 * Plays Secrets Manager's part in a rotation: start it (a new AWSPENDING version with no value),
 * then invoke the function with each step, as the service does, stopping early when a test
 * simulates a crash.
 */
import { type Step, STEPS } from '../../lambdas/rotation/protocol';

export type Handler = (event: unknown) => Promise<void>;

export interface RotationService {
  /** Starts a rotation and returns its token (RotateSecret's ClientRequestToken). */
  startRotation(secretId: string): Promise<string> | string;
}

export async function runSteps(handler: Handler, secretId: string, token: string, steps: readonly Step[] = STEPS): Promise<void> {
  for (const Step of steps) await handler({ SecretId: secretId, ClientRequestToken: token, Step });
}

/** A whole rotation; returns its token. */
export async function rotate(service: RotationService, handler: Handler, secretId: string): Promise<string> {
  const token = await service.startRotation(secretId);
  await runSteps(handler, secretId, token);
  return token;
}

/** The steps up to and including `last` (a crash right after it). */
export function stepsThrough(last: Step): Step[] {
  return STEPS.slice(0, STEPS.indexOf(last) + 1);
}
