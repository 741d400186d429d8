import { onSecret, rule } from '../rule';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export default rule({
  id: 'VALUE-FILE-MISSING',
  explanation:
    "A binary value's file must exist and be a file (not a directory): synth records its SHA-256 and the values step writes its bytes.",
  fact: {
    limit: "PutSecretValue SecretBinary takes the file's bytes; the values step refuses a file that differs from the one synthesized",
    page: 'Secrets Manager API Reference: PutSecretValue; docs/values.md',
  },
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
