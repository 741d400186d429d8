import { isProduction, onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-BINARY-IN-REPO',
  explanation:
    'A binary value from a file is committed to the repository (and in every checkout of it); production refuses it unless acknowledged.',
  fact: {
    limit: 'whoever reads the repository reads the file; the values step writes it with PutSecretValue (SecretBinary)',
    page: 'Secrets Manager API Reference: PutSecretValue (SecretBinary); docs/values.md',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind === 'binary-file' && isProduction(plan) && !v.acknowledgeValueInRepository) {
        yield onSecret(
          s,
          'a binary value from a file is committed to the repository, where everyone who reads it reads the value',
          'upload it instead (docs/operating.md, "Upload an external value") with value {kind:"external", format:"binary"}, or set acknowledgeValueInRepository: true for public material such as CA certificates',
        );
      }
    }
  },
});
