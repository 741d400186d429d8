import { rule } from '../rule';
import { otherEnvironments, isGlobalHost } from '../environments';
import { addressText, databaseAddress, ownedLogins } from '../rotation';

export default rule({
  id: 'ROT-ENV-DATABASE',
  explanation:
    "An environment rotates logins on its own databases only: a rotated secret whose host is another environment's database (an RDS endpoint or public DNS name; private addresses differ per VPC) lets one environment change the other's passwords.",
  fact: {
    limit: 'rotation sets the new password on the host in the secret; one account per environment',
    page: 'Secrets Manager User Guide: Rotation by Lambda function; AWS Whitepaper: Organizing Your AWS Environment Using Multiple Accounts',
  },
  scope: 'app',
  *check({ plans }) {
    for (const p of plans) {
      for (const s of p.secrets) {
        if (s.spec.rotation?.kind !== 'database') continue;
        const at = databaseAddress(s);
        if (!at || !isGlobalHost(at.host)) continue;
        for (const o of otherEnvironments(plans, p)) {
          const theirs = o.secrets.find((t) => databaseAddress(t)?.host === at.host);
          if (!theirs) continue;
          const mine = new Set(ownedLogins(s));
          const v = theirs.spec.value;
          const theirUser = v.kind === 'json' && typeof v.fields.username === 'string' ? v.fields.username : undefined;
          const same = theirUser !== undefined && mine.has(theirUser);
          yield {
            environment: p.environment,
            secretId: s.id,
            message: `rotates ${same ? `${o.environment}'s login ${theirUser}` : `a login`} on ${addressText(at)}, a database of ${o.environment} (secret ${theirs.id}): ${p.environment} would change passwords on ${o.environment}'s database`,
            fix: `point this secret at the ${p.environment} database's own host, or remove it from the ${p.environment} catalog`,
          };
          break;
        }
      }
    }
  },
});
