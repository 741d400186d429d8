/**
 * New secret values, from Node's CSPRNG. Generating here instead of calling GetRandomPassword
 * keeps the rotation role free of its `Resource: "*"` statement and saves a network round trip;
 * `crypto.randomInt` draws each character uniformly (it rejects biased samples internally).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { alphabet, type GeneratorRules } from './contract';

function fromAlphabet(chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
}

/** A value following `rules`; `password` and `alphanumeric` values hold a letter and a digit at least. */
export function generateValue(rules: Pick<GeneratorRules, 'format' | 'length' | 'excludeCharacters'>): string {
  switch (rules.format) {
    case 'hex':
      return randomBytes(Math.ceil(rules.length / 2))
        .toString('hex')
        .slice(0, rules.length);
    case 'base64':
    case 'base64url': {
      const text = randomBytes(Math.ceil((rules.length * 3) / 4) + 3).toString(rules.format);
      return text.replace(/=+$/, '').slice(0, rules.length);
    }
    case 'password':
    case 'alphanumeric': {
      const chars = alphabet(rules.format, rules.excludeCharacters);
      // Some password policies (and RDS) want mixed classes; redraw the rare value that lacks them.
      const classes = [/[A-Za-z]/, /[0-9]/].filter((c) => c.test(chars));
      for (;;) {
        const v = fromAlphabet(chars, rules.length);
        if (rules.length < 8 || classes.every((c) => c.test(v))) return v;
      }
    }
  }
}
