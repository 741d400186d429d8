/**
 * The invariants of __tests__/support/invariants.ts over the shipped catalogs (whatever a team has
 * put in catalogs/) and over the fixture team, where every feature is present so that no
 * invariant holds vacuously. The unit suite's only look at catalogs/: every other test builds the
 * catalogs it needs (__tests__/support/fixtures.ts).
 */
import { ENVIRONMENTS } from '../../catalogs';
import type { EnvironmentConfig } from '../../catalogs/types';
import { INVARIANTS, synthWorld, type World } from '../support/invariants';
import { fixtureVariants, teamCatalogs } from '../support/fixtures';

/** Each set synthesized once, when a test first needs it (a refused set fails its own tests only). */
const worlds = new Map<string, World>();
const world = (name: string, catalogs: () => EnvironmentConfig[]) => {
  if (!worlds.has(name)) worlds.set(name, synthWorld(catalogs()));
  return worlds.get(name)!;
};
const variants = fixtureVariants();

describe.each(INVARIANTS.map((i) => [i.id, i] as const))('%s', (_id, inv) => {
  test(`the shipped catalogs: ${inv.title}`, () => expect(inv.check(world('shipped', () => ENVIRONMENTS))).toEqual([]));
  test('the fixture team', () => expect(inv.check(world('team', teamCatalogs))).toEqual([]));
  test.each(Object.keys(variants))('fixture: %s', (name) => expect(inv.check(world(name, () => variants[name]))).toEqual([]));
});
