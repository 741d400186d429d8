import { onSecret, rule } from '../rule';
import { DATABASE_KEYS } from '../rotation';

export default rule({
  id: 'ROT-DATABASE-FIELDS',
  explanation: "Database rotation reads engine, host, username and password from the secret's JSON.",
  fact: {
    limit: 'the JSON structure of database credentials (engine, host, username, password)',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (s.spec.rotation?.kind !== 'database') continue;
      const missing = DATABASE_KEYS.filter((f) => !s.jsonKeys?.includes(f));
      if (missing.length > 0)
        yield onSecret(
          s,
          `database rotation needs JSON keys ${missing.join(', ')}`,
          'declare them in value.fields / value.generated (or jsonKeys for an external JSON value)',
        );
    }
  },
});
