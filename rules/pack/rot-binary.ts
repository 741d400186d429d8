import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-BINARY',
  explanation: 'Rotation functions write SecretString; a binary secret cannot be rotated by them.',
  fact: { limit: 'rotation writes SecretString through PutSecretValue', page: 'Secrets Manager User Guide: Rotation by Lambda function' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.spec.rotation && s.binary)
        yield onSecret(s, 'binary secrets cannot be rotated by our rotation functions', 'remove rotation, or store the value as text');
    }
  },
});
