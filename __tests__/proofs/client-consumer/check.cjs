// What run.mjs and run.cjs check: a read through a fake SDK client, the pools' classes, and that
// a get waiting on a request that never answers keeps no timer holding the process.
exports.check = async function check(api, format) {
  const answer = {
    ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app-AbCdEf',
    Name: 'app',
    VersionId: 'v1',
    SecretString: '{"REDIS_URL":"redis://cache:6379"}',
    VersionStages: ['AWSCURRENT'],
  };
  const cache = new api.SecretCache({
    client: { send: async (command) => (command.constructor.name === 'GetSecretValueCommand' ? answer : {}) },
  });
  const redis = await cache.getJson('app', { key: 'REDIS_URL' });
  const hanging = new api.SecretCache({ client: { send: () => new Promise(() => undefined) } });
  const pending = hanging.getString('app').catch((e) => e.code);
  const holding = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  hanging.close();
  const closed = await pending;
  cache.close();
  return {
    format,
    redis,
    pg: typeof api.RotatingPgPool,
    mysql: typeof api.RotatingMysqlPool,
    error: new api.SecretsClientError('Throttled', 'm') instanceof Error,
    holding,
    closed,
  };
};
