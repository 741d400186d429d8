import { on, onSecret, rule } from '../rule';
import { tagSets } from '../tags';

export default rule({
  id: 'TAG-VALUE-LENGTH',
  explanation: 'Tag values are at most 256 characters.',
  fact: { limit: 'tag value: 0-256 Unicode characters', page: 'Tagging AWS resources: tag naming limits and requirements' },
  *check({ plan }) {
    for (const [where, tags, secretId] of tagSets(plan)) {
      for (const [k, v] of Object.entries(tags)) {
        if (v.length > 256) {
          const message = `${where} tag "${k}" has a value of ${v.length} characters; AWS allows 256`;
          yield secretId ? onSecret({ id: secretId }, message, 'shorten the tag value') : on('tags', message, 'shorten the tag value');
        }
      }
    }
  },
});
