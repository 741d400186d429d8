/**
 * The rotation-aware client against real PostgreSQL 15 and MariaDB 10.11 with moto: 8 workers
 * query continuously through our pools (connections recycled every 10 queries for single-user, so
 * logins happen inside rotation windows; every 100 for alternating users, so idle connections of
 * an old version are there to retire) while our rotation functions rotate the secret 20 times, single-user
 * and alternating users. Result: no failed query, and at most one refused login per rotation,
 * counted from the database server's own log. Started by `npm run test:integration`.
 */
import { runRotationLoad } from '../../tools/testing/rotation-load';

jest.setTimeout(180_000);

const ROTATIONS = 20;
/**
 * Rotations come every ~1.2 s here instead of every few hours or days (Secrets Manager's
 * shortest schedule is 4 hours), so the failed-login window shrinks with them: 5 per second
 * instead of 5 per minute. The count asserted below is per rotation either way.
 */
const AUTH_RETRY = { failureWindowMs: 1_000 };

describe.each([
  ['postgres', 'postgres'],
  ['mariadb', 'mysql'],
] as const)('%s', (_, kind) => {
  test.each(['single-user', 'alternating-users'] as const)('%s: 8 workers, 20 rotations, 0 failed queries, at most 1 refused login per rotation', async (strategy) => {
    const r = await runRotationLoad({ kind, strategy, client: 'ours', rotations: ROTATIONS, workers: 8, authRetry: AUTH_RETRY });
    console.log(`${kind} ${strategy}: ${JSON.stringify(r)}`);
    expect(r.rotations).toBe(ROTATIONS);
    expect(r.errors).toEqual([]);
    expect(r.failedQueries).toBe(0);
    expect(r.queries).toBeGreaterThan(ROTATIONS * 20);
    // logins really happened throughout
    expect(r.connectionsOpened).toBeGreaterThan(ROTATIONS * 2);
    expect(r.failedLogins).toBeLessThanOrEqual(ROTATIONS);
    if (strategy === 'single-user') {
      // the window is real: the stale password is refused at least sometimes
      expect(r.failedLogins).toBeGreaterThan(0);
    } else {
      // alternating users: both users served queries, and connections of old versions were retired
      expect(r.users.sort()).toEqual(expect.arrayContaining([expect.stringMatching(/_clone$/)]));
      expect(r.retired).toBeGreaterThan(0);
    }
  });
});
