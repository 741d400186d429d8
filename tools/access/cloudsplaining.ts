/**
 * Second opinion on the CI access: cloudsplaining (PyPI, pinned in .ci/run) reads an
 * account-authorization-details document, the shape `aws iam get-account-authorization-details`
 * returns, built here from the synthesized stacks (the bootstrap's CI and human roles with their
 * managed policies and boundaries, the workload boundary, and the roles the environment stack
 * creates with their inline policies). Every finding must carry a reason in
 * security/cloudsplaining-reasons.json; any other finding fails the proof.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { arn } from '../../plan/arn';
import type { CiProofInput } from './ci-proof';
import type { Json, PolicyDoc } from './model';

const DATE = '2025-01-01T00:00:00Z';
const id = (prefix: string, s: string) => `${prefix}${createHash('sha256').update(s).digest('hex').slice(0, 17).toUpperCase()}`;

export interface AuthorizationDetails {
  account: string;
  environment: string;
  document: Json;
}

/** The account's authorization details as the synthesized stacks would leave them. */
export function authorizationDetails(p: CiProofInput): AuthorizationDetails {
  const i = p.input;
  const policies = new Map<string, { name: string; arn: string; doc: PolicyDoc; attachments: number; boundaryUses: number }>();
  const managed = (name: string, doc: PolicyDoc) => {
    const a = arn(i.partition, 'iam', '', i.accountId, `policy/${name}`);
    const entry = policies.get(a) ?? { name, arn: a, doc, attachments: 0, boundaryUses: 0 };
    policies.set(a, entry);
    return entry;
  };
  const roles: Json[] = [];
  for (const r of p.ci.roles.values()) {
    const attached = r.identity.map((x) => managed(x.name, x.policy));
    for (const x of attached) x.attachments++;
    const boundary = r.boundary ? managed(r.boundary.name, r.boundary.policy) : undefined;
    if (boundary) boundary.boundaryUses++;
    roles.push(
      role(
        r.name,
        '/',
        r.arn,
        r.trust,
        [],
        attached.map((x) => ({ PolicyName: x.name, PolicyArn: x.arn })),
        boundary?.arn,
      ),
    );
  }
  const wb = p.ci.workloadBoundary;
  if (wb) managed(wb.name, wb.policy);
  for (const [, body] of Object.entries<Json>(p.env.tf.resource?.aws_iam_role ?? {})) {
    const roleArn = p.env.roleArnOf(body.name);
    const inline = Object.values<Json>(p.env.tf.resource?.aws_iam_role_policy ?? {})
      .filter((x) => p.env.value(x.role) === body.name)
      .map((x) => ({ PolicyName: x.name, PolicyDocument: JSON.parse(p.env.value(x.policy)) }));
    const boundary = body.permissions_boundary ? p.env.value(body.permissions_boundary) : undefined;
    if (boundary && policies.has(boundary)) policies.get(boundary)!.boundaryUses++;
    roles.push(role(body.name, body.path ?? '/', roleArn, JSON.parse(p.env.value(body.assume_role_policy)), inline, [], boundary));
  }
  return {
    account: i.accountId,
    environment: i.environment,
    document: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: [...policies.values()].map((x) => ({
        PolicyName: x.name,
        PolicyId: id('ANPA', x.arn),
        Arn: x.arn,
        Path: '/',
        DefaultVersionId: 'v1',
        AttachmentCount: x.attachments,
        PermissionsBoundaryUsageCount: x.boundaryUses,
        IsAttachable: true,
        CreateDate: DATE,
        UpdateDate: DATE,
        PolicyVersionList: [{ Document: x.doc, VersionId: 'v1', IsDefaultVersion: true, CreateDate: DATE }],
      })),
    },
  };
}

function role(
  name: string,
  pathName: string,
  roleArn: string,
  trust: PolicyDoc,
  inline: Json[],
  attached: Json[],
  boundary?: string,
): Json {
  return {
    Path: pathName,
    RoleName: name,
    RoleId: id('AROA', roleArn),
    Arn: roleArn,
    CreateDate: DATE,
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: [],
    RolePolicyList: inline,
    AttachedManagedPolicies: attached,
    ...(boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary } } : {}),
    Tags: [],
    RoleLastUsed: {},
  };
}

export interface CloudsplainingFinding {
  account: string;
  environment: string;
  policy: string;
  risk: string;
  actions: string[];
}

interface Reason {
  /** Regular expression over the policy name. */
  policy: string;
  risk: string;
  /** Regular expressions; every flagged action must match one. */
  actions: string[];
  reason: string;
}

/** Runs cloudsplaining over each account's document; returns the findings and which have no reason. */
export function runCloudsplaining(
  python: string,
  work: string,
  details: AuthorizationDetails[],
): { summary: string; findings: CloudsplainingFinding[]; open: string[]; error?: string } {
  const bin = path.join(path.dirname(python), 'cloudsplaining');
  if (!existsSync(bin))
    return {
      summary: 'cloudsplaining: not installed (.ci/run installs it in .build/access-venv)',
      findings: [],
      open: [],
      error: `${bin} is missing; run: python3 -m venv .build/access-venv && .build/access-venv/bin/pip install parliament==1.6.3 cloudsplaining==0.9.1`,
    };
  const findings: CloudsplainingFinding[] = [];
  for (const d of details) {
    const dir = path.join(work, `cloudsplaining-${d.environment}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const input = path.join(dir, `${d.environment}-${d.account}.json`);
    writeFileSync(input, JSON.stringify(d.document, null, 1));
    const r = spawnSync(bin, ['scan', '--input-file', input, '--output', dir, '--skip-open-report', '--minimize'], { encoding: 'utf8' });
    if (r.status !== 0) return { summary: 'cloudsplaining: failed', findings, open: [], error: (r.stderr || r.stdout).slice(-2000) };
    const results = readdirSync(dir).find((f) => /^iam-results-.*\.json$/.test(f));
    if (!results) return { summary: 'cloudsplaining: failed', findings, open: [], error: `no iam-results-*.json in ${dir}` };
    findings.push(...findingsOf(JSON.parse(readFileSync(path.join(dir, results), 'utf8')), d));
  }
  const reasons: Reason[] = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'security', 'cloudsplaining-reasons.json'), 'utf8'),
  ).reasons;
  for (const r of reasons)
    if (!r.reason || r.reason.length < 40)
      throw new Error(`security/cloudsplaining-reasons.json: the entry for ${r.policy} ${r.risk} has no real reason`);
  const open = findings
    .filter(
      (f) =>
        !reasons.some(
          (r) =>
            new RegExp(`^${r.policy}$`).test(f.policy) &&
            r.risk === f.risk &&
            f.actions.every((a) => r.actions.some((x) => new RegExp(`^${x}$`, 'i').test(a))),
        ),
    )
    .map(
      (f) =>
        `cloudsplaining (${f.environment}): ${f.policy}: ${f.risk}: ${f.actions.join(', ')} (no reason in security/cloudsplaining-reasons.json)`,
    );
  return {
    summary: `cloudsplaining over ${details.length} account(s): ${findings.length} finding(s), ${findings.length - open.length} reasoned in security/cloudsplaining-reasons.json, ${open.length} open`,
    findings,
    open,
  };
}

const RISKS = [
  'PrivilegeEscalation',
  'DataExfiltration',
  'ResourceExposure',
  'InfrastructureModification',
  'CredentialsExposure',
  'ServiceWildcard',
  'ServicesAffected',
];

/** The findings of cloudsplaining's results document, per policy and risk. */
export function findingsOf(results: Json, d: Pick<AuthorizationDetails, 'account' | 'environment'>): CloudsplainingFinding[] {
  const out: CloudsplainingFinding[] = [];
  for (const kind of ['customer_managed_policies', 'inline_policies', 'aws_managed_policies']) {
    for (const p of Object.values<Json>(results[kind] ?? {})) {
      for (const risk of RISKS.filter((x) => x !== 'ServicesAffected')) {
        // Each risk is {severity, description, findings: [action or service, ...]}.
        const v = p[risk]?.findings ?? p[risk];
        const actions: string[] = Array.isArray(v)
          ? v.map((x: Json) => (typeof x === 'string' ? x : (x.type ?? x.action ?? JSON.stringify(x))))
          : [];
        if (actions.length > 0)
          out.push({
            account: d.account,
            environment: d.environment,
            policy: p.PolicyName ?? p.policy_name ?? '?',
            risk,
            actions: actions.sort(),
          });
      }
    }
  }
  return out;
}
