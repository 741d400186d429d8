/**
 * The client's cache on a fake clock against an in-memory Secrets Manager: single-flight,
 * TTL with jitter, stale-while-refresh, the limits on serving a stale value after errors,
 * rate-limited forced refreshes, the rotation watch, timeouts and aborts, typed values and
 * replica failover.
 */
import { type CacheEvent, SecretCache, type SecretCacheOptions } from '../../client/src/cache';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SecretsClientError, systemClock } from '../../client/src/util';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { awsError, FakeClock, FakeSdk, flush, networkError, HOOK_NAMES } from '../../tools/testing/client-fakes';

const MIN = 60_000;

function setup(opts: Partial<SecretCacheOptions> = {}, value = JSON.stringify({ username: 'app', password: 'Pw-One-0001', port: 5432 })) {
  const sm = new MemorySecretsManager();
  const arn = sm.create('prod/app/db', { value });
  const sdk = new FakeSdk(sm);
  const clock = new FakeClock();
  const events: Array<[string, CacheEvent]> = [];
  const hooks = Object.fromEntries(HOOK_NAMES.map((k) => [k, (e: CacheEvent) => events.push([k, e])]));
  const logs: string[] = [];
  const cache = new SecretCache({
    client: sdk,
    clock,
    random: () => 0.5,
    hooks,
    logger: { warn: (m, f) => logs.push(JSON.stringify([m, f])) },
    ...opts,
  });
  const count = (kind: string) => events.filter(([k]) => k === kind).length;
  return { sm, arn, sdk, clock, cache, events, logs, count };
}

describe('single flight', () => {
  test('1,000 concurrent gets of a missing entry cost exactly 1 API call', async () => {
    const s = setup();
    const all = await Promise.all(Array.from({ length: 1000 }, () => s.cache.getJson<{ password: string }>(s.arn)));
    expect(s.sdk.count('GetSecretValue')).toBe(1);
    expect(new Set(all).size).toBe(1); // one parsed, frozen object shared by every caller
    expect(all[0].password).toBe('Pw-One-0001');
    expect(Object.isFrozen(all[0])).toBe(true);
    // and 1,000 more from the cache: no call
    await Promise.all(Array.from({ length: 1000 }, () => s.cache.getString(s.arn)));
    expect(s.sdk.count('GetSecretValue')).toBe(1);
    expect(s.count('miss')).toBe(1000); // 1 fetch + 999 joined
    expect(s.count('hit')).toBe(1000);
  });

  test('entries are per stage and per version id', async () => {
    const s = setup();
    const cur = await s.cache.getSecret(s.arn);
    const token = s.sm.startRotation(s.arn);
    await s.sm.putSecretValue({
      SecretId: s.arn,
      ClientRequestToken: token,
      SecretString: '{"username":"app","password":"Pw-Two-0002"}',
      VersionStages: ['AWSPENDING'],
    });
    const pending = await s.cache.getJson<{ password: string }>(s.arn, { versionStage: 'AWSPENDING' });
    const byId = await s.cache.getJson<{ password: string }>(s.arn, { versionId: cur.versionId });
    expect(pending.password).toBe('Pw-Two-0002');
    expect(byId.password).toBe('Pw-One-0001');
    expect(s.sdk.calls.map((c) => c.stage ?? `id:${c.versionId === cur.versionId}`)).toEqual(['AWSCURRENT', 'AWSPENDING', 'id:true']);
  });
});

describe('TTL', () => {
  test('5 minutes with jitter by default; an expired entry is served while one refresh runs', async () => {
    const s = setup({ random: () => 1, watch: false }); // jitter takes the full 10% off
    await s.cache.getString(s.arn);
    await s.clock.advance(4.5 * MIN - 1);
    await s.cache.getString(s.arn);
    expect(s.sdk.count()).toBe(1);
    await s.clock.advance(1);
    s.sdk.hang = true; // the refresh does not answer yet
    const served = await Promise.all(Array.from({ length: 100 }, () => s.cache.getString(s.arn)));
    expect(served.every((v) => v.includes('Pw-One-0001'))).toBe(true);
    expect(s.sdk.count()).toBe(2); // one background refresh for 100 gets
    expect(s.events.filter(([k, e]) => k === 'stale' && e.reason === 'refreshing')).toHaveLength(100);
  });

  test('without jitter the entry lives the full TTL; the fleet spread is at most 10%', async () => {
    const s = setup({ random: () => 0, watch: false });
    await s.cache.getString(s.arn);
    await s.clock.advance(5 * MIN - 1);
    await s.cache.getString(s.arn);
    expect(s.sdk.count()).toBe(1);
    await s.clock.advance(1);
    await s.cache.getString(s.arn);
    await flush();
    expect(s.sdk.count()).toBe(2);
  });

  test('a refresh that finds a new version replaces the entry and reports the rotation', async () => {
    const s = setup({ watch: false });
    await s.cache.getString(s.arn);
    s.sm.operatorPut(s.arn, '{"username":"app","password":"Pw-Two-0002"}');
    await s.clock.advance(5 * MIN);
    await s.cache.getString(s.arn); // stale, starts the refresh
    await flush();
    expect(await s.cache.getString(s.arn)).toContain('Pw-Two-0002');
    expect(s.events.find(([k]) => k === 'rotation')?.[1]).toMatchObject({ stage: 'AWSCURRENT', reason: 'refresh' });
  });
});

describe('stale values after errors', () => {
  test('transient errors: the cached value is served, with backoff, up to maxStaleMs past expiry; then gets fail', async () => {
    const s = setup({ watch: false, maxStaleMs: 10 * MIN });
    await s.cache.getString(s.arn);
    s.sdk.failWith = () => awsError('ThrottlingException', 'Rate exceeded', { $metadata: { httpStatusCode: 400 } });
    await s.clock.advance(5 * MIN);
    // 1,000 gets right after expiry: all served, one refresh attempt, not one per get
    const served = await Promise.all(Array.from({ length: 1000 }, () => s.cache.getString(s.arn)));
    await flush();
    expect(served.every((v) => v.includes('Pw-One-0001'))).toBe(true);
    expect(s.sdk.count()).toBe(2);
    await s.cache.getString(s.arn);
    expect(s.events.filter(([k, e]) => k === 'stale' && e.reason === 'refresh failed').length).toBeGreaterThan(0);
    // retries follow the backoff (1 s doubling, jittered), not the request rate
    for (let i = 0; i < 60; i++) {
      await s.clock.advance(1_000);
      await Promise.all(Array.from({ length: 50 }, () => s.cache.getString(s.arn)));
    }
    await flush();
    const calls = s.sdk.count();
    expect(calls).toBeGreaterThan(3);
    expect(calls).toBeLessThan(12);
    // past maxStaleMs the stale value is refused
    await s.clock.advance(10 * MIN);
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'Throttled', transient: true, causeName: 'ThrottlingException' });
    // the failure is remembered: further gets fail fast without calling
    const before = s.sdk.count();
    await Promise.all(Array.from({ length: 100 }, () => s.cache.getString(s.arn).catch(() => undefined)));
    expect(s.sdk.count()).toBe(before);
    // the service recovers: after the backoff a get fetches again
    s.sdk.failWith = undefined;
    await s.clock.advance(60_000);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001');
  });

  test('a non-transient error (access revoked) drops the cached value at once', async () => {
    const s = setup({ watch: false });
    await s.cache.getString(s.arn);
    s.sdk.failWith = () => awsError('AccessDeniedException', 'User is not authorized to perform secretsmanager:GetSecretValue');
    await s.clock.advance(5 * MIN);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001'); // served while the refresh runs
    await flush();
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'AccessDenied', transient: false });
    expect(s.logs.join('\n')).toMatch(/non-transient error; cached value dropped/);
  });

  test('a failing miss is not retried by every caller', async () => {
    const s = setup({ watch: false });
    s.sdk.failWith = () => networkError('ECONNREFUSED');
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => s.cache.getString(s.arn)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(s.sdk.count()).toBe(1);
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'Unavailable', transient: true });
    expect(s.sdk.count()).toBe(1);
  });
});

describe('forced refresh', () => {
  test('rate-limited per entry: inside the interval it answers at once with the cached value', async () => {
    const s = setup({ watch: false });
    await s.cache.getString(s.arn);
    s.sm.operatorPut(s.arn, '{"username":"app","password":"Pw-Two-0002"}');
    expect(await s.cache.getString(s.arn, { forceRefresh: true })).toContain('Pw-Two-0002');
    s.sm.operatorPut(s.arn, '{"username":"app","password":"Pw-Three-003"}');
    // no timer pending, no sleep: the promise settles without advancing the clock
    const timersBefore = s.clock.pendingTimers;
    expect(await s.cache.getString(s.arn, { forceRefresh: true })).toContain('Pw-Two-0002');
    expect(s.clock.pendingTimers).toBe(timersBefore);
    expect(s.sdk.count()).toBe(2);
    await s.clock.advance(1_000);
    expect(await s.cache.getString(s.arn, { forceRefresh: true })).toContain('Pw-Three-003');
    expect(s.sdk.count()).toBe(3);
  });

  test('concurrent forced refreshes share one call', async () => {
    const s = setup({ watch: false });
    await s.cache.getString(s.arn);
    await Promise.all(Array.from({ length: 200 }, () => s.cache.getString(s.arn, { forceRefresh: true })));
    expect(s.sdk.count()).toBe(2);
  });
});

describe('rotation watch', () => {
  test('DescribeSecret drops an entry whose stage moved, polls fast while AWSPENDING exists', async () => {
    const s = setup();
    await s.cache.getString(s.arn);
    await s.clock.advance(MIN);
    await s.cache.getString(s.arn); // watch due: one DescribeSecret in the background
    await flush();
    expect(s.sdk.count('DescribeSecret')).toBe(1);
    const token = s.sm.startRotation(s.arn);
    await s.sm.putSecretValue({
      SecretId: s.arn,
      ClientRequestToken: token,
      SecretString: '{"username":"app","password":"Pw-Two-0002"}',
      VersionStages: ['AWSPENDING'],
    });
    await s.clock.advance(MIN);
    await s.cache.getString(s.arn);
    await flush();
    expect(s.sdk.count('DescribeSecret')).toBe(2);
    expect(s.cache.pendingVersionId(s.arn)).toBe(token);
    // while pending: every 5 s
    await s.clock.advance(5_000);
    await s.cache.getString(s.arn);
    await flush();
    expect(s.sdk.count('DescribeSecret')).toBe(3);
    // finishSecret moves AWSCURRENT: the next describe drops the entry, the next get fetches it
    const old = Object.entries(s.sm.stagesOf(s.arn)).find(([, st]) => st.includes('AWSCURRENT'))![0];
    await s.sm.updateSecretVersionStage({ SecretId: s.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: old });
    await s.sm.updateSecretVersionStage({ SecretId: s.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token });
    await s.clock.advance(5_000);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001'); // still the old one: describe runs in the background
    await flush();
    expect(s.events.find(([k]) => k === 'rotation')?.[1]).toMatchObject({
      stage: 'AWSCURRENT',
      fromVersionId: old,
      toVersionId: token,
      reason: 'watch',
    });
    expect(await s.cache.getString(s.arn)).toContain('Pw-Two-0002');
    expect(s.sdk.count('GetSecretValue')).toBe(2);
    expect(s.cache.pendingVersionId(s.arn)).toBeUndefined();
  });

  test('entries expire at NextRotationDate', async () => {
    const s = setup();
    s.sdk.nextRotationDate = new Date(s.clock.now() + 90_000);
    await s.cache.getString(s.arn);
    await s.clock.advance(MIN);
    await s.cache.getString(s.arn);
    await flush(); // describe learns the date
    await s.clock.advance(29_000);
    await s.cache.getString(s.arn);
    expect(s.sdk.count('GetSecretValue')).toBe(1);
    await s.clock.advance(1_000); // NextRotationDate reached, long before the 5-minute TTL
    await s.cache.getString(s.arn);
    await flush();
    expect(s.sdk.count('GetSecretValue')).toBe(2);
  });

  test('a role without DescribeSecret: the watch pauses (values follow the TTL), is tried again later, and resumes once allowed', async () => {
    const s = setup({ watchDeniedRetryMs: 10 * MIN });
    let denied = true;
    s.sdk.failWith = (c) =>
      denied && c.api === 'DescribeSecret'
        ? awsError('AccessDeniedException', 'not authorized to perform secretsmanager:DescribeSecret')
        : undefined;
    await s.cache.getString(s.arn);
    for (let i = 0; i < 5; i++) {
      await s.clock.advance(MIN);
      await s.cache.getString(s.arn);
      await flush();
    }
    // one denied describe, then quiet: not one per interval
    expect(s.sdk.count('DescribeSecret')).toBe(1);
    expect(s.logs.filter((l) => l.includes('rotation watch paused'))).toHaveLength(1);
    // the grant is added; the watch is tried again after watchDeniedRetryMs and sees the next rotation
    denied = false;
    await s.clock.advance(6 * MIN); // 10 minutes after the denied describe
    await s.cache.getString(s.arn);
    await flush();
    expect(s.sdk.count('DescribeSecret')).toBe(2);
    expect(s.logs.filter((l) => l.includes('rotation watch resumed'))).toHaveLength(1);
    s.sm.operatorPut(s.arn, '{"username":"app","password":"Pw-Two-0002"}');
    await s.clock.advance(MIN);
    await s.cache.getString(s.arn); // the watch runs, sees AWSCURRENT moved, drops the entry
    await flush();
    expect(await s.cache.getString(s.arn)).toContain('Pw-Two-0002');
  });

  test('a secret scheduled for deletion is dropped at the next describe, not served until its TTL', async () => {
    const s = setup();
    await s.cache.getString(s.arn);
    s.sdk.describeExtra = { DeletedDate: new Date(s.clock.now()) };
    s.sdk.failWith = (c) =>
      c.api === 'GetSecretValue'
        ? awsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.")
        : undefined;
    await s.clock.advance(MIN);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001'); // the describe runs in the background
    await flush();
    expect(s.count('deleted')).toBe(1);
    expect(s.cache.stats()).toMatchObject({ slots: 0, entries: 0, watches: 0, redactedValues: 0 });
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({
      code: 'NotFound',
      transient: false,
      causeName: 'InvalidRequestException',
    });
  });

  test('a secret deleted for good (DescribeSecret: not found) is dropped too', async () => {
    const s = setup();
    await s.cache.getString(s.arn);
    s.sdk.failWith = () => awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    await s.clock.advance(MIN);
    await s.cache.getString(s.arn);
    await flush();
    expect(s.count('deleted')).toBe(1);
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('timeouts and aborts', () => {
  test('every call has a timeout; the caller can abort its own wait without cancelling the shared fetch', async () => {
    const s = setup({ requestTimeoutMs: 2_000, timeoutMs: 3_000 });
    s.sdk.hang = true;
    const ac = new AbortController();
    const aborted = s.cache.getString(s.arn, { signal: ac.signal });
    const waiting = s.cache.getString(s.arn);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({
      code: 'Aborted',
      message: expect.stringContaining(`secret ${s.arn} (AWSCURRENT): aborted`),
    });
    const settled = waiting.catch((e) => e);
    await s.clock.advance(2_000);
    expect(await settled).toMatchObject({ code: 'Timeout', transient: true });
    expect(s.sdk.count()).toBe(1);
  });

  test('an already-aborted signal fails before any call', async () => {
    const s = setup();
    const ac = new AbortController();
    ac.abort();
    await expect(s.cache.getString(s.arn, { signal: ac.signal })).rejects.toMatchObject({ code: 'Aborted' });
    expect(s.sdk.count()).toBe(0);
  });
});

describe('typed values', () => {
  test('getJson with key extraction and a validator; clear errors without the value', async () => {
    const s = setup({}, JSON.stringify({ username: 'app', password: 'Pw-One-0001', port: 5432 }));
    expect(await s.cache.getJson<string>(s.arn, { key: 'password' })).toBe('Pw-One-0001');
    const port = await s.cache.getJson(s.arn, { key: 'port', parse: (v) => (typeof v === 'number' ? v : Number.NaN) });
    expect(port).toBe(5432);
    await expect(s.cache.getJson(s.arn, { key: 'token' })).rejects.toThrow(/has no key "token"/);
    const err = await s.cache
      .getJson(s.arn, {
        key: 'password',
        parse: (v) => {
          throw new TypeError(`expected a number, got ${String(v)}`);
        },
      })
      .catch((e) => e as SecretsClientError);
    expect(err.message).toMatch(/key "password" failed validation \(TypeError\)/);
    expect(err.message).not.toContain('Pw-One-0001');
  });

  test('a value that is not JSON: the parse error does not quote it', async () => {
    const s = setup({}, 'Plain-Text-Secret-Value');
    const err = (await s.cache.getJson(s.arn).catch((e) => e)) as Error;
    expect(err.message).toMatch(/is not valid JSON/);
    expect(err.message).not.toContain('Plain');
    expect(await s.cache.getString(s.arn)).toBe('Plain-Text-Secret-Value');
  });

  test('binary values', async () => {
    const s = setup();
    const bytes = new Uint8Array([0, 1, 2, 250, 251]);
    s.sdk.binary.set('prod/signing-key', bytes);
    expect(await s.cache.getBinary('prod/signing-key')).toEqual(bytes);
    await expect(s.cache.getString('prod/signing-key')).rejects.toMatchObject({ code: 'NotString' });
    await expect(s.cache.getBinary(s.arn)).rejects.toMatchObject({ code: 'NotBinary' });
  });
});

describe('replica failover', () => {
  function replicated(opts: Partial<SecretCacheOptions> = {}) {
    const s = setup({ region: 'us-east-1', ...opts });
    const replica = new FakeSdk(s.sm, (id) => id.replace(':us-west-2:', ':us-east-1:'));
    const cache = new SecretCache({
      client: s.sdk,
      region: 'us-east-1',
      clock: s.clock,
      failover: { regions: ['us-west-2'], clientFor: () => replica, cooldownMs: 30_000 },
      hooks: { failover: (e) => s.events.push(['failover', e]) },
      ...opts,
    });
    return { ...s, replica, cache };
  }

  test("the primary's endpoint fails: the replica region answers, with the ARN rewritten", async () => {
    const s = replicated();
    s.sdk.failWith = () => networkError('ETIMEDOUT');
    expect(await s.cache.getJson(s.arn, { key: 'password' })).toBe('Pw-One-0001');
    expect(s.replica.calls[0].secretId).toBe(s.arn.replace(':us-east-1:', ':us-west-2:'));
    expect(s.events.find(([k]) => k === 'failover')?.[1]).toMatchObject({
      fromRegion: 'us-east-1',
      toRegion: 'us-west-2',
      errorName: 'ETIMEDOUT',
    });
    expect((await s.cache.getSecret(s.arn)).region).toBe('us-west-2');
  });

  test('5xx and timeouts fail over; during the cooldown the replica is asked first; then the primary again', async () => {
    const s = replicated({ requestTimeoutMs: 1_000, watch: false });
    s.sdk.failWith = () => awsError('InternalServiceError', 'internal', { $metadata: { httpStatusCode: 500 } });
    await s.cache.getString(s.arn);
    expect(s.sdk.count()).toBe(1);
    expect(s.replica.count()).toBe(1);
    await s.cache.getString(s.arn, { forceRefresh: true });
    await s.cache.getString(s.arn, { forceRefresh: true }); // within the 1 s rate limit: cached
    expect(s.replica.count()).toBe(2);
    await s.clock.advance(1_500);
    await s.cache.getString(s.arn, { forceRefresh: true });
    expect(s.sdk.count()).toBe(1); // cooldown: primary skipped
    expect(s.replica.count()).toBe(3);
    s.sdk.failWith = undefined;
    s.sdk.hang = true;
    await s.clock.advance(30_000);
    const p = s.cache.getString(s.arn, { forceRefresh: true });
    await s.clock.advance(1_000); // the primary times out; the replica answers
    expect(await p).toContain('Pw-One-0001');
    expect(s.sdk.count()).toBe(2);
    expect(s.replica.count()).toBe(4);
  });

  test('errors that are not the endpoint (access denied, not found) do not fail over', async () => {
    const s = replicated();
    s.sdk.failWith = () => awsError('AccessDeniedException', 'denied');
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(s.replica.count()).toBe(0);
  });

  test('failover can be left off: the primary error is thrown', async () => {
    const s = setup();
    s.sdk.failWith = () => networkError('ECONNREFUSED');
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'Unavailable', causeName: 'ECONNREFUSED' });
  });
});

describe('error codes', () => {
  test.each([
    ['ThrottlingException', 'Rate exceeded', 'Throttled', true],
    ['TooManyRequestsException', 'slow down', 'Throttled', true],
    ['DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", 'KmsFailure', false],
    ['AccessDeniedException', 'Access to KMS is not allowed', 'KmsFailure', false],
    ['KMSInvalidStateException', 'key is pending deletion', 'KmsFailure', false],
    ['AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue', 'AccessDenied', false],
    ['ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 'NotFound', false],
    ['InternalServiceError', 'internal', 'Unavailable', true],
    ['InvalidParameterException', 'bad parameter', 'Failed', false],
  ])('%s (%s) is %s', async (name, message, code, transient) => {
    const s = setup({ watch: false });
    s.sdk.failWith = () => awsError(name, message, name === 'InternalServiceError' ? { $metadata: { httpStatusCode: 500 } } : {});
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code, transient, causeName: name });
  });
});

test('a binary value is reported as binary, even when its bytes are JSON', async () => {
  const s = setup();
  s.sdk.binary.set('prod/json-as-binary', new TextEncoder().encode('{"password":"Pw-In-Binary-9"}'));
  const err = (await s.cache.getJson('prod/json-as-binary').catch((e) => e)) as SecretsClientError;
  expect(err).toMatchObject({ code: 'NotString' });
  expect(err.message).toMatch(/holds a binary value \(SecretBinary\).*getBinary\(\)/);
  expect(err.message).not.toMatch(/JSON/);
  await expect(s.cache.getString('prod/json-as-binary')).rejects.toMatchObject({ code: 'NotString' });
});

describe('bounded', () => {
  function many(n: number, opts: Partial<SecretCacheOptions>) {
    const s = setup(opts);
    const arns = Array.from({ length: n }, (_, i) =>
      s.sm.create(`app/many-${i}`, {
        value: JSON.stringify({ username: `u${i}`, password: `Pw-Many-${i}-xx`, apiKey: `Key-Many-${i}-yy` }),
      }),
    );
    return { ...s, arns };
  }

  test('least recently used entries go first (a hot entry survives a scan)', async () => {
    const s = many(4, { maxEntries: 3, watch: false });
    const [a, b, c, d] = s.arns as [string, string, string, string];
    for (const id of [a, b, c]) await s.cache.getString(id);
    await s.cache.getString(a); // a is hot again
    await s.cache.getString(d); // evicts b, the least recently used (first-in-first-out would evict a)
    const before = s.sdk.count('GetSecretValue');
    await s.cache.getString(a);
    await s.cache.getString(c);
    expect(s.sdk.count('GetSecretValue')).toBe(before);
    await s.cache.getString(b);
    expect(s.sdk.count('GetSecretValue')).toBe(before + 1);
  });

  test('read and missing ids: entries, remembered failures, watches and redacted values all stay within their caps', async () => {
    const s = many(2_000, { maxEntries: 500, maxRedactedValues: 700 });
    for (const id of s.arns) await s.cache.getString(id);
    for (let i = 0; i < 2_000; i++) await s.cache.getString(`app/missing-${i}`).catch(() => undefined);
    const st = s.cache.stats();
    expect(st.slots).toBeLessThanOrEqual(500);
    expect(st.watches).toBeLessThanOrEqual(500);
    expect(st.redactedValues).toBeLessThanOrEqual(700);
    // the newest missing ids fill the cache; their failures are remembered (no call within the backoff)
    const calls = s.sdk.count();
    await s.cache.getString('app/missing-1999').catch(() => undefined);
    expect(s.sdk.count()).toBe(calls);
    // an evicted entry took its watch and its values with it
    s.cache.invalidate();
    expect(s.cache.stats()).toEqual({ slots: 0, entries: 0, watches: 0, redactedValues: 0 });
  });

  test('the redactor holds the values of the entries held: a rotated-away password is not kept', async () => {
    const s = setup({ watch: false });
    await s.cache.getString(s.arn);
    expect(s.cache.scrub('x Pw-One-0001 y')).toBe('x [REDACTED] y');
    s.sm.operatorPut(s.arn, '{"username":"app","password":"Pw-Two-0002"}');
    await s.cache.getString(s.arn, { forceRefresh: true });
    expect(s.cache.scrub('x Pw-One-0001 Pw-Two-0002')).toBe('x Pw-One-0001 [REDACTED]');
    expect(s.cache.scrub('app')).toBe('app'); // naming fields are not redacted
  });
});

describe('recovery', () => {
  test('a non-transient error is retried within nonTransientBackoffMaxMs (5 s), not a minute', async () => {
    const s = setup({ watch: false });
    s.sdk.failWith = () => awsError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue');
    for (let i = 0; i < 10; i++) {
      await s.cache.getString(s.arn).catch(() => undefined);
      await s.clock.advance(5_000);
    }
    expect(s.sdk.count()).toBeGreaterThanOrEqual(8); // one try per ≤ 5 s, however long it failed
    s.sdk.failWith = undefined; // the grant is fixed
    await s.clock.advance(5_000);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001');
  });

  test('invalidate() forgets the failure and its backoff: the next get asks at once', async () => {
    const s = setup({ watch: false, nonTransientBackoffMaxMs: 60_000, errorBackoffBaseMs: 60_000 });
    s.sdk.failWith = () => awsError('ResourceNotFoundException', 'not found');
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'NotFound' });
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'NotFound' });
    expect(s.sdk.count()).toBe(1); // remembered
    s.sdk.failWith = undefined;
    s.cache.invalidate(s.arn);
    expect(await s.cache.getString(s.arn)).toContain('Pw-One-0001');
    expect(s.sdk.count()).toBe(2);
  });
});

describe('close', () => {
  test('aborts requests in flight, fails later gets with Closed, destroys only the clients it made', async () => {
    const s = setup();
    await s.cache.getString(s.arn);
    s.sdk.hang = true;
    const inflight = s.cache.getString(s.arn, { forceRefresh: true });
    s.cache.close();
    await expect(inflight).rejects.toMatchObject({ code: 'Closed' });
    await expect(s.cache.getString(s.arn)).rejects.toMatchObject({ code: 'Closed' });
    expect(s.cache.stats()).toEqual({ slots: 0, entries: 0, watches: 0, redactedValues: 0 });
    expect(s.sdk.destroyed).toBe(0); // injected: the caller's to destroy
    expect(s.clock.pendingTimers).toBe(0);
    s.cache.close(); // idempotent
  });

  test('a cache that made its own SDK client destroys it', () => {
    const destroy = jest.spyOn(SecretsManagerClient.prototype, 'destroy');
    try {
      const cache = new SecretCache({ region: 'us-east-1' });
      cache.close();
      expect(destroy).toHaveBeenCalledTimes(1);
    } finally {
      destroy.mockRestore();
    }
  });

  test("the system clock's request timers never hold the process; a caller's backoff does", () => {
    const background = systemClock.setTimeout(() => undefined, 60_000, { background: true }) as NodeJS.Timeout;
    const held = systemClock.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    expect(background.hasRef()).toBe(false);
    expect(held.hasRef()).toBe(true);
    systemClock.clearTimeout(background);
    systemClock.clearTimeout(held);
  });
});
