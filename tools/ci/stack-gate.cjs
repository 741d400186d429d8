#!/usr/bin/env node
'use strict';
/**
 * The stack gate: refuses a synthesized environment stack that would make Terraform run code,
 * before any Terraform command reads it in a job that holds AWS credentials.
 *
 *   node tools/ci/stack-gate.cjs <stack dir> [--bundles .build/lambdas] [--manifest plan/terraform-calls.json]
 *
 * Synth runs about 1,000 npm packages without credentials (docs/pipeline.md), but what it writes
 * is a program for Terraform, not only data: a `local-exec` provisioner runs its command at
 * apply, with the deploy role's credentials in its environment, and `terraform show` prints no
 * provisioner, so the reviewer never sees it; a `data "external"` runs a program at plan; a
 * provider named in `required_providers` is a binary downloaded and run by `terraform init`;
 * provider or backend `endpoints` send signed requests (with the session token) elsewhere; file
 * functions put local files (such as /proc/self/environ) into the plan. So the credentialed
 * jobs run this first, from the reviewed commit's checkout, on the checksummed artifact, and
 * run Terraform only if it finds nothing. Node built-ins only (the job installs no package).
 *
 * Allowed is what the stacks synthesize: the AWS and archive providers from the HashiCorp
 * namespace at exact versions; the S3 backend; resource and data types with an entry in the
 * manifest of what Terraform calls (plan/terraform-calls.json, the same list that stops synth on
 * an unknown type); zips only of the repository's `.build/lambdas`, written into the stack's
 * `lambda-zips`. One line per problem, naming the block, the rule and the fix.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Providers the stacks use: local name -> accepted source addresses (the HashiCorp namespace). */
const PROVIDERS = {
  aws: ['aws', 'hashicorp/aws', 'registry.terraform.io/hashicorp/aws'],
  archive: ['archive', 'hashicorp/archive', 'registry.terraform.io/hashicorp/archive'],
};
/** Arguments of the provider blocks and the backend that cannot redirect or replace credentials. */
const PROVIDER_KEYS = {
  aws: ['alias', 'region', 'allowed_account_ids', 'assume_role', 'default_tags', 'ignore_tags'],
  archive: ['alias'],
};
const ASSUME_ROLE_KEYS = ['role_arn', 'session_name'];
const BACKEND_KEYS = [
  'bucket',
  'key',
  'region',
  'dynamodb_table',
  'encrypt',
  'kms_key_id',
  'use_lockfile',
  'allowed_account_ids',
  'assume_role',
  'workspace_key_prefix',
];
const TOP_LEVEL = ['//', 'terraform', 'provider', 'resource', 'data', 'output', 'locals', 'variable'];
const TERRAFORM_KEYS = ['//', 'required_providers', 'required_version', 'backend'];
/** Block arguments that run code or open a connection. */
const EXECUTING_KEYS = ['provisioner', 'connection'];
/** Terraform functions that read the machine's files (and so its credentials) into the plan. */
const FILE_FUNCTIONS =
  /\b(file|filebase64|filebase64sha256|filebase64sha512|filemd5|filesha1|filesha256|filesha512|fileexists|fileset|templatefile|abspath|pathexpand)\s*\(/;
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;
/** Where the rotation bundles are and where their zips go (relative to the stack directory). */
const MODULE = '${path.module}/';
const BUNDLES = '.build/lambdas';
const LAMBDA_ZIPS = `${MODULE}lambda-zips/`;

const keysOf = (o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);
const blocks = (v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []);

/** Strings anywhere in `v`, with where they are. */
function* strings(v, where) {
  if (typeof v === 'string') yield [v, where];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* strings(v[i], `${where}[${i}]`);
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) if (k !== '//') yield* strings(v[k], `${where}.${k}`);
}

/** A path inside `prefix` that does not climb out of it. */
const inside = (p, prefix) =>
  typeof p === 'string' &&
  p.startsWith(prefix) &&
  !p.slice(prefix.length).split('/').includes('..') &&
  !/[$]\{/.test(p.slice(prefix.length));

/**
 * A file of the rotation bundles: `${path.module}/<relative path>` whose part after
 * `.build/lambdas/` does not climb; and, when the directories are known (the command), one that
 * resolves inside the bundles directory.
 */
function isBundle(p, dirs) {
  if (typeof p !== 'string' || !p.startsWith(MODULE) || /[$]\{/.test(p.slice(MODULE.length))) return false;
  const rel = p.slice(MODULE.length);
  const at = rel.indexOf(`${BUNDLES}/`);
  if (
    at < 0 ||
    (at > 0 && rel[at - 1] !== '/') ||
    rel
      .slice(at + BUNDLES.length + 1)
      .split('/')
      .includes('..')
  )
    return false;
  if (!dirs || !dirs.stackDir || !dirs.bundlesDir) return true;
  const file = path.resolve(dirs.stackDir, rel);
  const root = path.resolve(dirs.bundlesDir);
  return file.startsWith(root + path.sep);
}

/**
 * The problems of one synthesized stack (cdk.tf.json, parsed), given the manifest's type keys
 * (`aws_x` for resources, `data.x`, `ephemeral.x`) and, optionally, the stack and bundles
 * directories it will run with. Empty when Terraform may run it.
 */
function check(config, manifestTypes, dirs) {
  const out = [];
  const bad = (where, rule, fix) => out.push(`${where}: ${rule}; ${fix}`);
  const known = new Set(manifestTypes);
  for (const k of keysOf(config)) {
    if (!TOP_LEVEL.includes(k))
      bad(
        k,
        `a top-level "${k}" block is not something the stacks synthesize (modules, checks, imports and removed blocks can carry code or other sources)`,
        'remove it; the stacks are generated by synth only',
      );
  }
  const tf = config.terraform || {};
  for (const k of keysOf(tf)) {
    if (!TERRAFORM_KEYS.includes(k)) bad(`terraform.${k}`, `"${k}" is not an argument the stacks set`, 'remove it');
  }
  const required = tf.required_providers || {};
  for (const [name, req] of Object.entries(required)) {
    const source = req && typeof req === 'object' ? req.source : undefined;
    const version = req && typeof req === 'object' ? req.version : req;
    if (!PROVIDERS[name] || !PROVIDERS[name].includes(source))
      bad(
        `terraform.required_providers.${name}`,
        `provider source ${JSON.stringify(source)} is not hashicorp/aws or hashicorp/archive: terraform init would download and run another binary`,
        'use only the providers the stacks pin',
      );
    if (typeof version !== 'string' || !EXACT_VERSION.test(version))
      bad(
        `terraform.required_providers.${name}`,
        `version ${JSON.stringify(version)} is not an exact version`,
        'pin an exact version, as the stacks do',
      );
  }
  for (const [type, backend] of Object.entries(tf.backend || {})) {
    if (type !== 's3') {
      bad(`terraform.backend.${type}`, `backend "${type}" is not the S3 backend the bootstrap creates`, 'use the S3 backend');
      continue;
    }
    for (const k of keysOf(backend))
      if (!BACKEND_KEYS.includes(k))
        bad(
          `terraform.backend.s3.${k}`,
          `"${k}" can send the state or the credentials elsewhere`,
          'remove it; the backend needs only bucket, key, region, lock and key settings',
        );
    for (const r of blocks(backend.assume_role))
      for (const k of keysOf(r))
        if (!ASSUME_ROLE_KEYS.includes(k))
          bad(`terraform.backend.s3.assume_role.${k}`, `"${k}" is not an argument the stacks set`, 'remove it');
  }
  for (const [name, list] of Object.entries(config.provider || {})) {
    if (!PROVIDER_KEYS[name]) {
      bad(`provider.${name}`, `provider "${name}" is not aws or archive`, 'remove it');
      continue;
    }
    if (!required[name])
      bad(
        `provider.${name}`,
        `provider "${name}" is configured but not in required_providers (Terraform would pick its source)`,
        'declare it with its source and exact version',
      );
    for (const p of blocks(list)) {
      for (const k of keysOf(p))
        if (!PROVIDER_KEYS[name].includes(k))
          bad(
            `provider.${name}.${k}`,
            `"${k}" can redirect requests or replace the job's credentials`,
            `remove it; the ${name} provider takes only ${PROVIDER_KEYS[name].join(', ')}`,
          );
      for (const r of blocks(p.assume_role))
        for (const k of keysOf(r))
          if (!ASSUME_ROLE_KEYS.includes(k))
            bad(`provider.${name}.assume_role.${k}`, `"${k}" is not an argument the stacks set`, 'remove it');
    }
  }
  for (const [kind, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ]) {
    for (const [type, byName] of Object.entries(config[kind] || {})) {
      if (!known.has(`${prefix}${type}`))
        bad(
          `${kind}.${type}`,
          `type ${type} has no entry in the manifest of what Terraform calls (built-in types such as terraform_data and providers' types such as external run code or read other state)`,
          'add the type to plan/terraform-calls.json in a reviewed change, or remove it',
        );
      for (const [name, body] of Object.entries(byName || {})) {
        for (const k of keysOf(body))
          if (EXECUTING_KEYS.includes(k))
            bad(
              `${kind}.${type}.${name}.${k}`,
              `a ${k} runs commands with the job's credentials, and terraform show never prints it`,
              'remove it',
            );
        if (kind === 'data' && type === 'archive_file') {
          if (
            !isBundle(body.source_file, dirs) ||
            body.source_dir !== undefined ||
            body.source_content !== undefined ||
            body.source !== undefined
          )
            bad(
              `data.archive_file.${name}`,
              `zips ${JSON.stringify(body.source_file ?? body.source_dir ?? body.source_content ?? body.source)}, not a bundle under .build/lambdas`,
              'zip only the rotation bundles synth builds',
            );
          if (!inside(body.output_path, LAMBDA_ZIPS))
            bad(
              `data.archive_file.${name}`,
              `writes ${JSON.stringify(body.output_path)}, outside the stack's lambda-zips`,
              'write the zip into lambda-zips',
            );
        }
      }
    }
  }
  for (const [s, where] of strings(config, '')) {
    if (s.includes('${') && FILE_FUNCTIONS.test(s))
      bad(
        where.slice(1),
        "a file function reads the machine's files (and the credentials in them) into the plan",
        'remove it; the stacks read no file but the rotation bundles, through archive_file',
      );
  }
  return out;
}

/** Files synth writes into a stack directory: cdk.tf.json and its reports and manifests. */
const STACK_FILE = /^[a-z][\w-]*\.(json|md)$/;
const TERRAFORM_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * The problems of the directories Terraform will run in: the stack directory holds only the
 * regular files synth writes (no `.terraform` or `terraform.d` with a planted provider binary,
 * which init would take from there; no other configuration or variable file; no link), and the
 * bundles directory only regular files and directories (a link could zip /proc/self/environ).
 */
function checkDirectories(stackDir, bundlesDir) {
  const out = [];
  for (const e of fs.readdirSync(stackDir, { withFileTypes: true })) {
    const ok = e.isFile() && (e.name === 'cdk.tf.json' || (STACK_FILE.test(e.name) && !TERRAFORM_FILE.test(e.name)));
    if (!ok)
      out.push(
        `${e.name}: ${e.isDirectory() ? 'a directory' : e.isSymbolicLink() ? 'a link' : 'a file'} synth does not write (Terraform reads configuration, variables and provider binaries from its directory); remove it and synth again`,
      );
  }
  if (bundlesDir) {
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (!e.isFile())
          out.push(`${p}: not a regular file (a link or device would be zipped with what it points at); remove it and synth again`);
      }
    };
    if (!fs.existsSync(bundlesDir)) out.push(`${bundlesDir}: missing; synth again`);
    else if (!fs.lstatSync(bundlesDir).isDirectory()) out.push(`${bundlesDir}: not a directory; synth again`);
    else walk(bundlesDir);
  }
  return out;
}

/** The manifest's type keys (`aws_x`, `data.x`, `ephemeral.x`). */
function manifestTypes(manifestFile) {
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  return Object.keys(m.types || {});
}

function main(argv) {
  const args = argv.slice(2);
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--manifest' || args[i] === '--bundles') flags[args[i].slice(2)] = args[++i];
    else positional.push(args[i]);
  }
  const manifest = flags.manifest ?? path.join(__dirname, '..', '..', 'plan', 'terraform-calls.json');
  const dir = positional[0];
  if (!dir || positional.length > 1) {
    process.stderr.write(
      'usage: node tools/ci/stack-gate.cjs <stack dir> [--bundles .build/lambdas] [--manifest plan/terraform-calls.json]\n',
    );
    return 2;
  }
  let config;
  try {
    if (fs.lstatSync(path.join(dir, 'cdk.tf.json')).isSymbolicLink()) throw new Error('a link');
    config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  } catch (e) {
    process.stderr.write(`stack-gate: ${dir}/cdk.tf.json cannot be read as JSON (${e.message}); run synth again\n`);
    return 1;
  }
  const problems = [
    ...checkDirectories(dir, flags.bundles),
    ...check(config, manifestTypes(manifest), { stackDir: dir, bundlesDir: flags.bundles }),
  ];
  for (const p of problems) process.stderr.write(`stack-gate: ${dir}: ${p}\n`);
  if (problems.length > 0) {
    process.stderr.write(`stack-gate: ${problems.length} problem(s); Terraform was not run\n`);
    return 1;
  }
  process.stdout.write(`stack-gate: ${dir}: nothing in the stack runs code\n`);
  return 0;
}

module.exports = { check, checkDirectories, manifestTypes, main, PROVIDERS };

if (require.main === module) process.exitCode = main(process.argv);
