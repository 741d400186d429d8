/** The credential scanner (gitleaks' rule set as data) and the parsing our own rule keeps. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import data from '../../rules/scanner/gitleaks-rules.json';
import { scanText, shannonEntropy, SCANNER_SOURCE } from '../../rules/scanner/secret-scan';
import { assignedCredential, embeddedCredential, looksLikeCredential, looksSecretKey } from '../../rules/values';
import { CLONE_SUFFIX } from '../../rules/rotation';
import { CLONE_SUFFIX as HANDLER_CLONE_SUFFIX } from '../../lambdas/rotation/database';

const FILE = 'catalogs/production.ts';
const scan = (key: string, value: string) => scanText(`${JSON.stringify(key)}: ${JSON.stringify(value)}`, FILE).map((h) => h.ruleId);

describe('the gitleaks rule set, kept as data', () => {
  test('comes from a pinned gitleaks release, with its MIT licence next to it', () => {
    expect(SCANNER_SOURCE).toMatch(/^github\.com\/zricethezav\/gitleaks\/v8 v\d+\.\d+\.\d+ /);
    expect(readFileSync(path.resolve(__dirname, '../../rules/scanner/LICENSE-gitleaks'), 'utf8')).toMatch(
      /^MIT License\s+Copyright \(c\) \d{4} Zachary Rice/,
    );
    expect(data.rules.length).toBeGreaterThan(200);
  });

  test('every translated expression compiles as a JavaScript regular expression (flag u)', () => {
    const sources = [
      ...data.rules.map((r) => r.regex),
      ...data.allowlists.flatMap((a) => a.regexes ?? []),
      ...data.rules.flatMap((r) => (r.allowlists ?? []).flatMap((a: { regexes?: string[] }) => a.regexes ?? [])),
    ];
    const broken = sources.filter((s) => {
      try {
        new RegExp(s, 'u');
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  test.each([
    ['aws-access-token', 'legacy_key_id', 'AKIAQX7RMZ3TB5LW2NVK'],
    ['stripe-access-token', 'stripe', 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ'],
    ['github-pat', 'gh', 'ghp_R4nD0mT0k3nV4lu3QxW8zK2mN5pL7sJ9hG1f'],
    ['gitlab-pat', 'ci', 'glpat-AbCdEf0123456789xYz1'],
    ['sendgrid-api-token', 'mailer', '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'],
    ['slack-webhook-url', 'hook', 'https://hooks.slack.com/services/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'],
    ['gcp-api-key', 'maps', 'AIzaSyQ7k9Xv2Lm4Nc8Rp1Tz6Wy3Bd5Fh0Jg2Ks'],
    ['jwt', 'auth_header', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop'],
    [
      'private-key',
      'tls',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----',
    ],
  ])('recognises a %s', (rule, key, value) => expect(scan(key, value)).toContain(rule));

  test('a case-insensitive rule matches in any case, as in Go ((?i) translated by case folding)', () => {
    const value = 'q8Zr2Kx7Lm4Pv9Tn3Wb6';
    expect(scan('payments_api_key', value)).toContain('generic-api-key');
    expect(scan('PAYMENTS_API_KEY', value)).toContain('generic-api-key');
  });

  test('applies entropy thresholds and allowlists as gitleaks does', () => {
    expect(scan('legacy_key_id', 'AKIAAAAAAAAAAAAAAAAA')).toEqual([]); // entropy 0.88 <= 3
    expect(scan('legacy_key_id', 'AKIAIOSFODNN7EXAMPLE')).toEqual([]); // the rule's allowlist: ...EXAMPLE
    expect(scan('gh', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz')).toEqual([]); // global stopword abcdefghijklmnopqrstuvwxyz
    expect(scan('api_key', '${API_KEY}')).toEqual([]); // global allowlist: a placeholder
  });

  test('finds nothing in the technical values catalogs hold', () => {
    for (const [k, v] of [
      ['host', 'tickets.cluster-abc123.us-east-1.rds.amazonaws.com'],
      ['build_sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['request_id', '9f1c2d3e-4b5a-6789-abcd-ef0123456789'],
      ['kms_key_arn', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['DATABASE_URL', 'postgres://db.internal:5432/app?sslmode=verify-full'],
      ['signing_key_id', 'kid-2026-01'],
      ['description', 'Password of the payments app; rotated every 30 days'],
    ])
      expect([k, scan(k, v)]).toEqual([k, []]);
  });

  test('Shannon entropy as gitleaks computes it (bits per byte of the secret)', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('ab')).toBe(1);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});

describe('what our rule keeps: secret-named keys and credentials embedded in connection strings', () => {
  test.each([
    ['postgres://app:Tr0ub4dor3@db.internal:5432/app', 'a password in its URL'],
    ['rediss://:Tr0ub4dor3@cache.internal:6380/0', 'a password in its URL'],
    ['https://api.example.com/v1?token=abc123def456', 'a token parameter'],
    ['jdbc:postgresql://db.internal:5432/payments?user=app&password=Tr0ub4dor3', 'a password parameter'],
    ['Server=sql.internal;Database=payments;User Id=app;Password=Tr0ub4dor3;', 'a Password parameter'],
    ['host=db.internal dbname=payments user=app password=Tr0ub4dor3', 'a password parameter'],
    ['Server=sql.internal;Pwd=Tr0ub4dor3', 'a Pwd parameter'],
  ])('%s holds %s', (value, found) => expect(embeddedCredential(value)).toBe(found));

  test.each([
    'postgres://db.internal:5432/app',
    'https://ops@wiki.example.com/secrets',
    'jdbc:postgresql://db.internal:5432/payments?user=app&ssl=true',
    'host=db.internal dbname=payments user=app sslmode=require',
    'password_policy=strict',
    'Password=',
  ])('%s holds none', (value) => expect(embeddedCredential(value)).toBeUndefined());

  test('secret-named keys', () => {
    expect(['smtp_password', 'clientSecret', 'api-key', 'PrivateKey', 'token'].map(looksSecretKey)).toEqual([true, true, true, true, true]);
    expect(['password_policy_url', 'token_ttl', 'signing_key_id', 'region'].map(looksSecretKey)).toEqual([false, false, false, false]);
  });

  test("the clone suffix of alternating users is the rotation handler's", () => expect(CLONE_SUFFIX).toBe(HANDLER_CLONE_SUFFIX));
});

describe('credentials written after a secret word in free text', () => {
  test.each([
    ['password=Summer2024!xyz', 'password='],
    ['Stripe key; Password=Summer2024!xyz, rotated monthly', 'Password='],
    ['Legacy login; password: P@ssw0rd until the migration', 'password:'],
    ['API key: Zx8!KqPw-T7mN', 'API key:'],
    ['db_password := "Tr0ub4dor!3"', 'db_password:='],
    ['secret => Summer2024!xyz.', 'secret=>'],
    ['token=hunter2hunter2', 'token='],
    ['see https://api.example.com/v1?token=Qx7!mZ2p9Lw for the docs', 'token='],
    ['user=app&password=Summer2024!xyz', 'password='],
  ])('%s is refused, naming %s and never the value', (text, found) => {
    expect(assignedCredential(text)).toBe(found);
    // gitleaks' generic rule misses these (a "!", "@", "#" or ":" outside its character class, or too little entropy).
    expect(scan('description', text)).toEqual([]);
  });

  test.each([
    'password=<set by rotation>',
    'password rotation every 30 days',
    'password: rotated every 30 days',
    'Password: 32-character alphanumeric, generated by GetRandomPassword',
    "API key: Stripe's restricted key",
    'token: OAuth2-client-credentials grant',
    'Secret: prod/payments/db-2',
    'password=${DB_PASSWORD}',
    'token: {{ secrets.TOKEN }}',
    'password: [redacted]',
    'password=********',
    'secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/x-AbCdEf',
    'Key: AES256-GCM data key',
    'password: see the runbook (docs/operating.md)',
    'token: AWSCURRENT',
    'pin: 1234',
    'secret owner: payments-oncall@example.com',
    'region: us-east-1',
    'Password of the payments app; rotated every 30 days, previous password valid until the next rotation',
  ])('%s is prose, a placeholder or a reference', (text) => expect(assignedCredential(text)).toBeUndefined());

  test('what looks like a credential: 8+ characters of three classes, or letters and digits over 10+, not words joined by - _ . /', () => {
    expect(['Summer2024!xyz', 'P@ssw0rd', 'Zx81KqPwT7mN', 'hunter2hunter2', 'Tr0ub4dor3'].map(looksLikeCredential)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['Ab1!xyz', 'rotated', 'AWSCURRENT', '32-character', 'us-east-1', 'release-2024.01.15', '<set by rotation>', 'ops@example.com'].map(
        looksLikeCredential,
      ),
    ).toEqual([false, false, false, false, false, false, false, false]);
  });
});
