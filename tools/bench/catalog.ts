import type { EnvironmentConfig, SecretSpec } from '../../catalogs/types';

/**
 * A synthetic production-like environment with `count` secrets, mixed the way a large estate
 * is: mostly externally set API keys and JSON configs, a tenth rotated database logins, a tenth
 * with generated-value rotation, some replicated, some shared cross-account, and ECS services
 * of ten secrets each. `settings` gives the environment's settings and must declare the readers
 * `partner` and `app-accounts`.
 */
export function scaledEnvironment(count: number, settings: EnvironmentConfig): EnvironmentConfig {
  const secrets: SecretSpec[] = [];
  for (let i = 0; i < count; i++) {
    const service = `svc${String(Math.floor(i / 10)).padStart(3, '0')}`;
    const base = {
      id: `s${i}`,
      service,
      component: `component${i % 10}`,
      description: `synthetic secret ${i}`,
      noRotationReason: 'synthetic: rotated by its issuer',
    };
    const ecs = [{ service, runtime: true }];
    if (i % 10 === 0) {
      secrets.push({
        ...base,
        type: 'db-credentials',
        category: 'database',
        value: {
          kind: 'json',
          fields: { engine: 'postgres', host: `db${i}.internal`, port: 5432, dbname: 'app', username: `app${i}` },
          deployTime: ['password'],
        },
        rotation: {
          kind: 'database',
          engine: 'postgres',
          strategy: 'single-user',
          schedule: { afterDays: 30 },
          databaseSecurityGroupIds: ['sg-0a1b2c3d4e5f60021'],
        },
        replicas: ['us-west-2'],
        ecs,
      });
    } else if (i % 10 === 1) {
      secrets.push({
        ...base,
        type: 'signing-key',
        category: 'service-accounts',
        value: { kind: 'external', format: 'text' },
        rotation: { kind: 'generated', format: 'base64url', length: 48, schedule: { afterDays: 30 } },
        readers: ['partner'],
        ecs,
      });
    } else if (i % 10 < 6) {
      secrets.push({
        ...base,
        type: 'api-key',
        category: 'api-keys',
        value: { kind: 'deploy-time' },
        readers: i % 10 === 2 ? ['app-accounts'] : undefined,
        ecs,
      });
    } else {
      secrets.push({
        ...base,
        type: 'config',
        category: 'application',
        value: { kind: 'json', fields: { region: 'us-east-1' }, generated: { TOKEN: { length: 40, format: 'alphanumeric' } } },
        ecs,
      });
    }
  }
  return { ...settings, secrets };
}
