import { IConstruct, Construct } from 'constructs';
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from 'cdktf';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * A stack that references nothing in another stack (each of ours has its own account, state and
 * provider). cdktf resolves every token more often than such a stack needs:
 * - a preparing pass that exists to add the outputs and remote state of cross-stack references;
 * - in `toTerraform`, each element's fragment is resolved, merged, and then the whole merged
 *   document is resolved again, though only the raw overrides can still hold tokens.
 * Here both extra passes only cost time (the preparing pass was a third of a 1,000-secret synth,
 * the second resolve ~20 ms of a whole-app synth), so they are skipped: overrides are resolved on
 * their own before they are merged. A unit test synthesizes the whole app both ways and proves
 * the output byte-identical.
 */
export class StandaloneStack extends TerraformStack {
  /**
   * @param fullPrepare run cdktf's own preparing pass and `toTerraform` (tests compare both outputs)
   */
  constructor(scope: Construct, id: string, private readonly fullPrepare = false) {
    super(scope, id);
  }

  prepareStack(): void {
    if (this.fullPrepare) super.prepareStack();
    else this.ensureBackendExists();
  }

  toTerraform(): any {
    if (this.fullPrepare) return super.toTerraform();
    const cdktfResolve = (obj: unknown) => Tokenization.resolve(obj, { scope: this, preparing: false, resolver: RESOLVER });
    const resolve = (obj: unknown) => resolveLiterals(obj, cdktfResolve);
    // cdktf declares these private; they are what its own toTerraform reads.
    const self = this as unknown as { rawOverrides: Record<string, unknown>; cdktfVersion: string };
    const overrideKeys = Object.keys(self.rawOverrides);
    const metadata: Record<string, unknown> = {
      version: self.cdktfVersion,
      stackName: this.node.id,
      backend: 'local', // a backend element's metadata overwrites it
      ...(overrideKeys.length > 0 ? { overrides: { stack: overrideKeys } } : {}),
    };
    const elements = elementsOf(this);
    for (const e of elements) merge(metadata, resolve(e.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const e of elements) {
      if (!TerraformOutput.isTerraformOutput(e)) continue;
      const parts = e.node.path.split('/');
      merge(outputs, parts.reduceRight<unknown>((inner, part) => ({ [part]: inner }), e.friendlyUniqueId) as Record<string, unknown>);
    }
    const tf: Record<string, unknown> = { '//': { metadata, outputs } };
    for (const e of elements) merge(tf, resolve(e.toTerraform()));
    // Overrides are raw: merged as cdktf merges them (`undefined` deletes), each value resolved.
    merge(tf, self.rawOverrides, resolve);
    return tf;
  }
}

/**
 * What cdktf's resolve returns for data, without its per-node work where there is nothing to
 * resolve. cdktf walks every value with a fresh context and three regular expressions per string;
 * most of a stack is literal (names, tags, policy JSON). Literal strings, numbers, booleans and
 * null come back unchanged from cdktf, and undefined is dropped; so here they are kept as they
 * are, and anything that could hold a token is handed to cdktf itself:
 * - a string with a token marker (`${TfToken[`, `#{TfToken[`, `&{TfToken[`) or an encoded number
 *   (token numbers are doubles near 1e298, whose text always holds `e+`), or one of cdktf's map
 *   token sentinels;
 * - a number whose magnitude only a token double has;
 * - an array with any such element (cdktf resolves list tokens as a whole list);
 * - an object whose keys hold a marker, that is resolvable, or that is not a plain object.
 */
function resolveLiterals(value: unknown, cdktf: (v: unknown) => unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
      return mayHoldToken(value) ? cdktf(value) : value;
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      return cdktf(value); // functions (cdktf refuses them), symbols, bigints
  }
  if (value === null) return value;
  if (Array.isArray(value)) {
    if (value.some(mayHoldToken)) return cdktf(value);
    const out: unknown[] = [];
    for (const e of value) {
      const r = resolveLiterals(e, cdktf);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || Tokenization.isResolvable(value)) return cdktf(value);
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  for (const k of keys) if (mayHoldToken(k)) return cdktf(value);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const r = resolveLiterals(source[k], cdktf);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

/** Whether cdktf could read this scalar as a token (anything else is returned as it is). */
function mayHoldToken(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{TfToken[') || v.includes('e+') || v === Token.STRING_MAP_TOKEN_VALUE || v === Token.ANY_MAP_TOKEN_VALUE;
  return typeof v === 'number' && (Math.abs(v) > 1e290 || v === Token.NUMBER_MAP_TOKEN_VALUE);
}

/** The stack's Terraform elements in construct-tree order, not descending into nested stacks. */
function elementsOf(root: IConstruct): TerraformElement[] {
  const out: TerraformElement[] = [];
  const walk = (c: IConstruct) => {
    if (TerraformElement.isTerraformElement(c)) out.push(c);
    for (const child of c.node.children) if (!TerraformStack.isStack(child)) walk(child);
  };
  walk(root);
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges `source` into `target` as cdktf merges fragments and overrides: objects merge key by
 * key, arrays concatenate, `undefined` deletes, anything else replaces. `leaf` resolves each
 * value that is not merged further (a token, an array, a scalar); fragments are resolved already.
 */
function merge(target: Record<string, unknown>, source: unknown, leaf?: (v: unknown) => unknown): void {
  if (!isRecord(source)) return;
  for (const key of Object.keys(source)) {
    const raw = source[key];
    // Resolved fragments hold no tokens; only raw overrides need the check.
    if (isRecord(raw) && !(leaf && Tokenization.isResolvable(raw))) {
      if (!isRecord(target[key])) target[key] = {};
      merge(target[key] as Record<string, unknown>, raw, leaf);
      continue;
    }
    const value = raw === undefined || !leaf ? raw : leaf(raw);
    if (Array.isArray(value)) {
      const existing = target[key];
      target[key] = Array.isArray(existing) ? [...existing, ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}
