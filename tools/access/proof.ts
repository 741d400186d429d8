/**
 * The access proof: AWS authorization, simulated with @cloud-copilot/iam-simulate, for every
 * principal x secret x action of a stack, compared with the matrix the catalog implies.
 *
 * Checks, each compared on its own:
 * - `secretsmanager`: identity policies + the secret's resource policy (+ the VPC endpoint
 *   policy for roles whose calls go through it), per action and, for GetSecretValue, per stage;
 * - `kms`: identity policies + the key policy, for Decrypt and GenerateDataKey through Secrets
 *   Manager (`kms:ViaService`, `kms:CallerAccount`), direct Decrypt / GenerateDataKey, and
 *   CreateGrant with and without `kms:GrantIsForAWSResource`;
 * - `combined`: a value read needs GetSecretValue and Decrypt through Secrets Manager, a value
 *   write needs PutSecretValue and GenerateDataKey through Secrets Manager;
 * - `identity`: the role's own policies alone (resource side wide open), so a role that asks for
 *   more than the catalog gives it fails even where a resource policy would save the day;
 * - `endpoint`: the endpoint policy keeps foreign principals out and our principals in; its
 *   security group admits only the clients the catalog names, on 443, never a broad range.
 *
 * iam-simulate (AGPL-3.0) is a dev dependency used here only; nothing in lambdas/ or client/
 * imports it.
 */
import { getDenialReasons, getGrantReasons, type runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { conditionKeys, ShapeCache } from './shape';
import {
  type AccessFacts,
  expectKeyViaSecretsManager,
  expectSecretAction,
  CI_KINDS,
  outsideAccount,
  type PrincipalKind,
  SECRET_ACTIONS,
  type SecretExpectation,
  type Stage,
  STAGES,
} from './expected';
import type { KeyFact, PolicyDoc, SecretFact, StackModel } from './model';

export type CheckKind = 'secretsmanager' | 'kms' | 'combined' | 'identity' | 'endpoint' | 'network' | 'service' | 'catalog';

export interface Finding {
  stack: string;
  check: CheckKind;
  principal: string;
  action: string;
  /** Secret name (and region), key ARN, or the endpoint. */
  target: string;
  expected: 'Allowed' | 'Denied';
  actual: 'Allowed' | 'Denied';
  /** The statement(s) that decided the actual result. */
  decidedBy: string;
}

export interface Principal {
  arn: string;
  kind: PrincipalKind;
  identity: Array<{ name: string; policy: PolicyDoc }>;
  /** The permissions boundary (the CI and operator roles). */
  boundary?: { name: string; policy: PolicyDoc };
  /** Calls go through the stack's Secrets Manager VPC endpoint. */
  viaEndpoint: boolean;
}

export interface ProofResult {
  stack: string;
  findings: Finding[];
  /** Requests compared with an expectation. */
  requests: number;
  /** Evaluations run (requests of one shape share one). */
  simulations: number;
  principals: Principal[];
  /** Decisions per secret for the report: principal -> allowed actions. */
  matrix: Record<string, Record<string, string[]>>;
  /** Statements whose conditions use kms:EncryptionContext keys (iam-simulate drops them). */
  encryptionContextStatements: string[];
}

const ADMIN: PolicyDoc = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'AdministratorAccess', Effect: 'Allow', Action: '*', Resource: '*' }],
};
const adminIdentity = [{ name: 'AdministratorAccess (probe)', policy: ADMIN }];
const accountOf = (arn: string) => arn.split(':')[4];
const allowAllFor = (arn: string): PolicyDoc => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ProbeOpensResourceSide', Effect: 'Allow', Principal: { AWS: arn }, Action: '*', Resource: '*' }],
});
/** The identity layer alone: the resource in the principal's own account, delegating to IAM. */
const delegateToIam = (arn: string): PolicyDoc => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ProbeDelegatesToIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountOf(arn)}:root` }, Action: '*', Resource: '*' },
  ],
});

/** The principals of one stack: its roles, the named readers, and the probes. */
export function principalsFor(
  model: StackModel,
  facts: AccessFacts,
  crossReaders: Array<{ arn: string; identity: PolicyDoc[] }>,
  ci: readonly CiPrincipalFacts[] = [],
): Principal[] {
  const out: Principal[] = [];
  const runsInVpc = (trust: PolicyDoc) => JSON.stringify(trust).match(/lambda\.amazonaws\.com|ecs-tasks\.amazonaws\.com/) !== null;
  for (const r of model.roles)
    out.push({ arn: r.arn, kind: 'stack-role', identity: r.policies, viaEndpoint: !!model.endpoint && runsInVpc(r.trust) });
  const byRole = new Map<string, Principal>();
  for (const p of model.externalRolePolicies) {
    const existing = byRole.get(p.arn) ?? { arn: p.arn, kind: 'reader-role' as const, identity: [], viaEndpoint: false };
    existing.identity.push({ name: p.name, policy: p.policy });
    byRole.set(p.arn, existing);
  }
  out.push(...byRole.values());
  // iam-role readers: their own policies are not ours to write; the secret and key policies grant.
  for (const arn of facts.sameAccountReaders)
    if (!byRole.has(arn)) out.push({ arn, kind: 'reader-role', identity: [], viaEndpoint: false });
  for (const c of crossReaders)
    out.push({
      arn: c.arn,
      kind: 'cross-reader',
      identity: c.identity.map((policy, i) => ({ name: `consumer policy ${i + 1}`, policy })),
      viaEndpoint: false,
    });
  // The CI and human roles as the bootstrap stack synthesizes them (identity and boundary).
  for (const r of ci)
    out.push({ arn: r.arn, kind: r.kind, identity: r.identity, ...(r.boundary ? { boundary: r.boundary } : {}), viaEndpoint: false });
  out.push({ arn: `arn:aws:iam::${model.account}:role/account-admin-probe`, kind: 'admin', identity: adminIdentity, viaEndpoint: false });
  for (const a of facts.readerAccounts)
    out.push({ arn: `arn:aws:iam::${a}:role/unnamed-role-probe`, kind: 'unnamed', identity: adminIdentity, viaEndpoint: false });
  out.push({
    arn: `arn:aws:iam::${outsideAccount()}:role/outside-account-probe`,
    kind: 'outsider',
    identity: adminIdentity,
    viaEndpoint: false,
  });
  return out;
}

const tagContext = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

function baseContext(p: Principal): Record<string, string> {
  return {
    'aws:PrincipalArn': p.arn,
    'aws:PrincipalAccount': accountOf(p.arn),
    'aws:PrincipalIsAWSService': 'false',
    'aws:PrincipalType': 'AssumedRole',
    'aws:SecureTransport': 'true',
  };
}

interface Decision {
  allowed: boolean;
  decidedBy: string;
  /** The simulations behind it (re-evaluated without the cache when it is a difference). */
  sims?: Simulation[];
}

function describeReasons(sim: Simulation, result: Awaited<ReturnType<typeof runSimulation>>): string {
  if (result.resultType === 'error') return `simulation error: ${result.errors.message}`;
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (!analysis) return 'no analysis';
  const name = (type: string, id?: string) =>
    type === 'resource'
      ? sim.request.action.startsWith('kms:')
        ? 'key policy'
        : 'secret policy'
      : type === 'vpce'
        ? `endpoint policy`
        : `${type} ${id ?? ''}`.trim();
  return statementsDeciding(result.overallResult, analysis, name);
}

type Analysis = NonNullable<Extract<Awaited<ReturnType<typeof runSimulation>>, { resultType: 'single' }>['result']['analysis']>;

/**
 * The statements that decided a simulation: the granting ones joined by " + ", or each explicit
 * deny and each policy type that allows nothing. `name` names a policy by its type and identifier
 * (the secret proof and the CI proof name them differently).
 */
export function statementsDeciding(overall: string, analysis: Analysis, name: (type: string, id?: string) => string): string {
  const stmt = (r: { statementId?: string; statementIndex: number }) =>
    r.statementId ? `"${r.statementId}"` : `statement #${r.statementIndex}`;
  if (overall === 'Allowed') {
    return getGrantReasons(analysis)
      .map((g) => `${name(g.policyType, 'policyIdentifier' in g ? g.policyIdentifier : undefined)} ${stmt(g)}`)
      .join(' + ');
  }
  return getDenialReasons(analysis)
    .map((d) =>
      d.denialType === 'Explicit'
        ? `explicit deny in ${name(d.policyType, d.policyIdentifier)} ${stmt(d)}`
        : `no statement of the ${name(d.policyType, d.identifier)} allows it`,
    )
    .join('; ');
}

export class Simulator {
  constructor(readonly shapes = new ShapeCache()) {}
  get count() {
    return this.shapes.requests;
  }
  async decide(sim: Simulation, exact = false): Promise<Decision> {
    const result = exact ? await this.shapes.exact(sim) : await this.shapes.run(sim);
    if (result.resultType === 'error')
      throw new Error(
        `iam-simulate rejected the request for ${sim.request.principal} ${sim.request.action} on ${sim.request.resource.resource}: ${JSON.stringify(result.errors)}`,
      );
    return { allowed: result.overallResult === 'Allowed', decidedBy: describeReasons(sim, result), sims: [sim] };
  }

  /** A difference found through the cache, evaluated again without it: its own reasons, and a check. */
  async confirm(d: Decision): Promise<Decision> {
    const exact = await Promise.all((d.sims ?? []).map((s) => this.decide(s, true)));
    const allowed = exact.every((x) => x.allowed);
    if (exact.length > 0 && allowed !== d.allowed)
      throw new Error(
        `the shape cache decided ${d.allowed ? 'Allowed' : 'Denied'} where iam-simulate decides otherwise (${d.sims!.map((s) => `${s.request.principal} ${s.request.action} ${s.request.resource.resource}`).join(' + ')}): a bug in tools/access/shape.ts`,
      );
    return exact.length > 0 ? { allowed, decidedBy: exact.map((x) => x.decidedBy).join(' | ') } : d;
  }
}

/** A CI or human role of the bootstrap stack, for the secret proof. */
export interface CiPrincipalFacts {
  arn: string;
  kind: PrincipalKind;
  identity: Array<{ name: string; policy: PolicyDoc }>;
  boundary?: { name: string; policy: PolicyDoc };
}

export function simulation(
  p: Principal,
  identity: Principal['identity'],
  action: string,
  resource: string,
  resourceAccount: string,
  context: Record<string, string>,
  resourcePolicy: PolicyDoc | undefined,
  endpointPolicy?: PolicyDoc,
): Simulation {
  return {
    request: {
      principal: p.arn,
      action,
      resource: { resource, accountId: resourceAccount },
      contextVariables: { ...baseContext(p), ...context },
    },
    identityPolicies: identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
    ...(p.boundary && identity === p.identity ? { permissionBoundaryPolicies: [p.boundary] } : {}),
    vpcEndpointPolicies: endpointPolicy ? [{ name: 'secretsmanager endpoint', policy: endpointPolicy }] : undefined,
  };
}

export const viaContext = (region: string, p: Principal) => ({
  'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
  'kms:CallerAccount': accountOf(p.arn),
});

/** Statements the simulator cannot evaluate fully: they condition on kms:EncryptionContext keys. */
export function encryptionContextStatements(model: StackModel): string[] {
  const out: string[] = [];
  for (const d of model.documents) {
    d.policy.Statement.forEach((st, i) => {
      if (JSON.stringify(st.Condition ?? {}).includes('kms:EncryptionContext:'))
        out.push(`${d.where} ${st.Sid ? `"${st.Sid}"` : `#${i + 1}`}`);
    });
  }
  return out;
}

export interface ProofOptions {
  /** Cross-account reader roles with the consumer policies the stack hands them. */
  crossReaders: Array<{ arn: string; identity: PolicyDoc[] }>;
  /** Limit the proof to these secrets (and their keys): fast, focused tests. Default: every secret. */
  secrets?: (name: string) => boolean;
  /** The CI and human roles of the bootstrap stack (real policies; no stand-in). */
  ci?: readonly CiPrincipalFacts[];
  /** The evaluation cache (pass `new ShapeCache(true)` to evaluate every request). */
  shapes?: ShapeCache;
}

export async function prove(model: StackModel, facts: AccessFacts, opts: ProofOptions): Promise<ProofResult> {
  const sim = new Simulator(opts.shapes);
  const findings: Finding[] = [];
  const principals = principalsFor(model, facts, opts.crossReaders, opts.ci);
  const matrix: ProofResult['matrix'] = {};
  /** Records that `principal` can use a value of `secret` (the access matrix of the report). */
  const grant = (secret: string, principal: string, what: string) => {
    matrix[secret] ??= {};
    matrix[secret][principal] ??= [];
    matrix[secret][principal].push(what);
  };
  const differences: Array<{ finding: Finding; decision: Decision }> = [];
  /** `own` builds this request's simulations when the decision was shared with another request. */
  let compared = 0;
  const record = (
    check: CheckKind,
    p: Principal,
    action: string,
    target: string,
    expected: boolean | undefined,
    d: Decision,
    own?: () => Simulation[],
  ) => {
    if (expected !== undefined) compared++;
    if (expected !== undefined && expected !== d.allowed) {
      const finding: Finding = {
        stack: model.stack,
        check,
        principal: p.arn,
        action,
        target,
        expected: expected ? 'Allowed' : 'Denied',
        actual: d.allowed ? 'Allowed' : 'Denied',
        decidedBy: d.decidedBy,
      };
      findings.push(finding);
      differences.push({ finding, decision: own ? { ...d, sims: own() } : d });
    }
  };
  const keyByArn = new Map(model.keys.map((k) => [k.arn, k]));
  const unknownSecrets: string[] = [];
  const allPairs: Array<{ fact: SecretFact; exp: SecretExpectation }> = [];
  for (const fact of model.secrets) {
    const exp = facts.secrets.find((e) => e.name === fact.name);
    if (!exp) unknownSecrets.push(fact.name);
    else allPairs.push({ fact, exp });
  }
  for (const e of facts.secrets)
    if (!model.secrets.some((f) => f.name === e.name)) unknownSecrets.push(`${e.name} (in the catalog, not in the stack)`);
  if (unknownSecrets.length > 0)
    throw new Error(`${model.stack}: secrets the catalog and the stack disagree on: ${unknownSecrets.join(', ')}`);
  const pairs = opts.secrets ? allPairs.filter((x) => opts.secrets!(x.fact.name)) : allPairs;
  const keysInScope = opts.secrets
    ? model.keys.filter((k) => pairs.some(({ fact }) => Object.values(fact.keyByRegion).includes(k.arn)))
    : model.keys;
  const protects = (key: KeyFact) => {
    const names = allPairs.filter(({ fact }) => Object.values(fact.keyByRegion).includes(key.arn)).map(({ fact }) => fact.name);
    return names.length > 0 ? ` (protects ${names.join(', ')})` : '';
  };

  const keyDecision = async (
    p: Principal,
    identity: Principal['identity'],
    key: KeyFact,
    action: string,
    ctx: Record<string, string>,
    identityOnly = false,
  ) =>
    sim.decide(
      simulation(
        p,
        identity,
        action,
        key.arn,
        identityOnly ? accountOf(p.arn) : model.account,
        { ...tagContext(key.tags), ...ctx },
        identityOnly ? delegateToIam(p.arn) : key.policy,
      ),
    );

  // The secrets under each key, per Region (what a key decision is expected from).
  const underByKey = new Map<string, Array<{ s: SecretExpectation; region: string }>>();
  for (const { exp, fact } of allPairs)
    for (const [r, k] of Object.entries(fact.keyByRegion)) if (k) underByKey.set(k, [...(underByKey.get(k) ?? []), { s: exp, region: r }]);
  // Every decision of one (principal, secret, Region) pair, in a fixed order. Pairs of one shape
  // (the same documents relative to the principal and the secret, the same key shape) share them.
  const pairDecisions = new Map<string, Decision[]>();
  const keyExpectations = new Map<string, boolean | undefined>();
  const delegates = new Map<string, PolicyDoc>();
  const delegateOf = (arn: string) => delegates.get(arn) ?? (delegates.set(arn, delegateToIam(arn)), delegates.get(arn)!);
  const pairKey = (
    p: Principal,
    probe: boolean,
    fact: SecretFact,
    region: string,
    arn: string,
    key: KeyFact | undefined,
    endpoint: PolicyDoc | undefined,
  ) => {
    const shape = (doc: PolicyDoc | undefined, resource: string) => sim.shapes.shapeOf(doc, p.arn, resource);
    const layers = (resource: string) =>
      [...p.identity.map((x) => shape(x.policy, resource)), p.boundary ? shape(p.boundary.policy, resource) : '-'].join(',');
    // The secret's tags that some document of the pair tests (a tag-scoped grant reads them).
    const docs = [
      ...p.identity.map((x) => x.policy),
      ...(p.boundary ? [p.boundary.policy] : []),
      fact.resourcePolicy,
      endpoint,
      key?.policy,
    ].filter((d): d is PolicyDoc => !!d);
    const tested = new Set(docs.flatMap((d) => [...conditionKeys(d)]));
    const tags = Object.entries(tagContext(fact.tags)).filter(([k]) => tested.has(k.toLowerCase()));
    return JSON.stringify([
      tags,
      ShapeCache.principalShape(p.arn),
      accountOf(p.arn) === model.account,
      probe,
      region,
      layers(arn),
      shape(fact.resourcePolicy, arn),
      shape(endpoint, arn),
      shape(delegateOf(p.arn), arn),
      key ? [layers(key.arn), shape(key.policy, key.arn), key.tags, key.region] : '-',
    ]);
  };
  const decisionsOf = async (
    p: Principal,
    probe: boolean,
    fact: SecretFact,
    region: string,
    arn: string,
    key: KeyFact | undefined,
    endpoint: PolicyDoc | undefined,
  ): Promise<Decision[]> => {
    const k = sim.shapes.off ? '' : pairKey(p, probe, fact, region, arn, key, endpoint);
    const hit = k ? pairDecisions.get(k) : undefined;
    if (hit) return hit;
    const out: Decision[] = [];
    for (const action of SECRET_ACTIONS) {
      for (const stage of action === 'secretsmanager:GetSecretValue' ? STAGES : [undefined]) {
        const ctx: Record<string, string> = { ...tagContext(fact.tags), ...(stage ? { 'secretsmanager:VersionStage': stage } : {}) };
        if (endpoint) ctx['aws:SourceVpce'] = 'vpce-0123456789abcdef0';
        out.push(await sim.decide(simulation(p, p.identity, action, arn, model.account, ctx, fact.resourcePolicy, endpoint)));
        if (!probe) out.push(await sim.decide(simulation(p, p.identity, action, arn, accountOf(p.arn), ctx, delegateOf(p.arn))));
        if (key && (action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:PutSecretValue')) {
          out.push(
            await keyDecision(
              p,
              p.identity,
              key,
              action === 'secretsmanager:GetSecretValue' ? 'kms:Decrypt' : 'kms:GenerateDataKey',
              viaContext(region, p),
            ),
          );
        }
      }
    }
    if (k) pairDecisions.set(k, out);
    return out;
  };

  for (const p of principals) {
    // Probes and principals whose own policies are not the stacks' have no identity layer to check.
    const probe = ['admin', 'unnamed', 'outsider', ...CI_KINDS].includes(p.kind) || p.identity.length === 0;
    // Secrets Manager, per secret, region, action (and stage).
    for (const { fact, exp } of pairs) {
      for (const [region, arn] of Object.entries(fact.arnByRegion)) {
        const keyArn = fact.keyByRegion[region];
        const key = keyArn ? keyByArn.get(keyArn) : undefined;
        if (keyArn && !key)
          throw new Error(`${model.stack}: ${fact.name} in ${region} is under ${keyArn}, which the stack does not create`);
        const endpoint = p.viaEndpoint && region === model.region ? model.endpoint?.policy : undefined;
        const decisions = await decisionsOf(p, probe, fact, region, arn, key, endpoint);
        let next = 0;
        const target = `${fact.name} [${region}]`;
        for (const action of SECRET_ACTIONS) {
          for (const stage of action === 'secretsmanager:GetSecretValue' ? STAGES : [undefined]) {
            const label = stage ? `${action} (${stage})` : action;
            const ctx = (): Record<string, string> => ({
              ...tagContext(fact.tags),
              ...(stage ? { 'secretsmanager:VersionStage': stage } : {}),
              ...(endpoint ? { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } : {}),
            });
            const smSim = () => simulation(p, p.identity, action, arn, model.account, ctx(), fact.resourcePolicy, endpoint);
            const expected = expectSecretAction(facts, p, exp, action, region, stage as Stage | undefined);
            const d = decisions[next++];
            record('secretsmanager', p, label, target, expected, d, () => [smSim()]);
            if (!probe) {
              const g = exp.grants.get(p.arn);
              const idExpected = !!g && g.actions.has(action) && g.regions.has(region);
              record('identity', p, label, target, idExpected, decisions[next++], () => [
                simulation(p, p.identity, action, arn, accountOf(p.arn), ctx(), delegateOf(p.arn)),
              ]);
            }
            // Combined: value reads and writes also need the key through Secrets Manager.
            if (key && (action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:PutSecretValue')) {
              const kmsAction = action === 'secretsmanager:GetSecretValue' ? 'kms:Decrypt' : 'kms:GenerateDataKey';
              const dk = decisions[next++];
              const kk = `${p.arn} ${key.arn} ${kmsAction}`;
              if (!keyExpectations.has(kk))
                keyExpectations.set(kk, expectKeyViaSecretsManager(facts, p, underByKey.get(key.arn) ?? [], kmsAction));
              const kExpected = keyExpectations.get(kk);
              const both =
                expected === false || kExpected === false ? false : expected === undefined || kExpected === undefined ? undefined : true;
              record(
                'combined',
                p,
                `${label} + ${kmsAction} via Secrets Manager`,
                target,
                both,
                { allowed: d.allowed && dk.allowed, decidedBy: `${d.decidedBy} | ${dk.decidedBy}` },
                () => [
                  smSim(),
                  simulation(
                    p,
                    p.identity,
                    kmsAction,
                    key.arn,
                    model.account,
                    { ...tagContext(key.tags), ...viaContext(region, p) },
                    key.policy,
                  ),
                ],
              );
              if (d.allowed && dk.allowed) grant(fact.name, p.arn, stage ? `read ${stage} in ${region}` : `write in ${region}`);
            } else if (!key && d.allowed && (action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:PutSecretValue')) {
              grant(fact.name, p.arn, stage ? `read ${stage} in ${region}` : `write in ${region}`);
            }
          }
        }
      }
    }
    // KMS, per key the stack creates.
    for (const key of keysInScope) {
      const under = allPairs.flatMap(({ exp, fact }) =>
        Object.entries(fact.keyByRegion)
          .filter(([, k]) => k === key.arn)
          .map(([r]) => ({ s: exp, region: r })),
      );
      const target = `${key.alias ?? key.logical} [${key.region}]${protects(key)}`;
      if (under.length > 0) {
        for (const action of ['kms:Decrypt', 'kms:GenerateDataKey'] as const) {
          const expected = expectKeyViaSecretsManager(facts, p, under, action);
          record(
            'kms',
            p,
            `${action} via Secrets Manager`,
            target,
            expected,
            await keyDecision(p, p.identity, key, action, viaContext(key.region, p)),
          );
          if (!probe)
            record(
              'identity',
              p,
              `${action} via Secrets Manager`,
              target,
              expected,
              await keyDecision(p, p.identity, key, action, viaContext(key.region, p), true),
            );
        }
      }
      // KMS sets kms:CallerAccount on every request; only kms:ViaService is absent on a direct call.
      const direct = { 'kms:CallerAccount': accountOf(p.arn) };
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        record('kms', p, `${action} (direct, no kms:ViaService)`, target, false, await keyDecision(p, p.identity, key, action, direct));
        if (!probe)
          record(
            'identity',
            p,
            `${action} (direct, no kms:ViaService)`,
            target,
            false,
            await keyDecision(p, p.identity, key, action, direct, true),
          );
      }
      record(
        'kms',
        p,
        'kms:CreateGrant (not for an AWS resource)',
        target,
        false,
        await keyDecision(p, p.identity, key, 'kms:CreateGrant', { ...direct, 'kms:GrantIsForAWSResource': 'false' }),
      );
      const grantExpected = p.kind === 'admin' ? true : CI_KINDS.includes(p.kind) ? undefined : false;
      record(
        'kms',
        p,
        'kms:CreateGrant (for an AWS resource)',
        target,
        grantExpected,
        await keyDecision(p, p.identity, key, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true', ...viaContext(key.region, p) }),
      );
    }
  }

  // Endpoint: foreign principals stay out, our principals stay in.
  if (model.endpoint) {
    const ep = model.endpoint;
    const outsider = principals.find((p) => p.kind === 'outsider')!;
    for (const { fact } of pairs) {
      const arn = fact.arnByRegion[model.region];
      const d = await sim.decide(
        simulation(
          outsider,
          adminIdentity,
          'secretsmanager:GetSecretValue',
          arn,
          model.account,
          { 'aws:SourceVpce': 'vpce-0123456789abcdef0', 'secretsmanager:VersionStage': 'AWSCURRENT' },
          allowAllFor(outsider.arn),
          ep.policy,
        ),
      );
      record(
        'endpoint',
        outsider,
        'secretsmanager:GetSecretValue through our endpoint (resource side open)',
        `${fact.name} [${model.region}]`,
        false,
        d,
      );
    }
    const insider: Principal = {
      arn: `arn:aws:iam::${model.account}:role/in-vpc-probe`,
      kind: 'admin',
      identity: adminIdentity,
      viaEndpoint: true,
    };
    const foreign = `arn:aws:secretsmanager:${model.region}:${outsideAccount()}:secret:exfiltration-target-AbCdEf`;
    for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']) {
      const d = await sim.decide(
        simulation(
          insider,
          adminIdentity,
          action,
          foreign,
          outsideAccount(),
          { 'aws:SourceVpce': 'vpce-0123456789abcdef0' },
          allowAllFor(insider.arn),
          ep.policy,
        ),
      );
      record('endpoint', insider, `${action} on another account's secret through our endpoint`, foreign, false, d);
    }
    findings.push(
      ...networkFindings(
        model,
        facts,
        allPairs.map(({ fact }) => fact.name),
      ),
    );
  }

  // AWS services acting as themselves are never caught by the deny-by-default statements, so
  // Secrets Manager's own replication and rotation keep working. The probe opens the resource
  // side for the service and asks whether any Deny of the secret's policy still applies.
  const service: Principal = { arn: 'secretsmanager.amazonaws.com', kind: 'admin', identity: [], viaEndpoint: false };
  for (const { fact } of pairs) {
    if (!fact.resourcePolicy) continue;
    const opened: PolicyDoc = {
      ...fact.resourcePolicy,
      Statement: [
        ...fact.resourcePolicy.Statement,
        { Sid: 'ProbeOpensResourceSide', Effect: 'Allow', Principal: { Service: service.arn }, Action: '*', Resource: '*' },
      ],
    };
    for (const [region, arn] of Object.entries(fact.arnByRegion)) {
      for (const action of [
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:ReplicateSecretToRegions',
      ]) {
        const d = await sim.decide({
          request: {
            principal: service.arn,
            action,
            resource: { resource: arn, accountId: model.account },
            contextVariables: {
              'aws:PrincipalIsAWSService': 'true',
              'aws:PrincipalServiceName': service.arn,
              'aws:SecureTransport': 'true',
            },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: opened,
        });
        record('service', service, `${action} by the service itself`, `${fact.name} [${region}]`, true, d);
      }
    }
  }
  // No application holds master credentials: whatever the catalog says, a secret that drives
  // another's rotation is read only by rotation roles and the deploy and break-glass roles.
  for (const name of facts.masterSecretNames) {
    for (const [arn, what] of Object.entries(matrix[name] ?? {})) {
      const p = principals.find((x) => x.arn === arn);
      const allowedKind = p && p.kind === 'break-glass';
      if (!allowedKind && !facts.rotationRoleArns.includes(arn) && what.some((w) => w.startsWith('read'))) {
        findings.push({
          stack: model.stack,
          check: 'catalog',
          principal: arn,
          action: 'secretsmanager:GetSecretValue',
          target: `${name} (a master: it drives another login's rotation)`,
          expected: 'Denied',
          actual: 'Allowed',
          decidedBy: `the catalog grants it (${what[0]})`,
        });
      }
    }
  }
  // A difference found through a shared decision is evaluated again for its own request.
  for (const { finding, decision } of differences) finding.decidedBy = (await sim.confirm(decision)).decidedBy;
  return {
    stack: model.stack,
    findings,
    requests: compared,
    simulations: sim.shapes.simulations,
    principals,
    matrix,
    encryptionContextStatements: encryptionContextStatements(model),
  };
}

/** The narrowest IPv4 range an endpoint client CIDR may be: a subnet, never a VPC or more. */
export const MIN_CLIENT_PREFIX = 24;

/** Endpoint security-group rules against the catalog's clients (the proof's network half). */
export function networkFindings(model: StackModel, facts: AccessFacts, secretNames: string[]): Finding[] {
  const ep = model.endpoint!;
  const out: Finding[] = [];
  const rotationGroups = new Set(
    Object.entries(model.raw.resource?.aws_lambda_function ?? {}).flatMap(
      ([, f]: [string, { vpc_config?: { security_group_ids?: string[] } }]) =>
        (f.vpc_config?.security_group_ids ?? []).map((g) => /\$\{aws_security_group\.([^.]+)\.id\}/.exec(g)?.[1] ?? g),
    ),
  );
  const bad = (principal: string, reason: string) =>
    out.push({
      stack: model.stack,
      check: 'network',
      principal,
      action: 'HTTPS (tcp/443) to the Secrets Manager endpoint',
      target: `every secret through the endpoint: ${secretNames.join(', ')}`,
      expected: 'Denied',
      actual: 'Allowed',
      decidedBy: reason,
    });
  for (const rule of ep.ingress) {
    const ports = rule.fromPort === 443 && rule.toPort === 443;
    if (rule.cidr) {
      const prefix = Number(rule.cidr.split('/')[1]);
      if (!(prefix >= MIN_CLIENT_PREFIX)) bad(rule.cidr, `ingress ${rule.logical} admits ${rule.cidr}, broader than /${MIN_CLIENT_PREFIX}`);
      else if (!facts.endpointClients.cidrs.includes(rule.cidr))
        bad(rule.cidr, `ingress ${rule.logical} admits ${rule.cidr}, which the catalog does not name`);
      else if (!ports) bad(rule.cidr, `ingress ${rule.logical} opens ports ${rule.fromPort}-${rule.toPort}, not only 443`);
    } else if (rule.cidrIpv6 || rule.prefixList) {
      bad(rule.cidrIpv6 ?? rule.prefixList!, `ingress ${rule.logical} admits an IPv6 range or prefix list; the catalog names none`);
    } else if (rule.sourceGroup) {
      const known = rotationGroups.has(rule.sourceGroup) || facts.endpointClients.securityGroupIds.includes(rule.sourceGroup);
      if (!known)
        bad(
          rule.sourceGroup,
          `ingress ${rule.logical} admits security group ${rule.sourceGroup}, neither a rotation function's nor a named client's`,
        );
      else if (!ports) bad(rule.sourceGroup, `ingress ${rule.logical} opens ports ${rule.fromPort}-${rule.toPort}, not only 443`);
    }
  }
  return out;
}

export function formatFinding(f: Finding): string {
  return `[${f.stack}] ${f.check}: ${f.principal} ${f.action} on ${f.target}: expected ${f.expected}, actual ${f.actual}; decided by ${f.decidedBy}`;
}
