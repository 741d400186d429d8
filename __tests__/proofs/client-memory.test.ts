/**
 * The cache stays bounded in memory: 100k distinct ids read, half present and half missing,
 * through a SecretCache with its defaults (maxEntries 1,000, maxRedactedValues 10,000). Run in
 * its own Node process with --expose-gc (tools/testing/memory-probe.ts), so the heap before and after is
 * measured after full collections. The margin is wide (10 MB against the ~1.5 MB a full cache
 * holds; before 1.0 the same kind of run grew by 77 MB), so the figure is steady enough for a
 * test; the bench reports it too, against a hand-written Map cache in the same run.
 */
import { runMemoryProbe } from '../../tools/testing/run-memory-probe';

jest.setTimeout(120_000);

test('100k distinct ids read and missing: the heap comes back within 10 MB, every map and the redactor within their caps', () => {
  const r = runMemoryProbe(100_000);
  expect(r.stats!.slots).toBeLessThanOrEqual(1_000);
  expect(r.stats!.watches).toBeLessThanOrEqual(1_000);
  expect(r.stats!.redactedValues).toBeLessThanOrEqual(10_000);
  expect(r.stats!.entries).toBeGreaterThan(0);
  // an evicted entry's password is not kept for scrubbing
  expect(r.scrubbedOld).toBe(false);
  expect(r.growthMb).toBeLessThan(10);
  expect(r.afterCloseMb).toBeLessThan(10);
});
