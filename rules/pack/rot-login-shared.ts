import { onSecret, rule } from '../rule';
import { addressText, databaseAddress, ownedLogins } from '../rotation';

export default rule({
  id: 'ROT-LOGIN-SHARED',
  explanation:
    'One login, one owner: a rotated database login (host, port and user normalised; the _clone user of alternating users included) is held by one secret only, or each rotation breaks the other copy.',
  fact: {
    limit: 'rotation changes the password of the user in the secret; alternating users also owns <user>_clone; one secret per user',
    page: 'Secrets Manager User Guide: Rotation strategies (single user, alternating users)',
  },
  *check({ plan }) {
    const holders = new Map<string, { id: string; rotated: boolean }>();
    for (const s of plan.secrets) {
      const at = databaseAddress(s);
      const v = s.spec.value;
      if (!at || v.kind !== 'json') continue;
      const rotated = s.spec.rotation?.kind === 'database';
      const logins = rotated ? ownedLogins(s) : typeof v.fields.username === 'string' ? [v.fields.username] : [];
      for (const user of logins) {
        const key = [at.family, at.host, at.port, user].join('\u0000');
        const other = holders.get(key);
        if (other === undefined) {
          holders.set(key, { id: s.id, rotated });
          continue;
        }
        if (other.id === s.id || (!rotated && !other.rotated)) continue;
        const message =
          rotated && other.rotated
            ? `rotates login ${user} on ${addressText(at)}, which secret ${other.id} already rotates: each rotation would break the other secret's password`
            : rotated
              ? `rotates login ${user} on ${addressText(at)}, of which secret ${other.id} holds an unrotated copy that goes stale at the first rotation`
              : `holds login ${user} on ${addressText(at)}, which secret ${other.id} rotates: this copy goes stale at the first rotation`;
        const fix =
          rotated && !other.rotated
            ? `keep one secret per login: remove ${other.id} and let its readers read this one`
            : `keep one secret per login: remove this one and let its readers read ${other.id}, or give it its own database user`;
        yield onSecret(s, message, fix);
        break;
      }
    }
  },
});
