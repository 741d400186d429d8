/**
 * The attributes our stacks set: every resource, data source and ephemeral type in the
 * synthesized JSON, and in each the attribute paths configured ("rotation_rules.duration" for an
 * attribute inside a block; map keys such as tags.Owner are the map attribute "tags"). The
 * validator manifest (tools/tf-stub/checks) must cover exactly these; the manifest test and the
 * docs generator recompute the list from a fresh synth.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export type Kind = 'resource' | 'data' | 'ephemeral';

interface SchemaBlock {
  attributes: Record<
    string,
    { type?: unknown; nested?: { mode: string; block: SchemaBlock }; required?: boolean; optional?: boolean; computed?: boolean }
  >;
  blocks: Record<string, { mode: string; block: SchemaBlock }>;
}
interface SchemaFile {
  resources: Record<string, SchemaBlock>;
  data_sources: Record<string, SchemaBlock>;
  ephemeral_resources: Record<string, SchemaBlock>;
}

/** Terraform's meta-arguments and cdktf's metadata: not provider attributes. */
const META = new Set(['//', 'count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'connection', 'provisioner']);

export function loadSchemas(schemaDir: string): SchemaFile[] {
  return ['aws', 'archive'].map((p) => JSON.parse(readFileSync(path.join(schemaDir, `${p}.json`), 'utf8')) as SchemaFile);
}

export function schemaOf(schemas: SchemaFile[], kind: Kind, type: string): SchemaBlock | undefined {
  for (const s of schemas) {
    const b = kind === 'resource' ? s.resources[type] : kind === 'data' ? s.data_sources[type] : s.ephemeral_resources[type];
    if (b) return b;
  }
  return undefined;
}

/** Looks an attribute path up in a schema: the attribute (or block) entry, or undefined. */
export function schemaAttribute(
  block: SchemaBlock,
  attrPath: string,
): { attribute?: SchemaBlock['attributes'][string]; block?: SchemaBlock['blocks'][string] } | undefined {
  const parts = attrPath.split('.');
  let cur: SchemaBlock = block;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i];
    const last = i === parts.length - 1;
    const a = cur.attributes[name];
    const b = cur.blocks[name];
    if (last) return a ? { attribute: a } : b ? { block: b } : undefined;
    if (b) cur = b.block;
    else if (a?.nested) cur = a.nested.block;
    else return undefined;
  }
  return undefined;
}

/** `${kind} ${type}` -> attribute path -> the stacks that set it. */
export type SetAttributes = Map<string, Map<string, Set<string>>>;

export function synthesizedAttributes(stackFiles: string[], schemas: SchemaFile[]): SetAttributes {
  const out: SetAttributes = new Map();
  for (const file of stackFiles) {
    const stack = path.basename(path.dirname(file));
    const j = JSON.parse(readFileSync(file, 'utf8'));
    for (const [section, kind] of [
      ['resource', 'resource'],
      ['data', 'data'],
      ['ephemeral', 'ephemeral'],
    ] as const) {
      for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(j[section] ?? {})) {
        const schema = schemaOf(schemas, kind, type);
        if (!schema) throw new Error(`${stack}: ${kind} ${type} has no schema`);
        const key = `${kind} ${type}`;
        const attrs = out.get(key) ?? new Map<string, Set<string>>();
        out.set(key, attrs);
        for (const body of Object.values(byName))
          walk(body, schema, '', (p) => attrs.set(p, (attrs.get(p) ?? new Set()).add(stack)), `${stack} ${key}`);
      }
    }
  }
  return out;
}

function walk(body: Record<string, unknown>, schema: SchemaBlock, prefix: string, add: (p: string) => void, where: string): void {
  for (const [name, value] of Object.entries(body)) {
    if (prefix === '' && META.has(name)) continue;
    const p = prefix + name;
    const block = schema.blocks[name];
    const attr = schema.attributes[name];
    if (block) {
      add(p);
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item && typeof item === 'object') walk(item as Record<string, unknown>, block.block, `${p}.`, add, where);
      }
    } else if (attr) {
      add(p);
      if (attr.nested && value && typeof value === 'object') {
        for (const item of Array.isArray(value) ? value : [value])
          walk(item as Record<string, unknown>, attr.nested.block, `${p}.`, add, where);
      }
    } else {
      throw new Error(`${where}: ${p} is in no schema`);
    }
  }
}
