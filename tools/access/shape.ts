/**
 * Proving each distinct policy shape once. An IAM decision depends on the request's ARNs (the
 * principal's, the resource's) only through which policy patterns they match: a Principal or
 * Resource element, an ARN condition, a root ARN naming the caller's account. So two requests
 * whose policies are the same once every ARN in them is replaced by its relation to the request
 * (matches the principal, matches the resource, is the principal's account root, or neither) get
 * the same decision. The cache keys each simulation by that relative form: a thousand secrets of
 * one shape (and a hundred services' roles of one shape) cost one evaluation per action, and every
 * request is still compared and reported on its own. A difference is re-evaluated without the
 * cache before it is reported (`exact`), and the proofs project checks that the cache finds what
 * evaluating every request finds.
 */
import { createHash } from 'node:crypto';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Json } from './model';

const globs = new Map<string, RegExp>();
export function glob(pattern: string, value: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    globs.set(pattern, re);
  }
  return re.test(value);
}

const accounts = new Map<string, string>();
const accountOf = (arn: string) => {
  let a = accounts.get(arn);
  if (a === undefined) {
    a = arn.split(':')[4] ?? '';
    accounts.set(arn, a);
  }
  return a;
};
const isRoot = (s: string) => /^arn:[^:]+:iam::\d{12}:root$/.test(s);

/**
 * A document as a template (each ARN, or list of strings holding ARNs, replaced by a group
 * number) and its groups. Documents of one shape share the template; each group's ARNs are then
 * compared with the request's ARNs: which of them each matches (the principal, the resource,
 * then every ARN the context carries, in key order), whether it is the root of the principal's
 * account, and whether it is in the resource's account. IAM reads every list of strings as a set
 * (Resource, Principal, condition values), so a group's codes are sorted and deduplicated: a
 * list naming ten secrets relates to each of them the same way.
 */
interface DocInfo {
  template: string;
  /** Each group's ARNs with their service (`*` when the pattern leaves it open). */
  groups: Array<Array<{ arn: string; service: string; account: string; root: boolean }>>;
}
const docInfos = new WeakMap<object, DocInfo>();
const services = new Map<string, string>();
const serviceOf = (arn: string) => {
  let svc = services.get(arn);
  if (svc === undefined) {
    svc = arn.split(':')[2] ?? '';
    if (/[*?]/.test(svc)) svc = '*';
    services.set(arn, svc);
  }
  return svc;
};
function docInfo(doc: Json): DocInfo {
  let info = docInfos.get(doc);
  if (!info) {
    const groups: DocInfo['groups'] = [];
    const isArn = (v: Json) => typeof v === 'string' && v.startsWith('arn:');
    const group = (arns: string[]) =>
      groups.push(arns.map((arn) => ({ arn, service: serviceOf(arn), account: accountOf(arn), root: isRoot(arn) }))) - 1;
    const walk = (v: Json): Json => {
      if (isArn(v)) return `<#${group([v])}>`;
      if (Array.isArray(v)) {
        if (v.length > 0 && v.every((x) => typeof x === 'string') && v.some(isArn))
          return [...new Set(v.filter((x) => !isArn(x)))].sort().concat(`<#${group(v.filter(isArn))}>`);
        return v.map(walk);
      }
      return v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
    };
    info = { template: hash(JSON.stringify(walk(doc))), groups };
    docInfos.set(doc, info);
  }
  return info;
}

function relative(info: DocInfo, refs: readonly string[], principal: string, resource: string): string {
  const refServices = refs.map(serviceOf);
  const principalAccount = accountOf(principal);
  const resourceAccount = accountOf(resource);
  const code = ({ arn, service, account, root }: DocInfo['groups'][number][number]) => {
    let c = '';
    for (let n = 0; n < refs.length; n++) if ((service === '*' || service === refServices[n]) && glob(arn, refs[n])) c += n.toString(36);
    if (root && account === principalAccount) c += 'A';
    if (account === resourceAccount) c += 'a';
    return c;
  };
  let out = info.template;
  for (const g of info.groups) out += g.length === 1 ? `,${code(g[0])}` : `,${[...new Set(g.map(code))].sort().join('+')}`;
  return out;
}

/** The request's ARNs every policy ARN is compared with: principal, resource, context ARNs. */
function references(sim: Simulation, ctx: Record<string, string | string[]>): string[] {
  const fromContext = Object.keys(ctx)
    .sort()
    .flatMap((k) => [ctx[k]].flat().filter((v) => typeof v === 'string' && v.startsWith('arn:')));
  return [String(sim.request.principal), sim.request.resource.resource, ...fromContext];
}

/** Condition keys a document tests (lower case): context keys no document tests decide nothing. */
const conditionKeysCache = new WeakMap<object, Set<string>>();
export function conditionKeys(doc: Json): Set<string> {
  let keys = conditionKeysCache.get(doc);
  if (!keys) {
    keys = new Set<string>();
    for (const st of [doc?.Statement ?? []].flat())
      for (const kv of Object.values<Json>(st?.Condition ?? {})) for (const k of Object.keys(kv ?? {})) keys.add(k.toLowerCase());
    conditionKeysCache.set(doc, keys);
  }
  return keys;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64').slice(0, 22);

const principalShapes = new Map<string, string>();

/** iam-simulate behind a cache keyed by each request's relative form. */
export class ShapeCache {
  simulations = 0;
  requests = 0;
  private readonly decisions = new Map<string, Awaited<ReturnType<typeof runSimulation>>>();

  /** Set `off` to evaluate every request (the proofs project compares both). */
  constructor(readonly off = false) {}

  private rel(doc: Json | undefined, refs: readonly string[], principal: string, resource: string): string {
    return doc ? relative(docInfo(doc), refs, principal, resource) : '-';
  }

  /** The condition keys the documents of a request test. */
  private tested(sim: Simulation): Set<string> {
    const out = new Set<string>();
    const add = (doc: Json) => {
      for (const k of conditionKeys(doc)) out.add(k);
    };
    for (const d of sim.identityPolicies) add(d.policy);
    for (const d of sim.permissionBoundaryPolicies ?? []) add(d.policy);
    for (const d of sim.vpcEndpointPolicies ?? []) add(d.policy);
    if (sim.resourcePolicy) add(sim.resourcePolicy);
    return out;
  }

  /** A document's shape relative to a principal and a resource (for keys of whole groups of requests). */
  shapeOf(doc: Json | undefined, principal: string, resource: string): string {
    return this.rel(doc, [principal, resource], principal, resource);
  }

  /** The principal as the cache sees it: its kind, path depth and partition, not its name. */
  static principalShape(p: string): string {
    let shape = principalShapes.get(p);
    if (shape === undefined) {
      shape = `${p.split(':').slice(0, 3).join(':')}:${p.split(':')[5]?.split('/')[0]}:${p.split(':')[5]?.split('/').length}`;
      principalShapes.set(p, shape);
    }
    return shape;
  }

  key(sim: Simulation): string {
    const p = String(sim.request.principal);
    const r = sim.request.resource.resource;
    // Only the context keys some document tests can change the decision.
    const tested = this.tested(sim);
    const ctx = Object.fromEntries(Object.entries(sim.request.contextVariables).filter(([k]) => tested.has(k.toLowerCase())));
    const refs = references(sim, ctx);
    const docs = (list: Array<{ policy: Json }> | undefined) => (list ?? []).map((x) => this.rel(x.policy, refs, p, r)).join(';');
    // The context itself, with its ARNs as references (their position says which).
    const context = JSON.stringify(
      Object.keys(ctx)
        .sort()
        .map((k) => [
          k,
          [ctx[k]].flat().map((v) => (typeof v === 'string' && v.startsWith('arn:') ? `<${refs.indexOf(v).toString(36)}>` : v)),
        ]),
    );
    // The principal enters only through its relations (a Principal element, aws:PrincipalArn, a
    // Resource naming it) and its kind and account: roles of one shape share their decisions.
    return [
      ShapeCache.principalShape(p),
      sim.request.action,
      accountOf(p) === sim.request.resource.accountId ? 'same' : 'cross',
      docs(sim.identityPolicies),
      docs(sim.permissionBoundaryPolicies),
      this.rel(sim.resourcePolicy, refs, p, r),
      docs(sim.vpcEndpointPolicies),
      context,
    ].join('|');
  }

  /** One evaluation without the cache (for the differences reported). */
  async exact(sim: Simulation): Promise<Awaited<ReturnType<typeof runSimulation>>> {
    return runSimulation(sim, {});
  }

  async run(sim: Simulation): Promise<Awaited<ReturnType<typeof runSimulation>>> {
    this.requests++;
    const key = this.off ? undefined : this.key(sim);
    const hit = key ? this.decisions.get(key) : undefined;
    if (hit) return hit;
    this.simulations++;
    const result = await runSimulation(sim, {});
    if (key) this.decisions.set(key, result);
    return result;
  }
}
