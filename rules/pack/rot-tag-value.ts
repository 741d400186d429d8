import { onSecret, rule } from '../rule';
import { isTagValue } from '../../lambdas/rotation/contract';

export default rule({
  id: 'ROT-TAG-VALUE',
  explanation: 'Rotation settings travel in tags; a user name or JSON key that AWS tag values cannot carry breaks rotation.',
  fact: {
    limit: 'tag values: up to 256 letters, digits, spaces and _.:/=+-@',
    page: 'Tagging AWS resources: tag naming limits and requirements',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (!r) continue;
      const username = r.kind === 'database' && s.spec.value.kind === 'json' ? s.spec.value.fields.username : undefined;
      if (typeof username === 'string' && !isTagValue(username))
        yield onSecret(
          s,
          `user name "${username}" cannot be carried in the rotation:username tag (letters, digits, spaces and _.:/=+-@, 256 at most)`,
          'use a plainer database user name',
        );
      if (r.kind === 'generated' && r.jsonKey && !isTagValue(r.jsonKey))
        yield onSecret(
          s,
          `jsonKey "${r.jsonKey}" cannot be carried in a tag (letters, digits, spaces and _.:/=+-@, 256 at most)`,
          'rotate a JSON key with a plainer name',
        );
    }
  },
});
