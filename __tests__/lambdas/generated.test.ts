/**
 * Generated values (no database behind them), the generator itself, and the tag contract the
 * stacks and the handlers share.
 */
import { alphabet, entropyBits, rulesFromTags, rulesProblems, rulesToTags, TAG, type ValueFormat } from '../../lambdas/rotation/contract';
import { generatedStrategy } from '../../lambdas/rotation/generated';
import { Logger } from '../../lambdas/rotation/log';
import { rotationHandler } from '../../lambdas/rotation/protocol';
import { generateValue } from '../../lambdas/rotation/values';
import { MemorySecretsManager } from '../../tools/testing/memory-secrets-manager';
import { rotate, runSteps } from '../../tools/testing/rotation-driver';

function setup(tags: Record<string, string>, value?: string) {
  const sm = new MemorySecretsManager();
  const lines: string[] = [];
  const arn = sm.create('prod/service/api-gateway/key', { value, tags });
  const handler = rotationHandler(generatedStrategy, () => sm, new Logger({}, (l) => lines.push(l)));
  return { sm, arn, handler, lines, service: { startRotation: (id: string) => sm.startRotation(id) } };
}

describe('generator', () => {
  const formats: Array<[ValueFormat, RegExp]> = [
    ['password', /^[\x21-\x7e]{48}$/],
    ['alphanumeric', /^[A-Za-z0-9]{48}$/],
    ['hex', /^[0-9a-f]{48}$/],
    ['base64', /^[A-Za-z0-9+/]{48}$/],
    ['base64url', /^[A-Za-z0-9_-]{48}$/],
  ];
  test.each(formats)('%s values have the exact length and alphabet', (format, re) => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const v = generateValue({ format, length: 48 });
      expect(v).toMatch(re);
      seen.add(v);
    }
    expect(seen.size).toBe(200);
  });

  test('excluded characters never appear, and every allowed one does', () => {
    const exclude = '"\'\\`/@:;?#%&$';
    const all = new Set<string>();
    for (let i = 0; i < 300; i++) for (const c of generateValue({ format: 'password', length: 64, excludeCharacters: exclude })) all.add(c);
    for (const c of exclude) expect(all.has(c)).toBe(false);
    expect(all.size).toBe(alphabet('password', exclude).length);
  });

  test('entropy floor: weak rules are refused in the contract, strong ones pass', () => {
    expect(rulesProblems({ format: 'hex', length: 16 })[0]).toMatch(/64 bits of entropy, fewer than 96/);
    expect(rulesProblems({ format: 'password', length: 20, excludeCharacters: alphabet('password').slice(2) })[0]).toMatch(
      /bits of entropy/,
    );
    expect(rulesProblems({ format: 'base64url', length: 48 })).toEqual([]);
    expect(rulesProblems({ format: 'base64url', length: 48, excludeCharacters: '-_' })[0]).toMatch(/cannot exclude characters/);
    expect(Math.round(entropyBits({ format: 'base64url', length: 48 }))).toBe(288);
  });
});

describe('tag contract', () => {
  test('rules survive the round trip through tags, and every tag value uses only characters AWS allows', () => {
    const rules = { format: 'password' as const, length: 40, excludeCharacters: '"\'\\`;', jsonKey: 'API_KEY' };
    const tags = rulesToTags(rules);
    for (const v of Object.values(tags)) expect(v).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    const back = rulesFromTags(
      Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      { format: 'hex', length: 64 },
    );
    expect(back).toEqual(rules);
  });

  test('a tampered tag cannot weaken values: the handler refuses the rules', () => {
    expect(() => rulesFromTags([{ Key: TAG.length, Value: '4' }], { format: 'base64url', length: 48 })).toThrow(
      /unsafe: 4 base64url characters carry 24 bits/,
    );
    expect(() => rulesFromTags([{ Key: TAG.format, Value: 'emoji' }], { format: 'base64url', length: 48 })).toThrow(
      /format "emoji" is not one of/,
    );
  });
});

describe('generated rotation', () => {
  test('10 rotations of a whole value: each new, each following the rules, labels clean', async () => {
    const s = setup(rulesToTags({ format: 'base64url', length: 48 }), 'initial-value-from-operator');
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const token = await rotate(s.service, s.handler, s.arn);
      const v = s.sm.valueAt(s.arn, 'AWSCURRENT')!;
      expect(v).toMatch(/^[A-Za-z0-9_-]{48}$/);
      seen.add(v);
      expect(s.sm.stagesOf(s.arn)[token]).toEqual(['AWSCURRENT']);
    }
    expect(seen.size).toBe(10);
    for (const v of seen) for (const l of s.lines) expect(l).not.toContain(v);
  });

  test('a JSON key is replaced and the other keys kept', async () => {
    const s = setup(
      rulesToTags({ format: 'hex', length: 64, jsonKey: 'signing_key' }),
      JSON.stringify({ signing_key: 'old', kid: 'key-1', issuer: 'tickets' }),
    );
    await rotate(s.service, s.handler, s.arn);
    const v = JSON.parse(s.sm.valueAt(s.arn, 'AWSCURRENT')!);
    expect(v).toMatchObject({ kid: 'key-1', issuer: 'tickets' });
    expect(v.signing_key).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(s.sm.valueAt(s.arn, 'AWSPREVIOUS')!).signing_key).toBe('old');
  });

  test('the first value of an empty secret is created by rotation', async () => {
    const s = setup(rulesToTags({ format: 'alphanumeric', length: 40, jsonKey: 'token' }));
    await rotate(s.service, s.handler, s.arn);
    expect(Object.keys(JSON.parse(s.sm.valueAt(s.arn, 'AWSCURRENT')!))).toEqual(['token']);
  });

  test('a JSON rotation of a value that is not a JSON object is refused with the fix', async () => {
    const s = setup(rulesToTags({ format: 'hex', length: 64, jsonKey: 'k' }), 'plain text');
    const token = s.sm.startRotation(s.arn);
    await expect(runSteps(s.handler, s.arn, token, ['createSecret'])).rejects.toThrow(
      /is not valid JSON, but its rotation replaces one JSON key; store a JSON object/,
    );
  });

  test('testSecret rejects a pending value that does not follow the rules (changed out of band)', async () => {
    const s = setup(rulesToTags({ format: 'hex', length: 64 }), 'a'.repeat(64));
    const token = s.sm.startRotation(s.arn);
    await s.sm.putSecretValue({
      SecretId: s.arn,
      ClientRequestToken: token,
      SecretString: 'not-hex-'.repeat(8),
      VersionStages: ['AWSPENDING'],
    });
    await expect(runSteps(s.handler, s.arn, token, ['testSecret'])).rejects.toThrow(/does not follow its rules \(64 hex characters\)/);
  });
});
