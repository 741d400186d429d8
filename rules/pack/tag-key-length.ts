import { on, onSecret, rule } from '../rule';
import { tagSets } from '../tags';

export default rule({
  id: 'TAG-KEY-LENGTH',
  explanation: 'Tag keys are 1 to 128 characters.',
  fact: { limit: 'tag key: 1-128 Unicode characters', page: 'Tagging AWS resources: tag naming limits and requirements' },
  *check({ plan }) {
    for (const [where, tags, secretId] of tagSets(plan)) {
      for (const k of Object.keys(tags)) {
        if (k.length < 1 || k.length > 128) {
          const message = `${where} tag key "${k.slice(0, 40)}${k.length > 40 ? '...' : ''}" is ${k.length} characters; AWS allows 1 to 128`;
          yield secretId ? onSecret({ id: secretId }, message, 'shorten the tag key') : on('tags', message, 'shorten the tag key');
        }
      }
    }
  },
});
