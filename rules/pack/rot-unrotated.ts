import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-UNROTATED',
  explanation: 'Outside dev, a secret rotates, or the catalog says in 20 or more characters why it does not.',
  fact: {
    limit: 'rotate at least every 90 days or record why not',
    page: 'AWS Security Hub: [SecretsManager.1] / [SecretsManager.4] controls',
  },
  *check({ plan }) {
    if (plan.environment !== 'dev') {
      for (const s of plan.secrets) {
        if (!s.spec.rotation && !((s.spec.noRotationReason ?? '').trim().length >= 20))
          yield onSecret(
            s,
            'is not rotated and the catalog does not say why',
            'add rotation, or noRotationReason (20+ characters) explaining who rotates it or why it cannot be',
          );
      }
    }
  },
});
