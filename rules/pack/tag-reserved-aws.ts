import { on, onSecret, rule } from '../rule';
import { tagSets } from '../tags';

export default rule({
  id: 'TAG-RESERVED-AWS',
  explanation: 'Tag keys starting with aws: are reserved for AWS.',
  fact: { limit: 'the aws: prefix is reserved for AWS use', page: 'Tagging AWS resources: tag naming limits and requirements' },
  *check({ plan }) {
    for (const [where, tags, secretId] of tagSets(plan)) {
      for (const k of Object.keys(tags)) {
        if (!/^aws:/i.test(k)) continue;
        const message = `${where} tag key "${k}" uses the reserved aws: prefix`;
        yield secretId ? onSecret({ id: secretId }, message, 'rename the tag key') : on('tags', message, 'rename the tag key');
      }
    }
  },
});
