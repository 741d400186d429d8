import { onSecret, rule } from '../rule';

/** Letters of other scripts that look like Latin ones (a subset of Unicode's confusables, UTS #39). */
const LOOKALIKES: Record<string, string> = Object.fromEntries(
  [
    ['аеорсухіјѕԁԛԝһ', 'aeopcyxijsdqwh'],
    ['АВЕКМНОРСТХІЈЅ', 'ABEKMHOPCTXIJS'],
    ['οανρτικυχ', 'oavptikux'],
    ['ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ', 'ABEHIKMNOPTXYZ'],
  ].flatMap(([from, to]) => [...from].map((c, i) => [c, to[i]])),
);

/** What makes a key look like another one, if anything. */
function lookalike(key: string): string | undefined {
  if (/\p{Cf}/u.test(key)) return 'contains an invisible formatting character';
  if (key !== key.normalize('NFKC')) return 'contains compatibility characters (full-width or styled letters) that look like plain ones';
  const latin = /\p{Script=Latin}/u.test(key);
  const other = [...key].filter((c) => /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u.test(c));
  if (latin && other.length > 0)
    return `mixes Latin letters with ${[...new Set(other)].map((c) => `"${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} of another script`;
  return undefined;
}

export default rule({
  id: 'VALUE-JSON-KEY-LOOKALIKE',
  explanation:
    'A JSON key that only looks like the key readers ask for (a Cyrillic "а" in "pаssword", a full-width or invisible character) is another key: every reader misses it.',
  fact: {
    limit: 'JSON member names compare code unit by code unit; mixed-script and compatibility characters are confusable',
    page: 'RFC 8259 (JSON) section 8.3 String Comparison; Unicode Technical Standard #39: Unicode Security Mechanisms (mixed-script confusables)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const k of new Set(s.jsonKeys ?? [])) {
        const why = lookalike(k);
        if (!why) continue;
        const plain = [...k.normalize('NFKC').replace(/\p{Cf}/gu, '')].map((c) => LOOKALIKES[c] ?? c).join('');
        yield onSecret(
          s,
          `JSON key ${JSON.stringify(k)} ${why}; readers asking for the key they see would not find it`,
          plain !== k && /^[\x20-\x7E]+$/.test(plain) ? `spell it "${plain}"` : 'spell the key in one script, with plain characters',
        );
      }
    }
  },
});
