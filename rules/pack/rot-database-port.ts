import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-DATABASE-PORT',
  explanation: 'A database secret\'s port is a TCP port number (1-65535, written as a number): the rotation function connects to it and its security group opens only it.',
  fact: { limit: '"port": <TCP port number>; security group rules take ports 0-65535', page: 'Secrets Manager User Guide: JSON structure of Secrets Manager secrets; Amazon VPC User Guide: Security group rules' },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      if (s.spec.rotation?.kind !== 'database' || v.kind !== 'json' || !('port' in v.fields)) continue;
      const port = v.fields.port;
      if (typeof port !== 'number') yield onSecret(s, `port is ${JSON.stringify(port)}, not a number: the function's security group would open the engine's default port instead`, `write port: ${/^\d+$/.test(String(port)) ? Number(port) : 5432} (a number, without quotes)`);
      else if (!Number.isInteger(port) || port < 1 || port > 65535) yield onSecret(s, `port ${port} is not a TCP port (1-65535)`, 'use the port the database listens on, e.g. 5432 or 3306');
    }
  },
});
