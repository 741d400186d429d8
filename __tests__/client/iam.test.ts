/**
 * RDS IAM authentication through the same credentials interface as rotated passwords, offline:
 * the token's shape as @aws-sdk/rds-signer makes it (SigV4 presigned, 900 s), tokens made ahead of
 * their 15-minute expiry on a fake clock, a refused token replaced at once, and a secret that says
 * `"auth": "iam"` switching a pool to tokens without a code change.
 */
import {
  IAM_TOKEN_LIFETIME_MS,
  IamAuthCredentials,
  type IamTokenRequest,
  IamTokens,
  RotatingCredentials,
} from '../../client/src/credentials';
import { SecretCache } from '../../client/src/cache';
import { isPgAuthFailure } from '../../client/src/pg';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { FakeClock, FakeSdk, flush } from '../../tools/testing/client-fakes';

const MIN = 60_000;

test('the default signer makes an RDS IAM token: host:port/?Action=connect&DBUser=..., SigV4 presigned for 900 s', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE000000001',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    const tokens = new IamTokens(new FakeClock(), { region: 'eu-west-1' });
    const { token } = await tokens.token({
      hostname: 'tickets.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      username: 'tickets_app',
    });
    expect(token.startsWith('tickets.cluster-abc.eu-west-1.rds.amazonaws.com:5432/?')).toBe(true);
    const q = new URL(`https://${token}`).searchParams;
    expect(q.get('Action')).toBe('connect');
    expect(q.get('DBUser')).toBe('tickets_app');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE000000001\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
    expect(q.get('X-Amz-Date')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(q.get('X-Amz-Expires')).toBe('900');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // another user: another signature
    const other = await tokens.token({ hostname: 'tickets.cluster-abc.eu-west-1.rds.amazonaws.com', port: 5432, username: 'reporting' });
    expect(new URL(`https://${other.token}`).searchParams.get('X-Amz-Signature')).not.toBe(q.get('X-Amz-Signature'));
  } finally {
    process.env = saved;
  }
});

function counting(clock: FakeClock) {
  const made: Array<{ at: number; request: IamTokenRequest }> = [];
  const signer = async (request: IamTokenRequest) => {
    made.push({ at: clock.now(), request });
    return `${request.hostname}:${request.port}/?Action=connect&DBUser=${request.username}&X-Amz-Expires=900&n=${made.length}`;
  };
  return { made, signer };
}

test('tokens are made ahead of their expiry: every login within 2 hours used a token younger than 15 minutes, one made every 10', async () => {
  const clock = new FakeClock();
  const { made, signer } = counting(clock);
  const creds = new IamAuthCredentials({ host: 'db.internal', port: 3306, username: 'app', signer, clock, random: () => 0.5 });
  const ages: number[] = [];
  for (let t = 0; t < 120 * MIN; t += 30_000) {
    const c = await creds.login(async (x) => x, isPgAuthFailure);
    ages.push(clock.now() - c.fetchedAt);
    expect(c).toMatchObject({
      auth: 'iam',
      username: 'app',
      host: 'db.internal',
      port: 3306,
      stage: 'IAM',
      poolKey: 'iam:app@db.internal:3306',
    });
    await clock.advance(30_000);
  }
  expect(Math.max(...ages)).toBeLessThan(IAM_TOKEN_LIFETIME_MS);
  expect(Math.max(...ages)).toBeLessThan(10 * MIN);
  expect(made).toHaveLength(12);
  for (let i = 1; i < made.length; i++) expect(made[i]!.at - made[i - 1]!.at).toBe(10 * MIN);
});

test('concurrent logins share one signing; a refused token is replaced at once (no backoff), then the pool key stays the same', async () => {
  const clock = new FakeClock();
  const { made, signer } = counting(clock);
  const creds = new IamAuthCredentials({ host: 'db.internal', port: 5432, username: 'app', signer, clock });
  await Promise.all(Array.from({ length: 20 }, () => creds.current()));
  expect(made).toHaveLength(1);
  // the database refuses the first token (e.g. signed with credentials that were just rotated)
  const seen: string[] = [];
  const attempt = async (c: { password: string; poolKey: string }) => {
    seen.push(c.password);
    if (c.password.endsWith('n=1')) throw Object.assign(new Error('PAM authentication failed for user "app"'), { code: '28000' });
    return c.poolKey;
  };
  const key = await creds.withRetry(() => creds.login(attempt, isPgAuthFailure), isPgAuthFailure);
  expect(key).toBe('iam:app@db.internal:5432');
  expect(seen.map((p) => p.slice(-3))).toEqual(['n=1', 'n=2']);
  expect(clock.pendingTimers).toBe(0); // no sleep: new credentials are tried at once
});

test('refreshAfterMs must leave the token time to be used', () => {
  expect(() => new IamTokens(new FakeClock(), { refreshAfterMs: IAM_TOKEN_LIFETIME_MS })).toThrow(/refreshAfterMs/);
});

test('a secret that says "auth": "iam" gives tokens for its user and endpoint (no code change); without a host it is refused clearly', async () => {
  const sm = new MemorySecretsManager();
  const arn = sm.create('prod/app/db', {
    value: JSON.stringify({
      engine: 'mysql',
      host: 'db.internal',
      port: 3306,
      dbname: 'app',
      username: 'app',
      password: 'Rotated-Pw-0001',
    }),
  });
  const clock = new FakeClock();
  const { made, signer } = counting(clock);
  const cache = new SecretCache({ client: new FakeSdk(sm), clock });
  const creds = new RotatingCredentials(cache, arn, { iam: { signer, region: 'eu-west-1' } });
  const first = await creds.current();
  expect(first).toMatchObject({ auth: 'password', password: 'Rotated-Pw-0001', poolKey: first.versionId });
  // the team moves the login to IAM authentication: the secret keeps user and endpoint, drops the password
  sm.operatorPut(
    arn,
    JSON.stringify({ engine: 'mysql', host: 'db.internal', port: 3306, dbname: 'app', username: 'app_iam', auth: 'iam' }),
  );
  await cache.getString(arn, { forceRefresh: true });
  const iam = await creds.current();
  expect(iam).toMatchObject({ auth: 'iam', username: 'app_iam', dbname: 'app', poolKey: 'iam:app_iam@db.internal:3306' });
  expect(iam.password).toMatch(/^db\.internal:3306\/\?Action=connect&DBUser=app_iam/);
  expect(made[0]!.request).toEqual({ hostname: 'db.internal', port: 3306, username: 'app_iam', region: 'eu-west-1' });
  expect(creds.peekPoolKey()).toBe('iam:app_iam@db.internal:3306');
  await flush();
  // a secret saying IAM without a host is refused with a clear message
  sm.operatorPut(arn, JSON.stringify({ username: 'app_iam', auth: 'iam' }));
  await cache.getString(arn, { forceRefresh: true }).catch(() => undefined);
  await clock.advance(1_000);
  await cache.getString(arn, { forceRefresh: true });
  await expect(creds.current()).rejects.toThrow(/says "auth": "iam" but has no host/);
});
