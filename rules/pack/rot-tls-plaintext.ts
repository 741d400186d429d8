import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-TLS-PLAINTEXT',
  explanation: 'Outside dev, rotation never sends a new password unencrypted unless the catalog says why.',
  fact: {
    limit: 'database connections with TLS (RDS supports it on every engine)',
    page: 'Amazon RDS User Guide: Using SSL/TLS to encrypt a connection to a DB instance',
  },
  *check({ plan }) {
    if (plan.environment !== 'dev') {
      for (const s of plan.secrets) {
        const r = s.spec.rotation;
        if (r?.kind === 'database' && r.tls === 'disabled' && !((r.tlsReason ?? '').trim().length >= 20)) {
          yield onSecret(
            s,
            'rotation would send the new password to the database unencrypted, and the catalog does not say why',
            'enable TLS on the database (RDS has it), use tls "require", or give tlsReason (20+ characters)',
          );
        }
      }
    }
  },
});
