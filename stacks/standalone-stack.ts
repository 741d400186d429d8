import { IConstruct, Construct } from 'constructs';
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from 'cdktf';

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
    const resolve = (obj: unknown) => Tokenization.resolve(obj, { scope: this, preparing: false, resolver: RESOLVER });
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
