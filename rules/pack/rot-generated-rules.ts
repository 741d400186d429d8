import { onSecret, rule } from '../rule';
import { rulesProblems } from '../../lambdas/rotation/contract';

export default rule({
  id: 'ROT-GENERATED-RULES',
  explanation:
    'Generated rotation values are 16 to 4,096 characters with at least 96 bits of entropy; byte encodings cannot exclude characters.',
  fact: {
    limit: "the contract's generator rules (checked again by the rotation function at run time)",
    page: 'lambdas/rotation/contract.ts (rulesProblems); Secrets Manager quotas (value size)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      if (r?.kind !== 'generated') continue;
      if (!Number.isInteger(r.length) || r.length < 16 || r.length > 4096)
        yield onSecret(s, `generated length ${r.length} is outside 16..4096`, 'choose a length between 16 and 4096');
      else
        for (const p of rulesProblems({ format: r.format, length: r.length, excludeCharacters: r.excludeCharacters }))
          yield onSecret(s, `generator rules: ${p}`, 'use a longer value, another format, or fewer excluded characters');
    }
  },
});
