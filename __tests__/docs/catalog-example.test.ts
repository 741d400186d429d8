/**
 * The worked example of docs/catalog.md ("Adding a secret") is a catalog entry that synthesizes:
 * the block after `<!-- example:adding-a-secret -->` is read as written, added to a production
 * catalog built here, and must pass the schema and every guardrail, and become the secret the
 * page says it becomes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { runRules } from '../../rules/run';
import { formatViolation } from '../../catalogs/violation';

const root = path.resolve(__dirname, '..', '..');

/** The fenced block right after the marker, as the object literal it holds. */
function example(): Record<string, any> {
  const page = readFileSync(path.join(root, 'docs', 'catalog.md'), 'utf8');
  const m = page.match(/<!-- example:adding-a-secret -->\n```ts\n([\s\S]*?)\n```/);
  expect(m).not.toBeNull();
  // A list element (it ends with a comma, ready to paste into `secrets: [...]`): plain JS data.
  return new Function(`return [${m![1]}][0];`)();
}

function productionWith(secret: Record<string, any>) {
  return {
    name: 'production',
    accountId: '123456789012',
    region: 'us-east-1',
    deployRoleArn: 'arn:aws:iam::123456789012:role/secrets-platform-deploy',
    breakGlass: { roleName: 'secrets-platform-break-glass' },
    owner: 'billing-team',
    costCenter: 'cc-7',
    recoveryWindowDays: 30,
    keyDeletionWindowDays: 30,
    logRetentionDays: 365,
    network: {
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
      endpointClientSecurityGroupIds: ['sg-0a1b2c3d4e5f60031'],
    },
    readers: { 'app-accounts': { kind: 'account', accountId: '111111111111', roleNames: ['secrets-reader'] } },
    secrets: [secret],
  };
}

describe('docs/catalog.md: adding a secret', () => {
  test('the example passes the schema and every guardrail in a production catalog', () => {
    const { catalogs, problems } = parseCatalogs([productionWith(example())]);
    expect(problems.map(formatViolation)).toEqual([]);
    const plan = planEnvironment(catalogs[0]);
    expect(runRules([plan], root).map(formatViolation)).toEqual([]);
  });

  test('it becomes the secret the page describes: name, key, reader, ECS injection, replica', () => {
    const { catalogs } = parseCatalogs([productionWith(example())]);
    const plan = planEnvironment(catalogs[0]);
    const secret = plan.secrets.find((s) => s.id === 'billing_stripe_key')!;
    expect(secret.name).toBe('prod/billing/stripe/api-key');
    expect(secret.category).toBe('api-keys');
    expect(secret.replicas.map((r) => r.region)).toEqual(['us-west-2']);
    expect(plan.readers.find((r) => r.name === 'app-accounts')?.secretIds).toEqual(['billing_stripe_key']);
    expect(plan.ecsServices.find((e) => e.service === 'billing-api')?.containerSecrets.map((c) => c.name)).toEqual(['STRIPE_KEY']);
  });

  test('a broken copy of it is refused (the test reads what the page says)', () => {
    const broken = { ...example(), category: 'api-key' };
    const { problems } = parseCatalogs([productionWith(broken)]);
    expect(problems.map((p) => p.rule)).toContain('CAT-ENUM');
  });
});
