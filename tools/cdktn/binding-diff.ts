/**
 * What the provider upgrade changes for the types we use, read from the two bindings' type
 * declarations (generated from each provider version's schema): arguments added, removed, made
 * required or optional, or retyped, in every exported interface (the resource's config and its
 * nested blocks), and attributes the resource class exposes. Used by `npm run compat:cdktn` to
 * print the list docs/cdktn.md is written from.
 */
import { readFileSync } from 'node:fs';
import * as ts from 'typescript';

export interface Member {
  optional: boolean;
  type: string;
}

/** Exported interfaces (name → property → member) and the getters of exported classes. */
export interface Shape {
  interfaces: Map<string, Map<string, Member>>;
  getters: Map<string, Set<string>>;
}

/** Reads one binding's index.d.ts. Framework and provider names are folded so only the schema shows. */
export function readShape(file: string): Shape {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const fold = (t: string) => t.replace(/\bcdktn\./g, 'cdktf.').replace(/\s+/g, ' ');
  const interfaces = new Map<string, Map<string, Member>>();
  const getters = new Map<string, Set<string>>();
  for (const st of src.statements) {
    if (ts.isInterfaceDeclaration(st)) {
      const props = new Map<string, Member>();
      for (const m of st.members) {
        if (ts.isPropertySignature(m) && m.name && ts.isIdentifier(m.name)) {
          props.set(m.name.text, { optional: !!m.questionToken, type: fold(m.type?.getText(src) ?? '') });
        }
      }
      interfaces.set(st.name.text, props);
    } else if (ts.isClassDeclaration(st) && st.name) {
      const names = new Set<string>();
      for (const m of st.members) {
        const isStatic = ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        if (ts.isGetAccessorDeclaration(m) && ts.isIdentifier(m.name) && !isStatic && !m.name.text.endsWith('Input'))
          names.add(m.name.text);
      }
      getters.set(st.name.text, names);
    }
  }
  return { interfaces, getters };
}

/** One line per change between two shapes of the same module. */
export function diffShapes(before: Shape, after: Shape): string[] {
  const out: string[] = [];
  for (const [name, props] of after.interfaces) {
    const old = before.interfaces.get(name);
    if (!old) {
      out.push(`new block/interface ${name}`);
      continue;
    }
    for (const [p, m] of props) {
      const o = old.get(p);
      if (!o) out.push(`${name}.${p}: new ${m.optional ? 'optional' : 'REQUIRED'} argument (${m.type})`);
      else {
        if (o.optional !== m.optional) out.push(`${name}.${p}: now ${m.optional ? 'optional' : 'REQUIRED'}`);
        if (o.type !== m.type) out.push(`${name}.${p}: type ${o.type} → ${m.type}`);
      }
    }
    for (const p of old.keys()) if (!props.has(p)) out.push(`${name}.${p}: REMOVED`);
  }
  for (const name of before.interfaces.keys()) if (!after.interfaces.has(name)) out.push(`interface ${name}: REMOVED`);
  for (const [cls, names] of after.getters) {
    const old = before.getters.get(cls);
    if (!old) continue;
    for (const g of names) if (!old.has(g)) out.push(`${cls}.${g}: new attribute`);
    for (const g of old) if (!names.has(g)) out.push(`${cls}.${g}: attribute REMOVED`);
  }
  return out;
}
