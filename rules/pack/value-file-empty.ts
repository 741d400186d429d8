import { onSecret, rule } from '../rule';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export default rule({
  id: 'VALUE-FILE-EMPTY',
  explanation:
    "A binary value's file holds at least one byte: Secrets Manager refuses an empty SecretBinary, so the first write would fail after the secret exists.",
  fact: { limit: 'SecretBinary: 1-65,536 bytes', page: 'Secrets Manager API Reference: PutSecretValue (SecretBinary length constraints)' },
  *check({ plan, repoRoot }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind !== 'binary-file') continue;
      const stat = statSync(path.resolve(repoRoot, v.path), { throwIfNoEntry: false });
      if (stat?.isFile() && stat.size === 0)
        yield onSecret(
          s,
          `file ${v.path} is empty; Secrets Manager stores binary values of 1 to 65,536 bytes`,
          'commit the file with its content (an empty file is often a failed export or a Git LFS pointer that was not fetched)',
        );
    }
  },
});
