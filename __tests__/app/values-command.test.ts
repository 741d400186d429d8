/**
 * `npm run values -- <env>`: the DEPLOY_TIME_VALUES names an environment needs, where each goes,
 * and who writes the rest. Names only: the command never sees a value.
 */
import { ENVIRONMENTS } from '../../catalogs';
import { EnvironmentConfig } from '../../catalogs/types';
import { runValuesCommand } from '../../app/values-command';

function run(args: string[], catalogs: EnvironmentConfig[] = ENVIRONMENTS) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValuesCommand(args, catalogs, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

test('lists each name once, with its secret and key, and says which GitHub secret holds them', () => {
  const r = run(['production']);
  expect(r.code).toBe(0);
  expect(r.out[0]).toBe('production: 7 value(s) to supply in GitHub environment "production", secret DEPLOY_TIME_VALUES (a JSON object of name -> value; the values job writes each one when its secret\'s value version rises):');
  expect(r.out).toContain('  platform_db_master_password         prod/platform/postgres/master-credentials key password (version 1)');
  expect(r.out).toContain('  datadog_api_key_value               prod/monitoring/datadog/api-key (version 1)');
  expect(r.out.slice(r.out.indexOf('Written by their rotation (the first value at creation):') + 1)[0]).toBe('  prod/service/api-gateway/key');
  expect(r.out).toContain('  prod/edge/tls/private-key');
});

test('a fixture catalog: a renamed input, JSON keys and a version, in catalog order', () => {
  const env = structuredClone(ENVIRONMENTS.find((e) => e.name === 'dev')!);
  const base = { service: 'x', component: 'y', description: 'd', category: 'application' as const, noRotationReason: 'issued elsewhere and rotated there' };
  env.secrets.push({ ...base, id: 'a', type: 'a', value: { kind: 'deploy-time', variable: 'VENDOR_TOKEN', version: 5 } });
  env.secrets.push({ ...base, id: 'b', type: 'b', value: { kind: 'json', fields: { host: 'h' }, deployTime: ['user', 'pass'] } });
  const r = run(['dev', '--json'], [env, ...ENVIRONMENTS.filter((e) => e.name !== 'dev')]);
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  const listed = JSON.parse(r.out.join('\n'));
  expect(Object.keys(listed)).toEqual(['dev']);
  expect(listed.dev).toMatchObject({ githubEnvironment: 'dev', githubSecret: 'DEPLOY_TIME_VALUES' });
  expect(listed.dev.names.slice(-3)).toEqual([
    { name: 'VENDOR_TOKEN', secret: 'dev/x/y/a', version: 5 },
    { name: 'b_user', secret: 'dev/x/y/b', key: 'user', version: 1 },
    { name: 'b_pass', secret: 'dev/x/y/b', key: 'pass', version: 1 },
  ]);
  // Every name is unique and none is a value.
  expect(new Set(listed.dev.names.map((n: { name: string }) => n.name)).size).toBe(listed.dev.names.length);
});

test('an unknown environment is a usage line; a broken catalog prints its problems, one line each', () => {
  expect(run(['qa'])).toMatchObject({ code: 2, err: ['usage: npm run values -- <dev|staging|production> [--json] (no environment qa)'] });
  expect(run([]).code).toBe(2);
  const broken = structuredClone(ENVIRONMENTS);
  broken[2].secrets[0].value = { kind: 'deploy-time', variable: 'bad-name' };
  const r = run(['production'], broken);
  expect(r.code).toBe(1);
  expect(r.err.some((l) => /secret platform_db_master: .*\[VALUE-VARIABLE-NAME\] fix:/.test(l))).toBe(true);
  expect(r.out).toEqual([]);
});
