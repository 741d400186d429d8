import { onSecret, rule } from '../rule';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export default rule({
  id: 'VALUE-FILE-MISSING',
  explanation: 'A binary value\'s file must exist and be a file (not a directory), or Terraform fails at plan time.',
  fact: { limit: 'filebase64() fails on a missing file or a directory', page: 'Terraform language: filebase64 function' },
  *check({ plan, repoRoot }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind !== 'binary-file') continue;
      const stat = statSync(path.resolve(repoRoot, v.path), { throwIfNoEntry: false });
      if (!stat) yield onSecret(s, `file ${v.path} does not exist`, 'commit the file or fix the path (relative to the repository root)');
      else if (!stat.isFile()) yield onSecret(s, `${v.path} is a directory, not a file`, 'give the path of the file itself');
    }
  },
});
