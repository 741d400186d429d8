/** The customer-managed keys: one per category in use, replicated where its secrets are, and the monitoring key. */
import { PROJECT } from '../catalogs/project';
import type { KeyCategory } from '../catalogs/types';
import { estimatedKeyArn } from './arn';
import { grantees, namedReaders, type PlanContext, SIZE_PAGES } from './context';
import { POLICY_LIMITS, type PolicyDocument } from './policy';
import { environmentLogGroups } from './policies/access';
import { type KeyGrantee, keyPolicy } from './policies/key';
import type { KeyPlan } from './types';

export type KeySpec = Omit<KeyPlan, 'arnByRegion' | 'policyByRegion' | 'regions'>;

/**
 * A key in its Region and replica Regions, each with its estimated ARN and key policy.
 * `readersIn(region)`: the catalog's readers of the secrets under the key in that Region; each
 * Region's policy grants decrypt to those only (a replica Region holds only the secrets that
 * replicate there). Without it every Region grants the key's grantees.
 */
export function planKey(ctx: PlanContext, k: KeySpec, readersIn?: (region: string) => string[]): KeyPlan {
  const { env, scope } = ctx;
  const regions = [env.region, ...k.replicaRegions];
  const arnByRegion: Record<string, string> = {};
  const policyByRegion: Record<string, PolicyDocument> = {};
  for (const region of regions) {
    arnByRegion[region] = estimatedKeyArn(scope, region, k.alias);
    const here = readersIn?.(region).map((n) => ctx.resolveReader(n));
    const keyGrantees = here ? grantees(here) : (k.grantees as KeyGrantee[]);
    const named = here ? namedReaders(here) : [...k.namedReaders];
    policyByRegion[region] = ctx.doc({
      subject: `key ${k.category} (${env.name}, ${region})`,
      what: 'the key policy',
      document: keyPolicy({
        partition: scope.partition,
        accountId: env.accountId,
        region,
        useVia: [...k.useVia],
        grantees: keyGrantees,
        namedReaders: named,
        services: [...k.services],
        ...(k.logGroups ? { logGroups: [...k.logGroups] } : {}),
      }),
      limit: POLICY_LIMITS.kmsKeyPolicy,
      limitSource: SIZE_PAGES.kms,
      fix: 'share fewer roles, or share with an organization',
    });
  }
  return { ...k, regions, arnByRegion, policyByRegion };
}

/** One key per category in use, in order of first use, then the monitoring key. */
export function planKeys(ctx: PlanContext): { keys: KeyPlan[]; monitoringKey: KeyPlan } {
  const { env, prefix, resourceTags } = ctx;
  const categoryRegions = new Map<KeyCategory, string[]>();
  for (const s of env.secrets) {
    if (s.awsManagedKey) continue;
    const regions = categoryRegions.get(s.category) ?? [];
    for (const r of s.replicas ?? []) if (!regions.includes(r) && r !== env.region) regions.push(r);
    categoryRegions.set(s.category, regions.sort());
  }
  const keys = [...categoryRegions].map(([category, replicaRegions]) => {
    const under = env.secrets.filter((s) => s.category === category && !s.awsManagedKey);
    const readerNames = under.flatMap((s) => s.readers ?? []);
    const readersIn = (region: string) =>
      under.filter((s) => region === env.region || (s.replicas ?? []).includes(region)).flatMap((s) => s.readers ?? []);
    return planKey(
      ctx,
      {
        id: `key-${category}`,
        category,
        alias: `alias/${PROJECT}/${prefix}/${category}`,
        description: `${env.name} secrets: ${category}`,
        replicaRegions,
        deletionWindowDays: env.keyDeletionWindowDays,
        useVia: ['secretsmanager'],
        readers: [...new Set(readerNames)],
        grantees: grantees(readerNames.map((n) => ctx.resolveReader(n))),
        namedReaders: namedReaders(readerNames.map((n) => ctx.resolveReader(n))),
        services: [],
        tags: resourceTags,
      },
      readersIn,
    );
  });
  const monitoringKey = planKey(ctx, {
    id: 'key-monitoring',
    category: 'monitoring',
    alias: `alias/${PROJECT}/${prefix}/monitoring`,
    description: `${env.name} secrets platform: alerts topic and rotation logs`,
    replicaRegions: [],
    deletionWindowDays: env.keyDeletionWindowDays,
    useVia: [],
    readers: [],
    grantees: [],
    namedReaders: [],
    services: ['events.amazonaws.com', 'cloudwatch.amazonaws.com', 'logs'],
    logGroups: environmentLogGroups(prefix),
    tags: resourceTags,
  });
  return { keys, monitoringKey };
}
