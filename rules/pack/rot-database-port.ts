import { onSecret, rule } from '../rule';
import { DEFAULT_PORT, engineFamily } from '../rotation';

export default rule({
  id: 'ROT-DATABASE-PORT',
  explanation:
    "A database secret's port is a TCP port number (1-65535, written as a number) and not the other engine's default: the rotation function speaks its engine's protocol to it and its security group opens only it.",
  fact: {
    limit: '"port": <TCP port number>; security group rules take ports 0-65535; default ports MySQL/MariaDB 3306, PostgreSQL 5432',
    page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets; Amazon VPC User Guide: Security group rules; Amazon RDS User Guide: DB instance port',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      const r = s.spec.rotation;
      if (r?.kind !== 'database' || v.kind !== 'json' || !('port' in v.fields)) continue;
      const port = v.fields.port;
      const family = engineFamily(r.engine);
      const other = Object.entries(DEFAULT_PORT).find(([f, p]) => f !== family && p === port)?.[0];
      if (typeof port !== 'number')
        yield onSecret(
          s,
          `port is ${JSON.stringify(port)}, not a number: the function's security group would open the engine's default port instead`,
          `write port: ${/^\d+$/.test(String(port)) ? Number(port) : DEFAULT_PORT[family]} (a number, without quotes)`,
        );
      else if (!Number.isInteger(port) || port < 1 || port > 65535)
        yield onSecret(
          s,
          `port ${port} is not a TCP port (1-65535)`,
          `use the port the database listens on (the ${r.engine} default is ${DEFAULT_PORT[family]})`,
        );
      else if (other !== undefined)
        yield onSecret(
          s,
          `port ${port} is the ${other === 'mysql' ? 'MySQL' : 'PostgreSQL'} default, but this secret rotates a ${r.engine} login: the function would speak ${r.engine} to a ${other === 'mysql' ? 'MySQL' : 'PostgreSQL'} server`,
          `use the ${r.engine} database's port (default ${DEFAULT_PORT[family]}), or correct the rotation engine`,
        );
    }
  },
});
