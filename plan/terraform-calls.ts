/**
 * The manifest of what Terraform calls (plan/terraform-calls.json): for every resource, data source and
 * ephemeral type the stacks synthesize, and for the S3 backend, the AWS API calls the provider's
 * code makes per operation and the IAM actions they need, each entry citing the provider file
 * (and commit) it was read from. The access proof derives the CI principals' needs from it; this
 * module checks its shape and citations, and answers "which calls does operation X of
 * type T make".
 */
import manifestJson from './terraform-calls.json';

export const OPERATIONS = ['planNoRefresh', 'read', 'create', 'update', 'delete', 'import'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type TypeKind = 'resource' | 'data' | 'ephemeral';

export interface TerraformCall {
  /** The SDK operation the provider calls. */
  api: string;
  /** The IAM action AWS authorizes for it. */
  action: string;
  /** What the action is authorized on (see the manifest's onLegend). */
  on: string;
  /** Made only when this argument is set in the configuration. */
  ifAttr?: string;
  /** Made only in the situation described. */
  when?: string;
  /** Condition-key values the request carries ({region} etc. filled in by the caller). */
  context?: Record<string, string>;
  note?: string;
  /** Key into the manifest's docs: the AWS document behind a call that is AWS's behaviour, not the provider's code. */
  doc?: string;
}

export interface Source {
  repo: string;
  file: string;
  commit?: string;
  excerptId?: string;
  read: string;
  note?: string;
}

export interface TypeEntry {
  kind: TypeKind;
  /** `active`, or `removed-by-V1` for types the stacks no longer synthesize but the proof still recognizes. */
  status: 'active' | 'removed-by-V1';
  sources: Source[];
  operations: Record<Operation, TerraformCall[]>;
  createAndUpdateEndWithRead: boolean;
  importEndsWithRead: boolean;
  notes?: string[];
}

export interface BackendEntry {
  sources: Source[];
  docs: string[];
  operations: Record<'configure' | 'stateRead' | 'lock' | 'stateWrite' | 'unlock', TerraformCall[]>;
}

export interface TerraformCalls {
  provider: { name: string; pinned: string; repository: string; readFrom: string; terraform: string };
  docs: Record<string, { url: string; seen: string }>;
  common: { providerConfigure: { calls: TerraformCall[]; sources: Source[] } };
  backend: { s3: BackendEntry };
  types: Record<string, TypeEntry>;
}

let checked: TerraformCalls | undefined;

/**
 * The manifest (plan/terraform-calls.json), checked once: any problem in it is an error listing
 * every problem, one per line.
 */
export function terraformCalls(): TerraformCalls {
  if (checked) return checked;
  const m = manifestJson as unknown as TerraformCalls;
  const problems = manifestProblems(m);
  if (problems.length > 0) throw new Error(`plan/terraform-calls.json:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  checked = m;
  return m;
}

const HEX40 = /^[0-9a-f]{40}$/;

function sourceProblems(where: string, sources: Source[] | undefined): string[] {
  if (!Array.isArray(sources) || sources.length === 0)
    return [`${where}: no citation; add "sources" with the provider file and the commit it was read at`];
  const out: string[] = [];
  sources.forEach((s, i) => {
    if (!s.repo || !s.file) out.push(`${where}: source ${i + 1} names no repo and file; cite "repo" and "file"`);
    if (!(s.commit && HEX40.test(s.commit)) && !s.excerptId)
      out.push(`${where}: source ${i + 1} (${s.file}) has no 40-hex commit; cite the commit the file was read at`);
    if (!s.read) out.push(`${where}: source ${i + 1} (${s.file}) does not say what part was read; set "read"`);
  });
  return out;
}

function callProblems(where: string, calls: TerraformCall[] | undefined, docs: TerraformCalls['docs']): string[] {
  if (!Array.isArray(calls)) return [`${where}: missing; give an array of calls (empty when the operation makes none)`];
  const out: string[] = [];
  calls.forEach((c, i) => {
    const at = `${where}[${i}]`;
    if (!c.api) out.push(`${at}: no "api" (the SDK operation the provider calls)`);
    if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(c.action ?? '')) out.push(`${at}: action ${JSON.stringify(c.action)} is not service:Action`);
    if (!c.on) out.push(`${at}: no "on" (what the action is authorized on; "*" when AWS has no resource level)`);
    if (c.doc && !docs[c.doc]) out.push(`${at}: doc ${JSON.stringify(c.doc)} is not in "docs"`);
  });
  return out;
}

/** Every problem of the manifest's shape and citations, one line each naming where and the fix. */
export function manifestProblems(m: TerraformCalls): string[] {
  const out: string[] = [];
  const docs = m.docs ?? {};
  if (!m.provider?.pinned) out.push('provider: no pinned version');
  out.push(...sourceProblems('common.providerConfigure', m.common?.providerConfigure?.sources));
  out.push(...callProblems('common.providerConfigure.calls', m.common?.providerConfigure?.calls, docs));
  const backend = m.backend?.s3;
  out.push(...sourceProblems('backend.s3', backend?.sources));
  for (const op of ['configure', 'stateRead', 'lock', 'stateWrite', 'unlock'] as const)
    out.push(...callProblems(`backend.s3.operations.${op}`, backend?.operations?.[op], docs));
  for (const [type, e] of Object.entries(m.types ?? {})) {
    if (!['resource', 'data', 'ephemeral'].includes(e.kind))
      out.push(`types.${type}: kind ${JSON.stringify(e.kind)} is not resource, data or ephemeral`);
    else if (entryKey(e.kind, type.replace(/^(data|ephemeral)\./, '')) !== type)
      out.push(`types.${type}: a ${e.kind} is keyed ${entryKey(e.kind, type.replace(/^(data|ephemeral)\./, ''))}`);
    out.push(...sourceProblems(`types.${type}`, e.sources));
    for (const op of OPERATIONS) out.push(...callProblems(`types.${type}.operations.${op}`, e.operations?.[op], docs));
    if (e.kind === 'resource' && e.operations) {
      for (const op of ['read', 'create', 'delete'] as const) {
        if ((e.operations[op] ?? []).length === 0 && !(op === 'delete' && (e.notes ?? []).some((n) => /no-op/i.test(n)))) {
          out.push(`types.${type}.operations.${op}: a resource with no ${op} calls; list what the provider's ${op} handler calls`);
        }
      }
      if ((e.operations.planNoRefresh ?? []).length > 0)
        out.push(`types.${type}.operations.planNoRefresh: plan -refresh=false reads no managed resource; move these calls to "read"`);
    }
  }
  return out;
}

/** A type a stack declares, with the top-level arguments set on at least one of its blocks. */
export interface SynthesizedType {
  kind: TypeKind;
  type: string;
  attrs: string[];
}

/** An argument counts as set unless it is absent, null, empty text, an empty list or an empty block. */
export const isSet = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/**
 * Every resource, data source and ephemeral type a synthesized stack declares, with the arguments
 * set on any of its blocks (a call the manifest marks `ifAttr` is made only when it is set).
 */
export function synthesizedTypes(tf: { resource?: object; data?: object; ephemeral?: object }): SynthesizedType[] {
  const out: SynthesizedType[] = [];
  for (const kind of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, blocks] of Object.entries((tf[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
      const attrs = new Set<string>();
      for (const body of Object.values(blocks)) for (const [k, v] of Object.entries(body ?? {})) if (isSet(v)) attrs.add(k);
      out.push({ kind, type, attrs: [...attrs].sort() });
    }
  }
  return out;
}

/** The manifest's key of a type: a resource by its type, `data.<type>`, `ephemeral.<type>` (Terraform's addresses). */
export const entryKey = (kind: TypeKind, type: string) => (kind === 'resource' ? type : `${kind}.${type}`);

/** One line per synthesized type the manifest does not cover. */
export function missingEntries(m: TerraformCalls, stack: string, types: ReadonlyArray<{ kind: TypeKind; type: string }>): string[] {
  return types
    .filter(({ kind, type }) => !m.types[entryKey(kind, type)])
    .map(
      ({ kind, type }) =>
        `${stack}: ${kind} ${type} has no entry ${entryKey(kind, type)} in plan/terraform-calls.json; read what the AWS provider calls for it (create, read, update, delete, import) and add it with the file and commit read`,
    );
}

/** The top-level argument a call's `on` names (`attr:replica[].kms_key_id` -> `replica`), if any. */
const onAttr = (on: string) => (on.startsWith('attr:') ? on.slice(5).split(/[[\]./]/)[0] : undefined);

/**
 * The calls one operation of a type makes, with the read that ends create, update and import
 * (the provider's C and U handlers tail-call R). With `attrs` (the arguments the stack sets), a
 * call made only for an argument that is not set is left out (`tags_all` is always set: the
 * provider's default tags).
 */
export function callsFor(m: TerraformCalls, key: string, op: Operation, attrs?: ReadonlySet<string>): TerraformCall[] {
  const e = m.types[key];
  if (!e) throw new Error(`${key} has no entry in plan/terraform-calls.json`);
  const own = e.operations[op];
  const endsWithRead = op === 'create' || op === 'update' ? e.createAndUpdateEndWithRead : op === 'import' ? e.importEndsWithRead : false;
  const calls = endsWithRead ? [...own, ...e.operations.read] : own;
  if (!attrs) return calls;
  const set = (a: string | undefined) => a === undefined || a === 'tags_all' || attrs.has(a);
  return calls.filter((c) => set(c.ifAttr) && set(onAttr(c.on)));
}
