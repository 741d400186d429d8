import { onSecret, rule } from '../rule';

/** A DNS name (labels of letters, digits and "-") or an IPv4 address (an IPv6 literal is let through below). */
const HOST = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/;

export default rule({
  id: 'ROT-DATABASE-HOST',
  explanation:
    "A database secret's host is a resolvable DNS name or an IP address: no scheme, port, path or spaces, which the rotation function would try to resolve as a name.",
  fact: {
    limit: '"host": "<instance host name/resolvable DNS name>"',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (s.spec.rotation?.kind !== 'database' || v.kind !== 'json' || !('host' in v.fields)) continue;
      const host = v.fields.host;
      if (typeof host === 'string' && (HOST.test(host) || /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]+$/.test(host))) continue;
      const m = typeof host === 'string' ? /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([^/:?#\s]+)(?::(\d+))?/i.exec(host.trim()) : null;
      const fix =
        m && m[1] && HOST.test(m[1])
          ? `write host: "${m[1]}"${m[2] ? ` and port: ${m[2]}` : ''}`
          : "write the database endpoint's DNS name or IP address only";
      yield onSecret(s, `host ${JSON.stringify(host)} is not a host name or IP address the rotation function can connect to`, fix);
    }
  },
});
