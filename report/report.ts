/**
 * The report written next to each stack at synth (cdktf.out/stacks/<env>/report.json and
 * report.md): who can read and who can write each secret (account, role ARN or organisation),
 * rotation and replication, the reasons the catalog states, and a monthly cost estimate. Written
 * from the plan only; `npm run access` proves the access it lists against the synthesized policies,
 * and `npm run access:diff` compares two reports (what a pull request gains or loses).
 */
import { CI_ROLE_NAMES } from '../catalogs/project';
import { roleArn } from '../plan/arn';
import type { EnvironmentPlan, SecretPlan } from '../plan/types';

/**
 * Prices, us-east-1, on-demand, as published on the dated pages below. Constants, not look-ups:
 * synth needs no network. Update the date with the figures.
 */
export const PRICES = {
  asOf: '2026-11-25',
  secretPerMonth: {
    usd: 0.4,
    source: 'https://aws.amazon.com/secrets-manager/pricing/ (per secret per month; each replica is billed as a secret)',
  },
  secretsManagerPer10kCalls: { usd: 0.05, source: 'https://aws.amazon.com/secrets-manager/pricing/ (per 10,000 API calls)' },
  kmsKeyPerMonth: {
    usd: 1.0,
    source: 'https://aws.amazon.com/kms/pricing/ (per customer managed key per month; each multi-Region replica is billed as a key)',
  },
  kmsPer10kRequests: { usd: 0.03, source: 'https://aws.amazon.com/kms/pricing/ (symmetric requests, per 10,000)' },
  endpointPerAzHour: { usd: 0.01, source: 'https://aws.amazon.com/privatelink/pricing/ (interface endpoint, per AZ-hour)' },
  lambdaPerMillionRequests: { usd: 0.2, source: 'https://aws.amazon.com/lambda/pricing/ (requests)' },
  lambdaArmPerGbSecond: { usd: 0.0000133334, source: 'https://aws.amazon.com/lambda/pricing/ (Arm, per GB-second)' },
  cloudwatchAlarmPerMonth: { usd: 0.1, source: 'https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution alarm per month)' },
  cloudwatchLogsPerGbIngested: { usd: 0.5, source: 'https://aws.amazon.com/cloudwatch/pricing/ (logs ingestion per GB)' },
} as const;

/** Usage the catalog does not state; the report prints them so a reader can redo the sum. */
export const ASSUMPTIONS = {
  hoursPerMonth: 730,
  daysPerMonth: 30,
  /** Secrets Manager calls per rotation: four steps, each describing, reading and writing (lambdas/rotation). */
  callsPerRotation: 16,
  /** Rotation function invocations per rotation (createSecret, setSecret, testSecret, finishSecret). */
  invocationsPerRotation: 4,
  lambdaSecondsPerInvocation: 2,
  lambdaMemoryGb: 0.256,
  /** Tasks per ECS service and task starts per service per month (each start injects). */
  tasksPerService: 2,
  taskStartsPerServiceMonth: 100,
  /** A run-time reader (rotation-aware client) re-reads each secret every 5 minutes per task. */
  runtimeReadsPerTaskHour: 12,
  /** A cross-account or same-account reader role reads each shared secret once an hour. */
  readerReadsPerHour: 1,
  logGbPerFunctionMonth: 0.01,
};

export interface Principal {
  kind: 'role' | 'organization';
  /** Role ARN, or organisation id. */
  id: string;
  account?: string;
  /** Why it has access: reader, ECS, rotation, deploy, break-glass. */
  as: string;
  /** Version stages it may read (reads only). */
  stages?: string;
}

export interface SecretReport {
  id: string;
  name: string;
  key: string;
  readers: Principal[];
  writers: Principal[];
  managers: Principal[];
  rotation: null | { function: string; strategy: string; schedule: string; tls?: string };
  replicas: string[];
  reasons: string[];
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usdPerMonth: number;
}

export interface EnvironmentReport {
  environment: string;
  account: string;
  region: string;
  secrets: SecretReport[];
  cost: { currency: 'USD'; monthlyEstimate: number; lines: CostLine[]; prices: typeof PRICES; assumptions: typeof ASSUMPTIONS };
}

const accountOf = (arn: string) => arn.split(':')[4];
const round = (n: number) => Math.round(n * 100) / 100;

function rotationsPerMonth(s: SecretPlan): number {
  const r = s.rotation;
  if (!r) return 0;
  if (r.schedule.afterDays) return ASSUMPTIONS.daysPerMonth / r.schedule.afterDays;
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(r.schedule.expression ?? '');
  if (rate) return rate[2].startsWith('hour') ? ASSUMPTIONS.hoursPerMonth / Number(rate[1]) : ASSUMPTIONS.daysPerMonth / Number(rate[1]);
  // A cron expression: count it as daily, the most a typical cron here runs (a conservative estimate).
  return ASSUMPTIONS.daysPerMonth;
}

function secretReport(plan: EnvironmentPlan, s: SecretPlan): SecretReport {
  const roleAs = new Map<string, string>();
  for (const svc of plan.ecsServices) {
    if (svc.executionRole?.secretIds.includes(s.id))
      roleAs.set(
        roleArn(plan.partition, plan.accountId, svc.executionRole.name, plan.workloadRolePath),
        `ECS ${svc.service} (start-up injection)`,
      );
    if (svc.taskRole?.secretIds.includes(s.id))
      roleAs.set(roleArn(plan.partition, plan.accountId, svc.taskRole.name, plan.workloadRolePath), `ECS ${svc.service} (run-time reads)`);
  }
  for (const f of plan.rotationFunctions) {
    const arn = roleArn(plan.partition, plan.accountId, f.roleName, plan.workloadRolePath);
    if (f.secretIds.includes(s.id)) roleAs.set(arn, `rotation (${f.functionName})`);
    else if (f.adminSecretIds.includes(s.id)) roleAs.set(arn, `rotation of the logins it drives (${f.functionName})`);
  }
  for (const r of s.readers) if (r.kind === 'iam-role') roleAs.set(r.roleArn, `reader ${r.name}`);
  if (plan.deployRoleArn) roleAs.set(plan.deployRoleArn, 'deploy role');
  roleAs.set(roleArn(plan.partition, plan.accountId, CI_ROLE_NAMES.values), 'values job');
  roleAs.set(roleArn(plan.partition, plan.accountId, CI_ROLE_NAMES.operator), 'operator (runbooks)');
  roleAs.set(plan.breakGlass.roleArn, 'break-glass');
  const role = (arn: string, stages?: string): Principal => ({
    kind: 'role',
    id: arn,
    account: accountOf(arn),
    as: roleAs.get(arn) ?? 'named in the catalog',
    ...(stages ? { stages } : {}),
  });
  const readers: Principal[] = s.access.readers.map((arn) => role(arn, 'all'));
  for (const r of s.readers) {
    if (r.kind === 'account')
      for (const arn of r.roleArns)
        readers.push({ kind: 'role', id: arn, account: r.accountId, as: `reader ${r.name} (other account)`, stages: 'AWSCURRENT' });
    if (r.kind === 'organization')
      readers.push({
        kind: 'organization',
        id: r.organizationId,
        as: `reader ${r.name} (organization, other accounts)`,
        stages: 'AWSCURRENT',
      });
  }
  readers.push(role(s.access.breakGlassRoleArn, 'all'));
  const spec = s.spec;
  const reasons: string[] = [];
  if (!spec.rotation && spec.noRotationReason) reasons.push(`not rotated: ${spec.noRotationReason}`);
  if (!spec.rotation && !spec.noRotationReason) reasons.push('not rotated (no reason stated; dev only)');
  if (spec.rotation?.kind === 'database') {
    const tls = spec.rotation.tls ?? 'verify-full';
    reasons.push(
      tls === 'verify-full'
        ? 'TLS: verify-full to the database'
        : `TLS: ${tls}${spec.rotation.tlsReason ? ` (${spec.rotation.tlsReason})` : ''}`,
    );
  }
  if (spec.value.kind === 'binary-file')
    reasons.push(
      `value committed to the repository: ${spec.value.acknowledgeValueInRepository ? 'acknowledged in the catalog' : 'outside production only (binary from a file)'}`,
    );
  reasons.push(firstValueOf(s.value));
  const r = s.rotation;
  return {
    id: s.id,
    name: s.name,
    key: s.kmsKeyArn ? (plan.keys.find((k) => k.id === s.keyId)?.alias ?? s.kmsKeyArn) : 'aws/secretsmanager',
    readers,
    writers: [...s.access.valueWriters, s.access.breakGlassRoleArn].map((arn) => role(arn)),
    managers: [...s.access.managers, s.access.breakGlassRoleArn].map((arn) => role(arn)),
    rotation: r
      ? {
          function: r.functionName,
          strategy: spec.rotation!.kind === 'database' ? spec.rotation!.strategy : `generated ${spec.rotation!.format}`,
          schedule: r.schedule.afterDays ? `every ${r.schedule.afterDays} days` : (r.schedule.expression ?? ''),
          ...(spec.rotation!.kind === 'database' ? { tls: spec.rotation!.tls ?? 'verify-full' } : {}),
        }
      : null,
    replicas: s.replicas.map((x) => x.region),
    reasons,
  };
}

/** Who writes the value, for the report (docs/values.md). */
function firstValueOf(v: SecretPlan['value']): string {
  if (v.kind === 'none')
    return v.firstValue === 'rotation'
      ? 'value: written by its rotation (the first at creation)'
      : 'value: uploaded by an operator (docs/operating.md)';
  return `value: written by the values step after apply, version ${v.version}${v.rotateAfterWrite ? ', then its first rotation' : ''}`;
}

export function costOf(plan: EnvironmentPlan): EnvironmentReport['cost'] {
  const A = ASSUMPTIONS;
  const P = PRICES;
  const lines: CostLine[] = [];
  const line = (item: string, quantity: number, unit: string, usd: number) =>
    lines.push({ item, quantity: round(quantity), unit, usdPerMonth: round(usd) });
  const copies = plan.secrets.reduce((n, s) => n + 1 + s.replicas.length, 0);
  line('Secrets Manager secrets (replicas included)', copies, 'secrets', copies * P.secretPerMonth.usd);
  const rotations = plan.secrets.reduce((n, s) => n + rotationsPerMonth(s), 0);
  const rotationCalls = rotations * A.callsPerRotation;
  const ecsReads = plan.ecsServices.reduce(
    (n, svc) =>
      n +
      (svc.executionRole?.secretIds.length ?? 0) * A.taskStartsPerServiceMonth +
      (svc.taskRole?.secretIds.length ?? 0) * A.tasksPerService * A.runtimeReadsPerTaskHour * A.hoursPerMonth,
    0,
  );
  const readerReads = plan.readers.reduce(
    (n, r) =>
      n + r.secretIds.length * (r.resolved.kind === 'account' ? r.resolved.roleArns.length : 1) * A.readerReadsPerHour * A.hoursPerMonth,
    0,
  );
  const calls = rotationCalls + ecsReads + readerReads;
  line('Secrets Manager API calls (rotations, ECS reads, readers)', calls, 'calls', (calls / 10_000) * P.secretsManagerPer10kCalls.usd);
  const keys = [...plan.keys, plan.monitoringKey].reduce((n, k) => n + k.regions.length, 0) + 1; // + the state key
  line('KMS customer managed keys (replicas and the state key included)', keys, 'keys', keys * P.kmsKeyPerMonth.usd);
  // Every Secrets Manager read or write under a customer key is one KMS request.
  line('KMS requests (one per Secrets Manager value read or write)', calls, 'requests', (calls / 10_000) * P.kmsPer10kRequests.usd);
  const azs = plan.endpoint?.create ? plan.endpoint.subnetIds.length : 0;
  line('Secrets Manager interface endpoint', azs * A.hoursPerMonth, 'AZ-hours', azs * A.hoursPerMonth * P.endpointPerAzHour.usd);
  const invocations = rotations * A.invocationsPerRotation;
  line(
    'Lambda rotation invocations',
    invocations,
    'requests',
    (invocations / 1_000_000) * P.lambdaPerMillionRequests.usd +
      invocations * A.lambdaSecondsPerInvocation * A.lambdaMemoryGb * P.lambdaArmPerGbSecond.usd,
  );
  const alarms = plan.monitoring.rotationFunctionNames.length;
  line('CloudWatch alarms (rotation errors)', alarms, 'alarms', alarms * P.cloudwatchAlarmPerMonth.usd);
  const logGb = plan.rotationFunctions.length * A.logGbPerFunctionMonth;
  line('CloudWatch Logs ingestion (rotation functions)', logGb, 'GB', logGb * P.cloudwatchLogsPerGbIngested.usd);
  const monthlyEstimate = round(lines.reduce((n, l) => n + l.usdPerMonth, 0));
  return { currency: 'USD', monthlyEstimate, lines, prices: PRICES, assumptions: ASSUMPTIONS };
}

export function environmentReport(plan: EnvironmentPlan): EnvironmentReport {
  return {
    environment: plan.environment,
    account: plan.accountId,
    region: plan.region,
    secrets: plan.secrets.map((s) => secretReport(plan, s)),
    cost: costOf(plan),
  };
}

const who = (p: Principal) =>
  (p.kind === 'organization' ? `organization ${p.id}` : `${p.id}`) +
  ` — ${p.as}${p.stages && p.stages !== 'all' ? ` (${p.stages} only)` : ''}`;

export function reportMarkdown(r: EnvironmentReport): string {
  const out: string[] = [
    `# ${r.environment}: who can do what, and what it costs`,
    '',
    `Account ${r.account}, ${r.region}. Generated at synth from the plan; \`npm run access\` proves these grants against the synthesized policies by IAM simulation.`,
    '',
  ];
  for (const s of r.secrets) {
    out.push(
      `## ${s.name}`,
      '',
      `Key: ${s.key}. Replicas: ${s.replicas.length > 0 ? s.replicas.join(', ') : 'none'}. Rotation: ${s.rotation ? `${s.rotation.strategy}, ${s.rotation.schedule}, by ${s.rotation.function}` : 'none'}.`,
      '',
    );
    out.push(
      'Read:',
      ...s.readers.map((p) => `- ${who(p)}`),
      '',
      'Write:',
      ...s.writers.map((p) => `- ${who(p)}`),
      '',
      'Manage:',
      ...s.managers.map((p) => `- ${who(p)}`),
      '',
    );
    if (s.reasons.length > 0) out.push('Stated:', ...s.reasons.map((x) => `- ${x}`), '');
  }
  out.push(
    `## Monthly cost estimate: $${r.cost.monthlyEstimate.toFixed(2)}`,
    '',
    '| item | quantity | unit | USD / month |',
    '|---|---:|---|---:|',
  );
  for (const l of r.cost.lines) out.push(`| ${l.item} | ${l.quantity} | ${l.unit} | ${l.usdPerMonth.toFixed(2)} |`);
  out.push(
    '',
    `Prices as of ${PRICES.asOf}:`,
    ...Object.entries(PRICES)
      .filter(([k]) => k !== 'asOf')
      .map(([k, v]) => `- ${k}: $${(v as { usd: number }).usd} — ${(v as { source: string }).source}`),
  );
  out.push('', 'Assumptions (usage the catalog does not state):', ...Object.entries(ASSUMPTIONS).map(([k, v]) => `- ${k}: ${v}`), '');
  return out.join('\n');
}

/** The one-screen summary printed after a successful synth. */
export function reportSummary(reports: EnvironmentReport[]): string {
  const lines = ['environment  secrets(+replicas)  rotated  shared  readers  monthly cost'];
  for (const r of reports) {
    const replicas = r.secrets.reduce((n, s) => n + s.replicas.length, 0);
    const rotated = r.secrets.filter((s) => s.rotation).length;
    const shared = r.secrets.filter((s) => s.readers.some((p) => p.account !== r.account)).length;
    const readers = new Set(r.secrets.flatMap((s) => s.readers.map((p) => p.id))).size;
    lines.push(
      `${r.environment.padEnd(12)} ${`${r.secrets.length}(+${replicas})`.padEnd(19)} ${String(rotated).padEnd(8)} ${String(shared).padEnd(7)} ${String(readers).padEnd(8)} $${r.cost.monthlyEstimate.toFixed(2)}`,
    );
  }
  lines.push('Reports: cdktf.out/stacks/<env>/report.md (who reads and writes each secret, reasons, cost)');
  return lines.join('\n');
}
