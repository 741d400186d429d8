import { isProduction, onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-BINARY-IN-STATE',
  explanation: 'The AWS provider writes a binary value from a file through Terraform state (it has no write-only binary argument); production refuses it unless acknowledged.',
  fact: { limit: 'secret_binary has no write-only counterpart; state holds every attribute', page: 'Terraform AWS provider: aws_secretsmanager_secret_version (secret_binary, secret_string_wo)' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind === 'binary-file' && isProduction(plan) && !v.acknowledgeValueInState) {
        yield onSecret(s, 'a binary value from a file is stored in Terraform state (the provider has no write-only binary argument)', 'upload it with `aws secretsmanager put-secret-value --secret-binary` and use value {kind:"external", format:"binary"}, or set acknowledgeValueInState: true');
      }
    }
  },
});
