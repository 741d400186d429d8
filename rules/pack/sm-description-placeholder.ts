import { onSecret, rule } from '../rule';

/** Words that stand in for a description not written yet, each the whole value (any case). */
const PLACEHOLDER_WORDS = new Set([
  'todo',
  'to do',
  'tbd',
  'tbc',
  'tba',
  'fixme',
  'wip',
  'description',
  'desc',
  'add description',
  'description here',
  'no description',
  'placeholder',
  'n/a',
  'na',
  'none',
  'null',
  'nil',
  'undefined',
  'empty',
  'changeme',
  'change me',
  'fill in',
  'fill me in',
  'test',
  'foo',
  'bar',
  'foobar',
  'lorem ipsum',
  'secret',
]);

/**
 * Why `description` says nothing, or undefined when it says something: blank after trimming,
 * no letter or digit at all (`-`, `...`, `???`), one character however often (`x`, `xxx`), a
 * placeholder word as the whole value (`TODO`, `<description>`, `[TBD]`, `FIXME:`), or a
 * placeholder word followed by a colon (`TODO: write this`).
 */
export function placeholderDescription(description: string): string | undefined {
  const text = description.trim();
  if (text === '') return 'is blank';
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
  if (!/[\p{L}\p{N}]/u.test(text)) return `${shown} is a placeholder (no letter or digit)`;
  const bare = text.toLowerCase().replace(/^[\s<[({"'`*_]+|[\s>\])}"'`*_.:!?]+$/g, '');
  if (new Set(bare).size === 1) return `${shown} is a placeholder (one character repeated)`;
  if (PLACEHOLDER_WORDS.has(bare.replace(/\s+/g, ' '))) return `${shown} is a placeholder`;
  const lead = /^\W*(todo|tbd|fixme)\s*:/i.exec(text);
  if (lead) return `starts with "${lead[1]}:", a placeholder`;
  return undefined;
}

export default rule({
  id: 'SM-DESCRIPTION-PLACEHOLDER',
  explanation:
    'A blank or placeholder description (empty, spaces, "TODO", "TBD", "xxx", "-", "...") tells whoever finds the secret in the console or a ListSecrets listing nothing about what it is for or who uses it.',
  fact: {
    limit:
      'Description: 0-2048 characters, so AWS accepts an empty one; DescribeSecret, ListSecrets and the console show it beside the name',
    page: 'Secrets Manager API Reference: CreateSecret (Description); Secrets Manager User Guide: Find secrets in Secrets Manager',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const why = placeholderDescription(s.description);
      if (why)
        yield onSecret(
          s,
          `description ${why}, so nobody reading the secret learns what it holds or who uses it`,
          'describe what the secret holds and who reads it, e.g. "Stripe restricted key of billing-api; supplied at deploy time"',
        );
    }
  },
});
