import type { EnvironmentPlan } from '../plan/types';

/** Every tag set the catalog controls: the default tags, and each secret's tags. */
export function tagSets(plan: EnvironmentPlan): Array<[string, Readonly<Record<string, string>>, string | undefined]> {
  return [
    ['default', plan.defaultTags, undefined],
    ...plan.secrets.map((s) => ['its', s.tags, s.id] as [string, Readonly<Record<string, string>>, string]),
  ];
}
