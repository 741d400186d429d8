/**
 * Readers: same-account roles (iam-role readers) are named in the secret and key policies
 * (plan/secrets.ts, plan/keys.ts), so no stack writes into a role it does not own; other accounts
 * get managed policies to attach.
 */
import type { SecretSpec } from '../catalogs/types';
import { type PlanContext, SIZE_PAGES } from './context';
import { tfSafe } from './derive';
import { POLICY_LIMITS } from './policy';
import { readPolicy, splitReadGrants } from './policies/access';
import type { SecretAddresses } from './secrets';
import type { ReaderPlan } from './types';

export function planReaders(ctx: PlanContext, at: SecretAddresses): ReaderPlan[] {
  const { env } = ctx;
  const readerSecrets = new Map<string, SecretSpec[]>();
  for (const s of env.secrets) for (const n of s.readers ?? []) readerSecrets.set(n, [...(readerSecrets.get(n) ?? []), s]);
  const readers: ReaderPlan[] = [];
  for (const [name, granted] of readerSecrets) {
    const resolved = ctx.resolveReader(name);
    if (resolved.kind === 'unknown') continue;
    const grants = granted.map((s) => at.grant(s));
    const subject = `reader ${name} (${env.name})`;
    const fix = 'share fewer secrets with this reader, or group them into JSON secrets';
    const base = { name, reader: env.readers[name], resolved, secretIds: granted.map((s) => s.id) };
    if (resolved.kind === 'iam-role') {
      readers.push(base);
    } else {
      const consumerPolicies = splitReadGrants(grants, POLICY_LIMITS.iamManagedPolicy, { describe: true }).map((part) =>
        ctx.doc({
          subject,
          what: 'a consumer policy (a managed policy in their account)',
          document: readPolicy(part, { describe: true }),
          limit: POLICY_LIMITS.iamManagedPolicy,
          limitSource: SIZE_PAGES.iam,
          fix,
        }),
      );
      readers.push({ ...base, consumerPolicies, outputName: `consumer_policies_${tfSafe(name)}` });
    }
  }
  return readers;
}
