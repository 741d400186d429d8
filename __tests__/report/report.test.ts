/**
 * The report written at synth: who reads and writes each secret, the reasons the catalog states,
 * and a monthly cost whose sum is recomputed here by hand from the published prices; and the
 * access diff a pull request posts. On the fixture team (__tests__/support/fixtures.ts); that the
 * inventory matches any catalog is the `inventory` invariant.
 */
import { parseCatalogs } from '../../catalogs/parse';
import { planEnvironment } from '../../plan/plan';
import { ASSUMPTIONS, environmentReport, PRICES, reportMarkdown, reportSummary } from '../../report/report';
import { accessDiff } from '../../tools/access/diff';
import type { EnvironmentConfig } from '../../catalogs/types';
import { FIXTURE_ACCOUNTS, teamCatalogs } from '../support/fixtures';

const team = teamCatalogs();
const plans = parseCatalogs(team).catalogs.map(planEnvironment);
const prod = plans.find((p) => p.environment === 'production')!;
const report = environmentReport(prod);
const secret = (name: string) => report.secrets.find((s) => s.name === name)!;
const APPS = FIXTURE_ACCOUNTS.apps;

test('readers are resolved to accounts and role ARNs; masters are read by rotation only', () => {
  const app = secret('prod/orders/postgres/app-credentials');
  expect(app.readers).toContainEqual({
    kind: 'role',
    id: `arn:aws:iam::${APPS}:role/orders-reader`,
    account: APPS,
    as: 'reader apps (other account)',
    stages: 'AWSCURRENT',
  });
  const master = secret('prod/orders/postgres/master-credentials');
  // The deploy role reads no value (V1): Terraform neither writes nor refreshes one.
  expect(master.readers.map((p) => p.as).sort()).toEqual([
    'break-glass',
    'rotation (prod-secrets-rotation-postgres-single-user)',
    'rotation of the logins it drives (prod-secrets-rotation-postgres-alternating-users)',
  ]);
  expect(master.readers.some((p) => /ECS/.test(p.as))).toBe(false);
  // No pipeline role reads a value: the values job and the operator write, and are named as such.
  expect(master.writers.map((p) => p.as)).toEqual(expect.arrayContaining(['values job', 'operator (runbooks)']));
  expect(master.readers.some((p) => /values|operator|deploy/.test(p.as))).toBe(false);
  expect(app.readers.map((p) => p.as)).toContain('ECS orders-api (run-time reads)');
  expect(app.rotation).toMatchObject({ strategy: 'alternating-users', schedule: 'every 30 days' });
  expect(app.replicas).toEqual(['us-west-2']);
  expect(secret('prod/payments/webhook/signing-hmac').readers).toContainEqual({
    kind: 'organization',
    id: 'o-fixture0001',
    as: 'reader org (organization, other accounts)',
    stages: 'AWSCURRENT',
  });
  expect(secret('prod/payments/vendor/api-key').readers.map((p) => p.as)).toContain('reader reports');
});

test('the reasons the catalog states, and who writes each value: no rotation, TLS, a file in the repository', () => {
  expect(secret('prod/edge/tls/private-key').reasons).toEqual([
    expect.stringMatching(/^not rotated: Renewed with its certificate/),
    'value: uploaded by an operator (docs/operating.md)',
  ]);
  expect(secret('prod/orders/postgres/master-credentials').reasons).toEqual([
    'TLS: verify-full to the database',
    'value: written by the values step after apply, version 1, then its first rotation',
  ]);
  expect(secret('prod/payments/vendor/api-key').reasons).toContain('value: written by the values step after apply, version 1');
  expect(secret('prod/payments/webhook/signing-hmac').reasons).toContain('value: written by its rotation (the first at creation)');
  const dev = environmentReport(plans.find((p) => p.environment === 'dev')!);
  expect(dev.secrets.find((s) => s.id === 'partner_ca')!.reasons).toContain(
    'value committed to the repository: outside production only (binary from a file)',
  );
});

test('the monthly cost is the sum of its lines, each recomputed from the published prices', () => {
  const A = ASSUMPTIONS;
  const line = (prefix: string) => report.cost.lines.find((l) => l.item.startsWith(prefix))!;
  // 11 secrets; the orders master replicated twice, the orders login once.
  expect(line('Secrets Manager secrets').quantity).toBe(14);
  expect(line('Secrets Manager secrets').usdPerMonth).toBeCloseTo(14 * 0.4, 2);
  // Keys: database (+ us-west-2 and eu-west-1 replicas), api-keys, service-accounts, application, monitoring, state.
  expect(line('KMS customer managed keys').quantity).toBe(8);
  // The endpoint in two subnets.
  expect(line('Secrets Manager interface endpoint').quantity).toBe(2 * 730);
  expect(line('Secrets Manager interface endpoint').usdPerMonth).toBeCloseTo(14.6, 2);
  // Rotations: 30-day schedules x5 (orders master and login, billing admin, ledger, webhook), billing every 7 days.
  const rotations = 5 * (30 / 30) + 30 / 7;
  expect(line('Lambda rotation invocations').quantity).toBeCloseTo(rotations * A.invocationsPerRotation, 1);
  const total = report.cost.lines.reduce((n, l) => n + l.usdPerMonth, 0);
  expect(report.cost.monthlyEstimate).toBeCloseTo(total, 2);
  expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const [k, v] of Object.entries(PRICES))
    if (k !== 'asOf') expect((v as { source: string }).source).toMatch(/^https:\/\/aws\.amazon\.com\//);
  expect(reportMarkdown(report)).toMatch(/## Monthly cost estimate: \$\d+\.\d\d/);
  expect(reportSummary([report]).split('\n').length).toBeLessThanOrEqual(25);
});

test('the access diff names what a change gains and loses', () => {
  // A change that shares the webhook secret with the partner and stops sharing the orders login with the apps account.
  const changed: EnvironmentConfig = structuredClone(team.find((e) => e.name === 'production')!);
  changed.secrets.find((s) => s.id === 'webhook_secret')!.readers = ['org', 'partner'];
  const app = changed.secrets.find((s) => s.id === 'orders_db_app')!;
  app.readers = app.readers!.filter((r) => r !== 'apps');
  const head = environmentReport(planEnvironment(parseCatalogs([changed]).catalogs[0]));
  const d = accessDiff([report], [head]);
  expect(d.gained).toEqual([
    `| production | prod/payments/webhook/signing-hmac | read | arn:aws:iam::${FIXTURE_ACCOUNTS.partner}:role/partner-gateway (AWSCURRENT) | reader partner (other account) |`,
  ]);
  expect(d.lost.sort()).toEqual(
    [
      `| production | prod/orders/postgres/app-credentials | read | arn:aws:iam::${APPS}:role/batch-reader (AWSCURRENT) | reader apps (other account) |`,
      `| production | prod/orders/postgres/app-credentials | read | arn:aws:iam::${APPS}:role/orders-reader (AWSCURRENT) | reader apps (other account) |`,
    ].sort(),
  );
  expect(d.markdown).toContain('**Gained** (1)');
  expect(accessDiff([report], [report]).markdown).toContain('**Lost** (0)');
});
