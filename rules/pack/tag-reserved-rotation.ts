import { on, onSecret, rule } from '../rule';
import { ROTATION_FUNCTION_TAG } from '../../plan/policies/rotation';

export default rule({
  id: 'TAG-RESERVED-ROTATION',
  explanation:
    'The rotation:* and RotationFunction tags carry rotation settings (the pinned database user among them); a catalog tag must not set or override them.',
  fact: {
    limit: 'tags on the secret configure its rotation function (lambdas/rotation/contract.ts)',
    page: 'Secrets Manager User Guide: Rotation by Lambda function (tags read by the function)',
  },
  *check({ plan }) {
    const reserved = (k: string) => /^rotation:/i.test(k) || k.toLowerCase() === ROTATION_FUNCTION_TAG.toLowerCase();
    for (const k of Object.keys(plan.catalog.tags ?? {})) {
      if (reserved(k))
        yield on(
          'tags',
          `environment tag "${k}" would reach every secret as a default tag and is reserved for rotation settings`,
          'rename the tag',
        );
    }
    for (const s of plan.secrets) {
      for (const k of Object.keys(s.spec.tags ?? {})) {
        if (reserved(k))
          yield onSecret(
            s,
            `catalog tag "${k}" is reserved for rotation settings${k in s.rotationTags ? ` and would override the value the rotation sets ("${s.rotationTags[k]}")` : ''}`,
            'remove the tag; rotation settings come from the rotation block',
          );
      }
    }
  },
});
