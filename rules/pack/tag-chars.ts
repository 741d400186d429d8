import { on, onSecret, rule } from '../rule';
import { badCharacters, TAG_TEXT } from '../support';
import { tagSets } from '../tags';

export default rule({
  id: 'TAG-CHARS',
  explanation: 'Tag keys and values take letters, digits, spaces and + - = . _ : / @ only.',
  fact: {
    limit: 'letters, numbers, spaces representable in UTF-8, and + - = . _ : / @',
    page: 'Tagging AWS resources: tag naming limits and requirements',
  },
  *check({ plan }) {
    for (const [where, tags, secretId] of tagSets(plan)) {
      for (const [k, v] of Object.entries(tags)) {
        for (const [what, text] of [
          ['key', k],
          ['value', v],
        ] as const) {
          if (TAG_TEXT.test(text)) continue;
          const message = `${where} tag ${what === 'key' ? `key "${k}"` : `"${k}" value "${v.slice(0, 40)}"`} contains ${badCharacters(text, /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u)}, which AWS refuses in tags`;
          const fix = 'use letters, digits, spaces and + - = . _ : / @ only';
          yield secretId ? onSecret({ id: secretId }, message, fix) : on('tags', message, fix);
        }
      }
    }
  },
});
