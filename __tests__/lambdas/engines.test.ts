/**
 * The engines' pure parts: quoting, the SCRAM verifier, and rewriting MySQL/MariaDB grant lines
 * for a clone. Their behaviour against real servers is in __tests__/integration.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { rewriteGrant, quoteIdent as myIdent } from '../../lambdas/rotation/engines/mysql';
import { quoteIdent, quoteLiteral, scramVerifier } from '../../lambdas/rotation/engines/postgres';

describe('postgres quoting', () => {
  test('identifiers double embedded quotes; literals use E-strings with backslashes and quotes escaped', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("x'y\\z")).toBe("E'x''y\\\\z'");
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });
});

describe('SCRAM-SHA-256 verifier', () => {
  test("has PostgreSQL's stored format and keys that prove the password", () => {
    const salt = Buffer.from('0123456789abcdef');
    const v = scramVerifier('pencil', salt, 4096)!;
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(v)!;
    expect(Buffer.from(m[1], 'base64').equals(salt)).toBe(true);
    // Independent derivation (RFC 5802): StoredKey = H(HMAC(SaltedPassword, "Client Key")).
    const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
    expect(m[2]).toBe(createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64'));
    expect(m[3]).toBe(createHmac('sha256', salted).update('Server Key').digest('base64'));
    expect(scramVerifier('pencil')).not.toBe(scramVerifier('pencil')); // fresh salt each time
  });

  test('leaves non-ASCII passwords to the server (SASLprep)', () => {
    expect(scramVerifier('pässwörd')).toBeUndefined();
  });
});

describe('MySQL/MariaDB grant rewriting', () => {
  const t = 'app';
  test.each([
    ['GRANT SELECT, INSERT ON `db`.* TO `app`@`%`', "GRANT SELECT, INSERT ON `db`.* TO 'app_clone'@'%'"],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*ABCDEF0123'", "GRANT USAGE ON *.* TO 'app_clone'@'%'"],
    [
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA mysql_native_password USING '*ABC' OR unix_socket REQUIRE SSL",
      "GRANT USAGE ON *.* TO 'app_clone'@'%' REQUIRE SSL",
    ],
    [
      'GRANT ALL PRIVILEGES ON `db`.* TO `app`@`%` WITH GRANT OPTION',
      "GRANT ALL PRIVILEGES ON `db`.* TO 'app_clone'@'%' WITH GRANT OPTION",
    ],
    ['GRANT `reader` TO `app`@`%`', "GRANT `reader` TO 'app_clone'@'%'"],
    ['SET DEFAULT ROLE `reader` FOR `app`@`%`', "SET DEFAULT ROLE `reader` FOR 'app_clone'@'%'"],
    ['REVOKE INSERT ON `db`.* FROM `app`@`%`', "REVOKE INSERT ON `db`.* FROM 'app_clone'@'%'"],
    ["GRANT SELECT ON *.* TO 'app'@'%'", "GRANT SELECT ON *.* TO 'app_clone'@'%'"],
  ])('%s', (line, expected) => {
    const out = rewriteGrant(line, t, 'app_clone', '%')!;
    expect(out).toBe(expected);
    expect(out).not.toMatch(/\*ABC/);
  });

  test('a hostile template name is matched exactly and the new name escaped', () => {
    const hostile = 'h\'"\\;`x';
    const line = `GRANT SELECT ON \`db\`.* TO ${myIdent(hostile)}@\`%\``;
    expect(rewriteGrant(line, hostile, `${hostile}_clone`, '%')).toBe("GRANT SELECT ON `db`.* TO 'h\\'\\\"\\\\;`x_clone'@'%'");
  });

  test('a line of an unknown shape, or for another account, is not rewritten', () => {
    expect(rewriteGrant('GRANT PROXY ON ``@`%` TO `other`@`%`', t, 'app_clone', '%')).toBeUndefined();
    expect(rewriteGrant('CREATE USER `app`@`%`', t, 'app_clone', '%')).toBeUndefined();
  });
});
