import { onSecret, rule } from '../rule';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export default rule({
  id: 'VALUE-FILE-MISSING',
  explanation: 'A binary value\'s file must be a file in the repository, given by a relative path: a missing file, a directory or a path outside the checkout fails in CI at plan time.',
  fact: { limit: 'filebase64() fails on a missing file or a directory', page: 'Terraform language: filebase64 function' },
  *check({ plan, repoRoot }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind !== 'binary-file') continue;
      const file = path.resolve(repoRoot, v.path);
      const rel = path.relative(repoRoot, file);
      if (path.isAbsolute(v.path) || rel.startsWith('..') || path.isAbsolute(rel)) {
        yield onSecret(s, `file ${v.path} is outside the repository, so CI (a fresh checkout) would not find it`, 'commit the file to the repository and give its path relative to the repository root');
        continue;
      }
      const stat = statSync(file, { throwIfNoEntry: false });
      if (!stat) yield onSecret(s, `file ${v.path} does not exist`, 'commit the file or fix the path (relative to the repository root)');
      else if (!stat.isFile()) yield onSecret(s, `${v.path} is a directory, not a file`, 'give the path of the file itself');
    }
  },
});
