/**
 * The seam between the catalog and the rotation Lambdas: which bundle a group runs, the
 * environment variables it reads, and the tags that carry per-secret settings. The contract
 * itself (names, tag keys, rule checks) lives with the handlers in lambdas/rotation/contract.ts,
 * free of cdktf, so both sides read the same definitions.
 */
import { buildHandler } from '../lambdas/build';
import { MIN_TLS_ENV, rulesToTags, STRATEGY_ENV, TAG, weakestTls } from '../lambdas/rotation/contract';
import { ROTATION_FUNCTION_TAG } from '../modules/rotation';
import { catalogUsername, RotationGroup, rotationFunctionName, rotationGroupKey, secretName } from './environments/derive';
import { EnvironmentConfig, SecretSpec } from './environments/types';

/** The bundle file for a handler; built by esbuild, or reused while its sources are unchanged. */
export function bundleFor(handler: RotationGroup['handler']): string {
  return buildHandler(handler).file;
}

/** Lambda runtimes from Node.js 20 on load Amazon's CA bundle (with the RDS CAs) only when asked to. */
export const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export function rotationEnvironment(group: RotationGroup): Record<string, string> {
  if (!group.strategy) return {};
  const tls = weakestTls(group.secrets.map((s) => (s.rotation?.kind === 'database' ? (s.rotation.tls ?? 'verify-full') : 'verify-full')));
  return { [STRATEGY_ENV]: group.strategy, [MIN_TLS_ENV]: tls, NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE };
}


/** Tags of a rotated secret: its function (for the bulk IAM form) and the settings its handler reads. */
export function rotationTags(env: EnvironmentConfig, s: SecretSpec): Record<string, string> {
  const r = s.rotation;
  if (!r) return {};
  const tags: Record<string, string> = { [ROTATION_FUNCTION_TAG]: rotationFunctionName(env, { key: rotationGroupKey(r) }) };
  if (r.kind === 'generated') {
    Object.assign(tags, rulesToTags({ format: r.format, length: r.length, excludeCharacters: r.excludeCharacters, jsonKey: r.jsonKey }));
  } else {
    const admin = r.adminSecret ? env.secrets.find((x) => x.id === r.adminSecret) : undefined;
    if (admin) tags[TAG.adminSecret] = secretName(env, admin);
    if (r.tls && r.tls !== 'verify-full') tags[TAG.tls] = r.tls;
    // Pins the user, so whoever can write the value cannot point rotation at another login.
    const username = catalogUsername(s);
    if (username) tags[TAG.username] = username;
  }
  return tags;
}
