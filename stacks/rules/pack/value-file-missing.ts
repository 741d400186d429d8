import { onSecret, rule } from '../rule';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export default rule({
  id: 'VALUE-FILE-MISSING',
  explanation: 'A binary value\'s file must exist in the repository, or Terraform fails at plan time.',
  fact: { limit: 'filebase64() fails on a missing file', page: 'Terraform language: filebase64 function' },
  *check({ plan, repoRoot }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind === 'binary-file' && !existsSync(path.resolve(repoRoot, v.path))) yield onSecret(s, `file ${v.path} does not exist`, 'commit the file or fix the path (relative to the repository root)');
    }
  },
});
