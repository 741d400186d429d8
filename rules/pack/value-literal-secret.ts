import { onSecret, rule } from '../rule';
import { looksSecretKey, looksSecretValue } from '../values';

export default rule({
  id: 'VALUE-LITERAL-SECRET',
  explanation: 'A password, token or key written as a literal field lands in git and in cdk.tf.json.',
  fact: { limit: 'values travel through write-only arguments (secret_string_wo), never literals', page: 'Terraform AWS provider: aws_secretsmanager_secret_version (secret_string_wo); Secrets Manager best practices' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (v.kind !== 'json') continue;
      for (const [k, value] of Object.entries(v.fields)) {
        if (typeof value !== 'string' || value === '') continue;
        if (looksSecretKey(k) || looksSecretValue(value)) {
          yield onSecret(s, `field "${k}" is a literal that looks like a secret value; it would be committed to git and written into cdk.tf.json`, `move "${k}" to value.generated (generated at apply time) or value.deployTime (supplied at deploy time); if it is not secret, rename the key`);
        }
      }
    }
  },
});
