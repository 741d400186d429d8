/**
 * The values step's own pieces, without AWS (its calls against moto are in
 * __tests__/integration/values.test.ts): the Signature V4 signer it carries instead of the SDK
 * (checked against the SDK's own signer), its tokens, its endpoints, and the manifest checks
 * that refuse a manifest of another environment or one edited to reach other secrets.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { NAME_PREFIX as PROJECT_PREFIX } from '../../catalogs/project';

const values = require('../../tools/ci/values.cjs');

/** The hash the SDK's signer expects: SHA-256, or HMAC-SHA-256 when given a key. */
class NodeSha256 {
  private h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret as never));
  }
  update(data: string | Uint8Array) {
    this.h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

describe('Signature V4', () => {
  const cases = [
    {
      service: 'secretsmanager',
      region: 'us-east-1',
      host: 'secretsmanager.us-east-1.amazonaws.com',
      target: 'secretsmanager.PutSecretValue',
      body: '{"SecretId":"prod/a/b","SecretString":"x y  z"}',
      token: undefined,
    },
    {
      service: 'secretsmanager',
      region: 'eu-central-2',
      host: 'secretsmanager.eu-central-2.amazonaws.com',
      target: 'secretsmanager.DescribeSecret',
      body: '{"SecretId":"prod/ü/b"}',
      token: 'IQoJb3JpZ2luX2VjEXAMPLE/+=',
    },
    {
      service: 'sts',
      region: 'us-gov-west-1',
      host: 'sts.us-gov-west-1.amazonaws.com',
      target: undefined,
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      token: 'session',
    },
    {
      service: 'secretsmanager',
      region: 'us-east-1',
      host: '127.0.0.1:55000',
      target: 'secretsmanager.TagResource',
      body: '',
      token: undefined,
    },
  ];

  test.each(cases)('matches the AWS SDK signer: $service $region $target', async (c) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: c.token };
    const now = new Date(Date.UTC(2026, 10, 25, 12, 34, 56));
    const headers: Record<string, string> = {
      'content-type': c.target ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded; charset=utf-8',
      ...(c.target ? { 'x-amz-target': c.target } : {}),
    };
    const ours = values.signRequest({
      url: `https://${c.host}/`,
      headers,
      body: c.body,
      region: c.region,
      service: c.service,
      credentials,
      now,
    });
    const sdk = new SignatureV4({ service: c.service, region: c.region, credentials, sha256: NodeSha256 as never, applyChecksum: false });
    const [hostname, port] = c.host.split(':');
    const signed: { headers: Record<string, string> } = (await sdk.sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname,
        port: port ? Number(port) : undefined,
        path: '/',
        query: {},
        headers: { ...headers, host: c.host },
        body: c.body,
      } as never,
      { signingDate: now },
    )) as never;
    expect(ours.authorization).toBe(signed.headers.authorization);
  });

  test('signs only POST / without a query (all the step sends)', () => {
    const args = {
      headers: {},
      body: '',
      region: 'us-east-1',
      service: 'sts',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      now: new Date(),
    };
    expect(() => values.signRequest({ ...args, url: 'https://sts.amazonaws.com/x' })).toThrow('signs POST / only');
    expect(() => values.signRequest({ ...args, url: 'https://sts.amazonaws.com/?Action=x' })).toThrow('signs POST / only');
  });
});

test('ClientRequestToken: RFC 9562 UUID v5, one per secret name and version', () => {
  // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
  expect(values.uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  const t = values.writeToken('prod/a/b/c', 1);
  expect(t).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(values.writeToken('prod/a/b/c', 1)).toBe(t);
  expect(new Set([t, values.writeToken('prod/a/b/c', 2), values.writeToken('prod/a/b/d', 1)]).size).toBe(3);
});

test('endpoints come from the partition or the SDK endpoint variables, never from the manifest', () => {
  expect(values.endpointOf('secretsmanager', 'eu-west-1', 'aws', {})).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
  expect(values.endpointOf('sts', 'cn-north-1', 'aws-cn', {})).toBe('https://sts.cn-north-1.amazonaws.com.cn/');
  expect(values.endpointOf('secretsmanager', 'us-east-1', 'aws', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1/' })).toBe('http://127.0.0.1:1/');
  expect(
    values.endpointOf('secretsmanager', 'us-east-1', 'aws', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://b' }),
  ).toBe('http://b/');
  expect(() => values.endpointOf('secretsmanager', 'us-isob-east-1', 'aws-iso-b', {})).toThrow('partition aws-iso-b has no endpoint known');
});

test('the name prefixes agree with the project (the manifest is not trusted for them)', () => {
  expect(values.NAME_PREFIX).toEqual(PROJECT_PREFIX);
});

describe('manifest checks', () => {
  const good = () => ({
    schema: 'secrets-platform/values/1',
    environment: 'production',
    accountId: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    namePrefix: 'prod',
    secrets: [
      {
        id: 'a',
        name: 'prod/a/b/c',
        version: 1,
        rotateAfterWrite: false,
        write: {
          type: 'json',
          keys: { host: { literal: 'h' }, password: { generate: { length: 32, excludePunctuation: false } }, K: { deployTime: 'a_k' } },
        },
      },
    ],
  });
  test('a manifest synth writes passes', () => {
    expect(values.checkManifest(good(), 'production')).toBeTruthy();
  });
  test.each([
    ['another schema', (m: any) => (m.schema = 'x'), 'values manifest: schema is "x"'],
    ['another environment', (m: any) => (m.environment = 'staging'), 'is for environment staging, not production'],
    ['another prefix', (m: any) => (m.namePrefix = 'staging'), 'name prefix is "staging", not prod'],
    [
      'a name outside the prefix',
      (m: any) => (m.secrets[0].name = 'staging/a/b/c'),
      "secret staging/a/b/c: is outside this environment's prefix prod/",
    ],
    ['a name that is a prefix trick', (m: any) => (m.secrets[0].name = 'prodx/a'), "is outside this environment's prefix prod/"],
    ['a Region that is a host name', (m: any) => (m.region = 'evil.example.com/'), 'is not an AWS Region name'],
    ['no account', (m: any) => (m.accountId = '12345'), 'has no 12-digit accountId'],
    ['version 0', (m: any) => (m.secrets[0].version = 0), 'version 0 is not a whole number from 1'],
    ['a name listed twice', (m: any) => m.secrets.push({ ...m.secrets[0] }), 'is listed twice'],
    [
      'two sources for a key',
      (m: any) => (m.secrets[0].write.keys.K = { deployTime: 'x', literal: 'y' }),
      'not exactly one of deployTime, generate, literal',
    ],
    ['an input name that is not a name', (m: any) => (m.secrets[0].write.keys.K = { deployTime: 'a-b' }), 'deploy-time name "a-b"'],
    [
      'a generator GetRandomPassword refuses',
      (m: any) => (m.secrets[0].write.keys.password = { generate: { length: 5000, excludePunctuation: false } }),
      'has generator rules GetRandomPassword does not take',
    ],
    [
      'a binary file outside the repository',
      (m: any) => (m.secrets[0].write = { type: 'binary', file: '../etc/passwd', sha256: 'a'.repeat(64) }),
      'is not a path inside the repository',
    ],
  ])('refuses %s', (_what, edit, message) => {
    const m = good();
    edit(m);
    expect(() => values.checkManifest(m, 'production')).toThrow(message);
  });
  test('an unknown environment', () => {
    expect(() => values.checkManifest(good(), 'qa')).toThrow('environment "qa" is not one of dev, staging, production');
  });
});

describe('what to do with a secret, from DescribeSecret alone', () => {
  const m = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
  const s = { name: 'prod/a/b/c', version: 2, rotateAfterWrite: false };
  const d = (tags: Record<string, string>, extra: object = {}) => ({
    Name: s.name,
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${s.name}-AbCdEf`,
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    VersionIdsToStages: {},
    ...extra,
  });
  const V = values.TAG_VERSION;
  const W = values.TAG_WRITTEN;
  test.each([
    ['written at this version', d({ [V]: '2', [W]: '2' }), 'write', 'none'],
    ['written at an older version, tag raised by the apply', d({ [V]: '2', [W]: '1' }), 'write', 'write'],
    ['never written', d({ [V]: '2' }), 'write', 'write'],
    ['plan: not yet created', null, 'plan', 'write'],
    ['plan: the apply will raise the tag', d({ [V]: '1', [W]: '1' }), 'plan', 'write'],
  ])('%s', (_what, desc, mode, action) => {
    expect(values.decide(m, s, desc, mode).action).toBe(action);
  });
  test.each([
    ['write: not created', null, 'does not exist; run the apply of this commit first'],
    [
      'write: the apply has not raised the tag',
      d({ [V]: '1', [W]: '1' }),
      'tag secrets-platform:value-version is "1" but this commit\'s catalog says 2',
    ],
    [
      'a version going down',
      d({ [V]: '2', [W]: '3' }),
      'value version 2 is below the version already written (3); raise value.version to 4',
    ],
    [
      'a secret of another account',
      { ...d({ [V]: '2' }), ARN: `arn:aws:secretsmanager:us-east-1:999999999999:secret:${s.name}-AbCdEf` },
      'resolves to arn:aws:secretsmanager:us-east-1:999999999999',
    ],
    [
      'a secret of another Region',
      { ...d({ [V]: '2' }), ARN: `arn:aws:secretsmanager:us-west-2:123456789012:secret:${s.name}-AbCdEf` },
      'resolves to arn:aws:secretsmanager:us-west-2',
    ],
    [
      'a longer name that only starts the same',
      { ...d({ [V]: '2' }), ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${s.name}-x-AbCdEf` },
      'not a secret named prod/a/b/c',
    ],
    ['a deleted secret', d({ [V]: '2' }, { DeletedDate: 1 }), 'is scheduled for deletion'],
    ['a hand-edited written tag', d({ [V]: '2', [W]: 'x' }), 'tag secrets-platform:value-written is "x", not a version'],
    ['a first rotation without rotation configured', d({ [V]: '2' }), 'has no rotation configured'],
  ])('refuses %s', (what, desc, message) => {
    const secret = what.includes('rotation') ? { ...s, rotateAfterWrite: true } : s;
    expect(() => values.decide(m, secret, desc, 'write')).toThrow(message);
  });
});
