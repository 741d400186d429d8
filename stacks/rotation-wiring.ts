/**
 * The seam between the plan and the rotation Lambdas' bundles. What a function's environment
 * and a secret's rotation:* tags hold is derived in the plan (plan/plan.ts); the contract
 * itself (names, tag keys, rule checks) lives with the handlers in lambdas/rotation/contract.ts.
 */
import { buildHandler } from '../lambdas/build';
import type { HandlerName } from '../lambdas/rotation/contract';

/** The bundle file for a handler; built by esbuild, or reused while its sources are unchanged. */
export function bundleFor(handler: HandlerName): string {
  return buildHandler(handler).file;
}
