/**
 * The defect corpus runner: plants single defects into synthesized stacks and runs real Terraform
 * with the stub provider over them, many defects per Terraform run.
 *
 * Each defect clones one resource (or data source) of a synthesized stack under a new name and
 * changes one thing in the clone, or adds a new object. Terraform reports every validation
 * diagnostic of every object, and plans objects that do not depend on each other independently,
 * so all defects of one stack and one phase go into one configuration:
 *   - validate batch: the stack plus every defect the provider rejects at `terraform validate`;
 *   - plan batch: the stack plus every defect rejected only when planning, plus the defects that
 *     pass validate and plan and fail only at apply; it must validate clean, then plan;
 *   - apply batch: the stack plus the apply-only defects alone; it must plan clean.
 * Each diagnostic names the object (its address) and, from the stub, the attribute, so every
 * error is matched to exactly one planted defect; an error no defect explains fails the run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyStack, type Diagnostic, planJson, type preparePlugins, ROOT, run, validateJson } from './terraform';

type Json = Record<string, any>;

export type Phase = 'validate' | 'plan' | 'apply';

export interface Defect {
  id: string;
  /** The synthesized stack the defect is planted in (cdktf.out/stacks/<base>). */
  base: string;
  /** `resource` (default) or `data`. */
  kind?: 'resource' | 'data';
  type: string;
  /** Clone the first object of the type whose name contains this (default: the first). */
  pick?: string;
  /** Dotted paths (list indexes as numbers) to set in the clone. */
  set?: Record<string, unknown>;
  unset?: string[];
  /** A new object instead of a clone. */
  body?: Json;
  /** Where the real provider rejects it (`apply`: it passes validate and plan, AWS rejects it). */
  phase: Phase;
  /** The attribute the error must name (a manifest attribute path). */
  attribute: string;
  /** Text the error must contain: the provider's own wording. */
  expect?: string;
  /** The provider check it exercises (validate and plan defects), or the AWS API reason (apply). */
  why: string;
  /**
   * A literal in modules/ this attribute comes from: the defect is what a bad edit of it
   * synthesizes. `path` is where the literal's value lands in the synthesized object.
   */
  literal?: { file: string; text: string; value: unknown; path: string };
}

export interface DefectResult {
  defect: Defect;
  address: string;
  /** Error diagnostics naming the planted object, from the run of the defect's phase. */
  errors: Diagnostic[];
  /** Errors on the object in the phases before (a plan or apply defect must pass validate). */
  earlier: Diagnostic[];
}

export interface CorpusRun {
  results: DefectResult[];
  /** Errors no planted defect explains (the unbroken stacks must be clean). */
  unexplained: Diagnostic[];
  /** Apply batches: whether each planned clean. */
  applyBatches: { base: string; ok: boolean; output: string }[];
  terraformRuns: number;
  seconds: number;
}

const PLACEHOLDER = 'corpus-placeholder-not-a-secret';

/** Values in a defect may be `{"$repeat": [text, n]}` (a long string) or `{"$ref": "type.attribute"}` (the first object of a type). */
function resolve(v: unknown, tf: Json): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, tf));
  if (v && typeof v === 'object') {
    const o = v as Json;
    if (Array.isArray(o.$repeat)) return String(o.$repeat[0]).repeat(Number(o.$repeat[1]));
    if (typeof o.$ref === 'string') {
      const [type, attr] = o.$ref.split('.');
      const name = Object.keys(tf.resource?.[type] ?? {})[0];
      if (!name) throw new Error(`$ref ${o.$ref}: the stack has no ${type}`);
      return `\${${type}.${name}.${attr}}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, tf)]));
  }
  return v;
}

function setPath(obj: Json, dotted: string, value: unknown, remove = false): void {
  const parts = dotted.split('.');
  let cur: any = obj;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p];
  }
  const last = parts[parts.length - 1];
  if (remove) delete cur[last];
  else cur[last] = value;
}

export function getPath(obj: Json, dotted: string): unknown {
  let cur: any = obj;
  for (const p of dotted.split('.')) cur = cur?.[p];
  return cur;
}

/** The object a defect clones: [name, body], or undefined when it adds a new one. */
export function original(tf: Json, d: Defect): [string, Json] | undefined {
  if (d.body) return undefined;
  const section = tf[d.kind ?? 'resource']?.[d.type] ?? {};
  const found = Object.entries<Json>(section).find(([name]) => !d.pick || name.includes(d.pick));
  if (!found) throw new Error(`${d.id}: ${d.base} has no ${d.kind ?? 'resource'} ${d.type}${d.pick ? ` named *${d.pick}*` : ''}`);
  return found;
}

/** Plants the defects into a copy of the stack's JSON; returns the copy and each defect's address. */
export function plant(tf: Json, defects: Defect[]): { tf: Json; addresses: Map<string, Defect> } {
  const out = structuredClone(tf);
  const addresses = new Map<string, Defect>();
  for (const d of defects) {
    const kind = d.kind ?? 'resource';
    const name = `defect_${d.id.replace(/[^\w]/g, '_')}`;
    let body: Json;
    const orig = original(tf, d);
    if (orig) {
      body = structuredClone(orig[1]);
      delete body['//'];
      delete body.lifecycle;
    } else {
      body = resolve(d.body, tf) as Json;
    }
    for (const [p, v] of Object.entries(d.set ?? {})) setPath(body, p, resolve(v, tf));
    for (const p of d.unset ?? []) setPath(body, p, undefined, true);
    out[kind] ??= {};
    out[kind][d.type] ??= {};
    out[kind][d.type][name] = body;
    addresses.set(kind === 'resource' ? `${d.type}.${name}` : `${kind}.${d.type}.${name}`, d);
  }
  return { tf: out, addresses };
}

/** -var arguments for the stack's ephemeral input variables (placeholders: plans never see real values). */
function placeholderVars(tf: Json): string[] {
  return Object.entries<Json>(tf.variable ?? {})
    .filter(([, v]) => v.ephemeral && v.default === null)
    .map(([name]) => `-var=${name}=${PLACEHOLDER}`);
}

/** Whether a diagnostic names the defect's attribute (the stub's attribute path, or a whole-resource rule's list). */
export function namesAttribute(d: Diagnostic, attribute: string): boolean {
  return d.attribute === attribute || d.attribute.split(', ').includes(attribute) || d.attribute === attribute.split('.').pop();
}

export function runCorpus(defects: Defect[], plugins: ReturnType<typeof preparePlugins>, log: (s: string) => void = () => {}): CorpusRun {
  const t0 = Date.now();
  const results: DefectResult[] = [];
  const unexplained: Diagnostic[] = [];
  const applyBatches: CorpusRun['applyBatches'] = [];
  let terraformRuns = 0;
  const bases = [...new Set(defects.map((d) => d.base))].sort();
  for (const base of bases) {
    const stackDir = path.join(ROOT, 'cdktf.out', 'stacks', base);
    const tf = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Json;
    const dir = copyStack(stackDir, `corpus-${base}`);
    writeFileSync(
      path.join(dir, 'validate_backend_override.tf.json'),
      JSON.stringify({ terraform: { backend: { local: { path: 'corpus.tfstate' } } } }),
    );
    const init = run(
      'terraform',
      ['init', '-reconfigure', `-plugin-dir=${plugins.pluginDir}`, '-input=false', '-no-color'],
      dir,
      plugins.env,
    );
    terraformRuns++;
    if (init.status !== 0) throw new Error(`corpus ${base}: terraform init failed:\n${init.stdout}${init.stderr}`);
    const vars = placeholderVars(tf);
    const write = (j: Json) => writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(j, null, 1));
    const ofBase = defects.filter((d) => d.base === base);
    const byAddress = new Map<string, DefectResult>();
    /** Writes the stack with these defects planted and registers their addresses. */
    const load = (ds: Defect[]) => {
      const { tf: planted, addresses } = plant(tf, ds);
      for (const [address, defect] of addresses) byAddress.set(address, { defect, address, errors: [], earlier: [] });
      write(planted);
      return addresses;
    };
    const account = (diags: Diagnostic[], addresses: Map<string, Defect>, field: 'errors' | 'earlier', phaseOk: (d: Defect) => boolean) => {
      for (const diag of diags.filter((x) => x.severity === 'error')) {
        const d = addresses.get(diag.address);
        const r = d ? byAddress.get(diag.address) : undefined;
        if (!d || !r || !phaseOk(d)) unexplained.push(diag);
        else r[field].push(diag);
      }
    };

    // validate batch
    const vDefects = ofBase.filter((d) => d.phase === 'validate');
    if (vDefects.length > 0) {
      const addresses = load(vDefects);
      const v = validateJson(dir, plugins);
      terraformRuns++;
      account(v.diagnostics, addresses, 'errors', () => true);
      log(`corpus ${base}: ${vDefects.length} validate-time defects in one terraform validate`);
    }

    // plan batch: must validate clean, then each plan defect fails the plan
    const pDefects = ofBase.filter((d) => d.phase !== 'validate');
    if (pDefects.length > 0) {
      const addresses = load(pDefects);
      const v = validateJson(dir, plugins);
      terraformRuns++;
      account(v.diagnostics, addresses, 'earlier', () => true);
      const p = planJson(dir, plugins, ['-refresh=false', '-lock=false', ...vars]);
      terraformRuns++;
      account(p.diagnostics, addresses, 'errors', (d) => d.phase === 'plan');
      log(`corpus ${base}: ${pDefects.length} plan-time and apply-only defects in one terraform validate and one terraform plan`);
    }

    // apply batch: the apply-only defects alone must plan clean
    const aDefects = ofBase.filter((d) => d.phase === 'apply');
    if (aDefects.length > 0) {
      const { tf: planted } = plant(tf, aDefects);
      write(planted);
      const p = planJson(dir, plugins, ['-refresh=false', '-lock=false', ...vars]);
      terraformRuns++;
      applyBatches.push({ base, ok: p.ok, output: p.output });
    }
    results.push(...[...byAddress.values()]);
  }
  return { results, unexplained, applyBatches, terraformRuns, seconds: (Date.now() - t0) / 1000 };
}
