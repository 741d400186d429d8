import { onSecret, rule } from '../rule';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { MAX_SECRET_VALUE_BYTES } from '../../lambdas/rotation/contract';

export default rule({
  id: 'VALUE-SIZE',
  explanation: 'A secret value holds at most 65,536 bytes.',
  fact: { limit: 'SecretString / SecretBinary: 65,536 bytes', page: 'Secrets Manager quotas (Secret value size)' },
  *check({ plan, repoRoot }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind === 'binary-file') {
        const file = path.resolve(repoRoot, v.path);
        const size = existsSync(file) ? statSync(file).size : 0;
        if (size > MAX_SECRET_VALUE_BYTES)
          yield onSecret(
            s,
            `file ${v.path} is ${size} bytes; a secret holds at most 65,536`,
            'store the data in S3 and keep its location in the secret',
          );
      }
      if (v.kind === 'json') {
        const estimate =
          Buffer.byteLength(JSON.stringify(v.fields)) +
          Object.entries(v.generated ?? {}).reduce((n, [k, g]) => n + k.length + (g.length ?? 32) + 6, 0);
        if (estimate > MAX_SECRET_VALUE_BYTES)
          yield onSecret(
            s,
            `JSON value is at least ${estimate} bytes; a secret holds at most 65,536`,
            'split it into several secrets or keep bulky data in S3',
          );
      }
    }
  },
});
