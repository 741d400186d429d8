#!/usr/bin/env node
// Generates the provider schema the stub provider (tools/tf-stub) serves, from the cdktf
// bindings in node_modules (@cdktf/provider-aws 21.22.1 = hashicorp/aws 6.25.0,
// @cdktf/provider-archive 11.0.1 = hashicorp/archive 2.7.1).
//
// Source: the generated JavaScript of each binding, not the .jsii assembly. The JavaScript is the
// most faithful of the three sources the bindings carry: `synthesizeHclAttributes` and the
// `*ToHclTerraform` functions give every configurable attribute with its collection kind (list,
// set, map, struct), element type and whether it is a block; the getters give the computed-only
// attributes (a getter without an `*Input` twin) and their types (`getStringAttribute`,
// `Fn.tolist(getListAttribute)` for sets, `new XList(this, name, wrapsSet)` for objects); a
// `reset*` method marks an optional argument, its absence a required one. The .jsii assembly
// (130 MB) carries the same optional flags but loses list-versus-set and block-versus-attribute;
// doc comments carry neither.
//
// What the bindings cannot tell, and what we do instead (docs/validation.md, "What npm run validate runs"):
// - optional versus optional+computed: every optional attribute is served as optional+computed
//   (an unset one plans as "known after apply"), except write-only ones, which cannot be computed.
//   This never makes a configuration valid that the real schema rejects.
// - sensitive: taken from the provider's source (terraform-provider-aws v6.25.0), listed below.
// - write-only: the provider's convention, every `*_wo` argument (Terraform >= 1.11).
// - ephemeral resources: cdktf 0.21 has no ephemeral bindings; their schemas are listed below
//   from the provider's source.
// - validators (lengths, enums, ARNs, conflicts): none are served; Terraform's own rules are.
//
// Usage: node tools/validate/tf-schema.mjs <out-dir> [stack.tf.json ...]
// Types: every resource/data class that stacks/ and modules/ import, plus every type the given
// synthesized stacks use (ephemeral resources and overrides are not visible as imports).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const PROVIDERS = {
  aws: { pkg: '@cdktf/provider-aws', source: 'hashicorp/aws', version: '6.25.0' },
  archive: { pkg: '@cdktf/provider-archive', source: 'hashicorp/archive', version: '2.7.1' },
};

/** Sensitive attributes of the types we serve (terraform-provider-aws v6.25.0, `Sensitive: true`). */
const SENSITIVE = {
  resource: {
    // internal/service/secretsmanager/secret_version.go
    aws_secretsmanager_secret_version: ['secret_string', 'secret_binary', 'secret_string_wo'],
  },
  data: {
    // internal/service/secretsmanager/random_password_data_source.go, secret_version_data_source.go
    aws_secretsmanager_random_password: ['random_password'],
    aws_secretsmanager_secret_version: ['secret_string', 'secret_binary'],
  },
  ephemeral: {},
  provider: { aws: ['access_key', 'secret_key', 'token'] },
};

/**
 * Ephemeral resources (no cdktf binding). internal/service/secretsmanager/random_password_ephemeral.go
 * in v6.25.0: the GetRandomPassword arguments, all optional, and the sensitive computed result.
 * (An earlier revision typed exclude_characters as a bool; 6.25.0 has a string.)
 */
const EPHEMERAL = {
  aws_secretsmanager_random_password: {
    attributes: {
      exclude_characters: { type: 'string', optional: true },
      exclude_lowercase: { type: 'bool', optional: true },
      exclude_numbers: { type: 'bool', optional: true },
      exclude_punctuation: { type: 'bool', optional: true },
      exclude_uppercase: { type: 'bool', optional: true },
      include_space: { type: 'bool', optional: true },
      password_length: { type: 'number', optional: true },
      require_each_included_type: { type: 'bool', optional: true },
      random_password: { type: 'string', computed: true, sensitive: true },
    },
    blocks: {},
  },
};

const PRIMITIVE = { string: 'string', number: 'number', boolean: 'bool' };

/** Config attribute type from the binding's (type, storageClassType). */
function configType(kind, storage, name, where) {
  if (kind === 'simple' && PRIMITIVE[storage]) return PRIMITIVE[storage];
  const m = /^(string|number|boolean)(List|Map)$/.exec(storage);
  if (m && (kind === 'list' || kind === 'set') && m[2] === 'List') return [kind, PRIMITIVE[m[1]]];
  if (m && kind === 'map' && m[2] === 'Map') return ['map', PRIMITIVE[m[1]]];
  const mm = /^(string|number|boolean)ListMap$/.exec(storage);
  if (mm && kind === 'map') return ['map', ['list', PRIMITIVE[mm[1]]]];
  if (kind === 'list' && storage === 'stringListList') return ['list', ['list', 'string']];
  throw new Error(`tf-schema: ${where}.${name}: unsupported binding type ${kind}/${storage}`);
}

/** The text of `class Name ... exports.Name = Name;` */
function classBody(src, name) {
  const start = src.indexOf(`class ${name} `);
  if (start < 0) return undefined;
  const end = src.indexOf(`exports.${name} = ${name};`, start);
  return src.slice(start, end < 0 ? undefined : end);
}

function functionBody(src, name) {
  const start = src.indexOf(`function ${name}(`);
  if (start < 0) return undefined;
  const end = src.indexOf('\n}\n', start);
  return src.slice(start, end);
}

const ATTR_RE = /(\w+): \{\s*value: (.+?),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",\s*\}/gs;

/** Config entries from an `attrs = {...}` literal. */
function hclAttrs(text) {
  const out = [];
  for (const m of text.matchAll(ATTR_RE)) {
    const [, name, value, isBlock, kind, storage] = m;
    const field = /(?:this\._|struct\.|struct\[")(\w+)/.exec(value)?.[1];
    const structFn = /(?:^|[(\s])(\w+)ToHclTerraform\b/.exec(value.replace(/cdktf\.\w+ToHclTerraform/g, ''))?.[1];
    out.push({ name, field, isBlock: isBlock === 'true', kind, storage, structFn });
  }
  return out;
}

/** Computed attribute type from a getter's return expression. */
function getterType(expr) {
  if (/Fn\.tolist\(this\.getNumberListAttribute/.test(expr)) return ['set', 'number'];
  if (/Fn\.tolist\(this\.getListAttribute/.test(expr)) return ['set', 'string'];
  const m = /this\.get(\w+)Attribute\(/.exec(expr);
  if (!m) return undefined;
  return {
    String: 'string',
    Number: 'number',
    Boolean: 'bool',
    List: ['list', 'string'],
    NumberList: ['list', 'number'],
    BooleanList: ['list', 'bool'],
    StringMap: ['map', 'string'],
    NumberMap: ['map', 'number'],
    BooleanMap: ['map', 'bool'],
    AnyMap: ['map', 'dynamic'],
  }[m[1]];
}

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Object type of a computed-only struct, from its OutputReference getters. */
function computedObjectType(src, structClass, where) {
  const body = classBody(src, `${structClass}OutputReference`);
  if (!body) throw new Error(`tf-schema: ${where}: no class ${structClass}OutputReference`);
  const attrs = {};
  for (const g of body.matchAll(/get (\w+)\(\) \{\s*return (.+?);\s*\}/gs)) {
    if (g[1] === 'internalValue') continue;
    const snake = /['"](\w+)['"]/.exec(g[2])?.[1];
    if (snake) {
      attrs[snake] = getterType(g[2]) ?? listOf(src, g[2], where);
      continue;
    }
    // `return this._x;` with `this._x = new YList(this, "x", false)` in the constructor.
    const field = /^this\._(\w+)$/.exec(g[2].trim())?.[1];
    const init = field && new RegExp(`this\\._${field} = (new \\w+\\(this, "(\\w+)"(?:, (?:true|false))?\\))`).exec(body);
    if (init) attrs[init[2]] = listOf(src, init[1], `${where}.${init[2]}`);
  }
  return ['object', attrs];
}

function listOf(src, expr, where) {
  // `this._x` set in the constructor as `new YList(this, "x", wrapsSet)` / `new YOutputReference(this, "x")`.
  const m = /new (\w+?)(List|OutputReference|Map)\(this, "(\w+)"(?:, (true|false))?\)/.exec(expr);
  if (!m) throw new Error(`tf-schema: ${where}: cannot type getter ${expr}`);
  const obj = computedObjectType(src, m[1], where);
  if (m[2] === 'OutputReference') return obj;
  if (m[2] === 'Map') return ['map', obj];
  return [m[4] === 'true' ? 'set' : 'list', obj];
}

/**
 * One block (resource, data source, provider or nested block) from its config entries and the
 * class holding its getters and reset methods.
 */
function buildBlock(src, entries, cls, where, { topLevel }) {
  const block = { attributes: {}, blocks: {} };
  const configNames = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    const optional = !cls || cls.includes(`reset${cap(e.field)}()`);
    if (e.isBlock || e.structFn) {
      const structName = cap(e.structFn);
      const structSrc = functionBody(src, `${e.structFn}ToHclTerraform`);
      if (!structSrc) throw new Error(`tf-schema: ${where}.${e.name}: no ${e.structFn}ToHclTerraform`);
      const inner = buildBlock(src, hclAttrs(structSrc), classBody(src, `${structName}OutputReference`), `${where}.${e.name}`, {
        topLevel: false,
      });
      // Max one item: the parent holds an OutputReference rather than a List for it.
      const single = cls ? new RegExp(`new ${structName}OutputReference\\(this, "${e.name}"`).test(cls) : false;
      if (e.isBlock) {
        const mode = e.kind === 'struct' ? 'single' : e.kind;
        const b = { mode, block: inner };
        if (mode !== 'single' && single) b.max_items = 1;
        if (!optional && mode !== 'single') b.min_items = 1;
        block.blocks[e.name] = b;
      } else {
        const mode = e.kind === 'struct' ? 'single' : e.kind;
        block.attributes[e.name] = {
          nested: { mode, block: inner },
          ...(optional ? { optional: true, computed: true } : { required: true }),
        };
      }
      continue;
    }
    const type = configType(e.kind, e.storage, e.name, where);
    const wo = e.name.endsWith('_wo');
    block.attributes[e.name] = {
      type,
      ...(optional ? { optional: true, ...(wo ? {} : { computed: true }) } : { required: true }),
      ...(wo ? { write_only: true, sensitive: true } : {}),
    };
  }
  if (cls) {
    for (const g of cls.matchAll(/get (\w+)\(\) \{\s*return (.+?);\s*\}/gs)) {
      const [, getter, expr] = g;
      if (getter === 'internalValue' || getter.endsWith('Input') || getter === 'fqn' || getter === 'terraformResourceType') continue;
      let snake = /['"](\w+)['"]/.exec(expr)?.[1];
      let type = getterType(expr);
      if (!snake) {
        const field = /^this\._(\w+)$/.exec(expr.trim())?.[1];
        if (!field) continue;
        const init = new RegExp(`this\\._${field} = (new \\w+\\(this, "(\\w+)"(?:, (?:true|false))?\\))`).exec(cls);
        if (!init) continue;
        snake = init[2];
        if (configNames.has(snake)) continue;
        type = listOf(src, init[1], `${where}.${snake}`);
      }
      if (configNames.has(snake) || block.attributes[snake]) continue;
      if (!type) throw new Error(`tf-schema: ${where}.${snake}: cannot type getter ${expr}`);
      block.attributes[snake] = { type, computed: true };
    }
  }
  if (topLevel && !block.attributes.id && cls?.includes("getStringAttribute('id')"))
    block.attributes.id = { type: 'string', computed: true };
  return block;
}

function markSensitive(block, names = []) {
  for (const n of names) {
    if (!block.attributes[n]) throw new Error(`tf-schema: sensitive attribute ${n} not in schema`);
    block.attributes[n].sensitive = true;
  }
}

/** Schema of one binding module (lib/<dir>/index.js). */
function moduleSchema(pkg, dir) {
  const file = path.join(root, 'node_modules', pkg, 'lib', dir, 'index.js');
  const src = readFileSync(file, 'utf8');
  const m = /class (\w+) extends cdktf\.(TerraformResource|TerraformDataSource|TerraformProvider) \{/.exec(src);
  if (!m) throw new Error(`tf-schema: ${file}: no resource class`);
  const [, name, base] = m;
  const type = new RegExp(`${name}\\.tfResourceType = "(\\w+)"`).exec(src)[1];
  const cls = classBody(src, name);
  const hcl = /synthesizeHclAttributes\(\) \{\s*const attrs = \{(.*?)\n {8}\};/s.exec(cls)[1];
  const entries = hclAttrs(hcl);
  const block = buildBlock(src, entries, base === 'TerraformProvider' ? undefined : cls, type, { topLevel: true });
  if (base === 'TerraformProvider') {
    // Provider arguments are all optional (the provider reads defaults from the environment).
    // Provider schemas cannot hold computed attributes (at any depth).
    const plain = (b, top) => {
      for (const a of Object.values(b.attributes)) {
        delete a.computed;
        if (top && a.required) {
          delete a.required;
          a.optional = true;
        }
        if (a.nested) plain(a.nested.block, false);
      }
      for (const n of Object.values(b.blocks)) plain(n.block, false);
    };
    plain(block, true);
    // The `alias` meta-argument is Terraform's, not the provider's.
    delete block.attributes.alias;
  }
  return { kind: { TerraformResource: 'resource', TerraformDataSource: 'data', TerraformProvider: 'provider' }[base], type, block };
}

/** Binding directory of a type: aws_kms_key -> kms-key, data aws_x -> data-aws-x. */
function dirOf(provider, kind, type) {
  const rest = type.startsWith(`${provider}_`) && provider === 'aws' ? type.slice(provider.length + 1) : type;
  const base = rest.replace(/_/g, '-');
  return kind === 'data' ? `data-${type.replace(/_/g, '-')}` : base;
}

function providerOf(type) {
  return type.split('_')[0] === 'archive' ? 'archive' : 'aws';
}

export function generateSchemas(stackFiles = []) {
  const wanted = { resource: new Set(), data: new Set(), ephemeral: new Set() };
  const dirs = { aws: new Set(['provider']), archive: new Set(['provider']) };
  // Imports of stacks/ and modules/ (deep imports, GUIDE.md).
  for (const d of ['stacks', 'modules']) {
    const walk = (p) => {
      for (const f of readdirSync(p, { withFileTypes: true })) {
        const full = path.join(p, f.name);
        if (f.isDirectory()) walk(full);
        else if (f.name.endsWith('.ts')) {
          for (const m of readFileSync(full, 'utf8').matchAll(/@cdktf\/provider-(aws|archive)\/lib\/([a-z0-9-]+)/g)) dirs[m[1]].add(m[2]);
        }
      }
    };
    walk(path.join(root, d));
  }
  for (const f of stackFiles) {
    const j = JSON.parse(readFileSync(f, 'utf8'));
    for (const t of Object.keys(j.resource ?? {})) wanted.resource.add(t);
    for (const t of Object.keys(j.data ?? {})) wanted.data.add(t);
    for (const t of Object.keys(j.ephemeral ?? {})) wanted.ephemeral.add(t);
  }
  for (const t of wanted.resource) dirs[providerOf(t)].add(dirOf(providerOf(t), 'resource', t));
  for (const t of wanted.data) dirs[providerOf(t)].add(dirOf(providerOf(t), 'data', t));

  const out = {};
  for (const [p, info] of Object.entries(PROVIDERS)) {
    const schema = {
      provider: info.source,
      version: info.version,
      provider_config: null,
      resources: {},
      data_sources: {},
      ephemeral_resources: {},
    };
    for (const dir of [...dirs[p]].sort()) {
      if (!existsSync(path.join(root, 'node_modules', info.pkg, 'lib', dir, 'index.js'))) {
        throw new Error(
          `tf-schema: ${info.pkg} has no binding lib/${dir} (type used by a stack but unknown to ${info.source} ${info.version})`,
        );
      }
      const s = moduleSchema(info.pkg, dir);
      if (s.kind === 'provider') {
        markSensitive(s.block, SENSITIVE.provider[p]);
        schema.provider_config = s.block;
      } else if (s.kind === 'resource') {
        markSensitive(s.block, SENSITIVE.resource[s.type]);
        schema.resources[s.type] = s.block;
      } else {
        markSensitive(s.block, SENSITIVE.data[s.type]);
        schema.data_sources[s.type] = s.block;
      }
    }
    for (const t of wanted.ephemeral) {
      if (providerOf(t) !== p) continue;
      if (!EPHEMERAL[t])
        throw new Error(
          `tf-schema: ephemeral resource ${t} has no schema here (cdktf has no ephemeral bindings): add it to EPHEMERAL from the provider's source`,
        );
      schema.ephemeral_resources[t] = EPHEMERAL[t];
    }
    out[p] = schema;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [outDir, ...stacks] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: tf-schema.mjs <out-dir> [cdk.tf.json ...]');
    process.exit(2);
  }
  mkdirSync(outDir, { recursive: true });
  const schemas = generateSchemas(stacks);
  for (const [p, s] of Object.entries(schemas)) {
    // Written whole, then renamed: a stub provider another test starts meanwhile never reads half a file.
    const file = path.join(outDir, `${p}.json`);
    writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(s, null, 1)}\n`);
    renameSync(`${file}.${process.pid}.tmp`, file);
    console.log(
      `tf-schema: ${p}: ${Object.keys(s.resources).length} resources, ${Object.keys(s.data_sources).length} data sources, ${Object.keys(s.ephemeral_resources).length} ephemeral resources`,
    );
  }
}
