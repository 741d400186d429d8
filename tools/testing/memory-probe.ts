/**
 * Memory probe, run by __tests__/proofs/client-memory.test.ts (bundled with esbuild,
 * `node --expose-gc`) and by the bench:
 * 100k distinct ids through one SecretCache with its defaults, half of them present (each with its
 * own password), half missing; the heap after a full GC against the heap before, and what the
 * cache holds. `naive` runs the same ids through a hand-written Map cache (the bench's baseline).
 * Prints one JSON line.
 */
import { SecretCache } from '../../client/src/cache';

const IDS = Number(process.argv[2] ?? 100_000);
const NAIVE = process.argv[3] === 'naive';

/** A Secrets Manager that answers from the id alone and keeps nothing (the heap is the cache's). */
const sender = {
  async send(command: { constructor: { name: string }; input: { SecretId: string } }): Promise<unknown> {
    const id = command.input.SecretId;
    if (!id.startsWith('present/'))
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      });
    if (command.constructor.name === 'DescribeSecretCommand') return { ARN: id, Name: id, VersionIdsToStages: { v1: ['AWSCURRENT'] } };
    return {
      ARN: id,
      Name: id,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      SecretString: JSON.stringify({ username: 'app', password: `pw-${id}-${'x'.repeat(40)}`, apiKey: `key-${id}` }),
    };
  },
};

async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    (globalThis as { gc?: () => void }).gc!();
  }
  return process.memoryUsage().heapUsed;
}

/** A module-level Map with a 5-minute expiry, as applications write it. */
async function naive(): Promise<void> {
  const cache = new Map<string, { value: string; expires: number }>();
  const before = await heap();
  const t0 = performance.now();
  for (let i = 0; i < IDS; i++) {
    const id = i % 2 === 0 ? `present/${i}` : `missing/${i}`;
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) continue;
    try {
      const r = (await sender.send({ constructor: { name: 'GetSecretValueCommand' }, input: { SecretId: id } })) as {
        SecretString: string;
      };
      cache.set(id, { value: r.SecretString, expires: Date.now() + 300_000 });
    } catch {
      // a missing id is asked again next time
    }
  }
  const ms = performance.now() - t0;
  const after = await heap();
  console.log(JSON.stringify({ ids: IDS, ms: Math.round(ms), growthMb: (after - before) / 2 ** 20, entries: cache.size }));
}

async function main(): Promise<void> {
  if (NAIVE) return naive();
  const cache = new SecretCache({ client: sender });
  const before = await heap();
  const t0 = performance.now();
  for (let i = 0; i < IDS; i++) {
    const id = i % 2 === 0 ? `present/${i}` : `missing/${i}`;
    await cache.getString(id).catch(() => undefined);
  }
  const ms = performance.now() - t0;
  const stats = cache.stats();
  const after = await heap();
  // the old password of an evicted entry is not kept for scrubbing
  const scrubbedOld = cache.scrub(`pw-present/0-${'x'.repeat(40)}`) !== `pw-present/0-${'x'.repeat(40)}`;
  cache.close();
  const closed = await heap();
  console.log(
    JSON.stringify({
      ids: IDS,
      ms: Math.round(ms),
      heapBeforeMb: before / 2 ** 20,
      heapAfterMb: after / 2 ** 20,
      growthMb: (after - before) / 2 ** 20,
      afterCloseMb: (closed - before) / 2 ** 20,
      stats,
      scrubbedOld,
    }),
  );
}

void main();
