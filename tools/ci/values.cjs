#!/usr/bin/env node
'use strict';
/**
 * The values step (COMMON.md V2-V6): writes the values Terraform no longer writes, after apply,
 * as the `secrets-platform-values` role. Node built-ins only: the job that runs this installs no
 * package (no `npm ci`), so no npm dependency can see a value or the role's credentials.
 *
 *   node tools/ci/values.cjs plan  --manifest <values.json> --environment <env> [--role-arn <arn>]
 *   node tools/ci/values.cjs write --manifest <values.json> --environment <env> [--role-arn <arn>] [--repo-root <dir>]
 *
 * `plan` (the plan job, read-only role): DescribeSecret only; says which secrets the values job
 * will write, and writes `pending=true|false` to $GITHUB_OUTPUT.
 * `write` (the values job): checks every input and every target first and writes nothing if one
 * is wrong; then per secret PutSecretValue (ClientRequestToken = UUID v5 of name and version, so
 * a retried write is the same version), RotateSecret where the manifest asks for a first
 * rotation, and last TagResource `secrets-platform:value-written = <version>`.
 *
 * It decides from DescribeSecret alone (tags and version ids) and never calls GetSecretValue.
 * Values come from the environment variable DEPLOY_TIME_VALUES (a JSON object of name -> value,
 * the GitHub environment secret of the same name), GetRandomPassword, and files of the
 * repository (binary values); they travel only in the body of HTTPS requests to Secrets
 * Manager: never in argv, a file, or a log line. The manifest (written by synth) is data and is
 * not trusted for where requests go: endpoints come from the partition alone, and every target
 * must be a secret of the caller's own account, in the manifest's Region, named with this
 * environment's prefix.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const TAG_VERSION = 'secrets-platform:value-version';
const TAG_WRITTEN = 'secrets-platform:value-written';
const MANIFEST_SCHEMA = 'secrets-platform/values/1';
/**
 * Secret name prefix per environment. Kept here rather than read from the manifest, which synth
 * writes; a unit test fails when this table and catalogs/project.ts NAME_PREFIX differ.
 */
const NAME_PREFIX = { dev: 'dev', staging: 'staging', production: 'prod' };
/** Namespace of the ClientRequestToken UUIDs (UUID v5, RFC 9562 section 5.5). Never change it. */
const TOKEN_NAMESPACE = '7b0e4c52-5c1f-4d7e-9a63-2f9d8e1c4a10';
/** Secrets Manager's limits: SecretString and SecretBinary hold at most 65,536 bytes. */
const MAX_VALUE_BYTES = 65536;
const DNS_SUFFIX = { aws: 'amazonaws.com', 'aws-us-gov': 'amazonaws.com', 'aws-cn': 'amazonaws.com.cn' };
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A problem with a secret or the input: one line naming the secret, the problem and the fix. */
class ValuesError extends Error {}

// ------------------------------------------------------------------------------ primitives

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

/** UUID v5 (SHA-1, name-based) of `name` in `namespace`. */
function uuidV5(namespace, name) {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = crypto
    .createHash('sha1')
    .update(Buffer.concat([ns, Buffer.from(name, 'utf8')]))
    .digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The version id (ClientRequestToken) of value `version` of secret `name`: the same on every retry. */
const writeToken = (name, version) => uuidV5(TOKEN_NAMESPACE, `value\n${name}\n${version}`);

/**
 * AWS Signature Version 4 for a POST to `/` with no query (the only requests made here), as the
 * "Create a signed AWS API request" steps of the IAM User Guide describe: canonical request,
 * string to sign, signing key from the date, Region and service. Returns the headers to send.
 */
function signRequest({ url, headers, body, region, service, credentials, now }) {
  const u = new URL(url);
  if (u.pathname !== '/' || u.search) throw new Error(`signRequest signs POST / only, not ${u.pathname}${u.search}`);
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = String(v);
  h.host = u.host;
  h['x-amz-date'] = amzDate;
  if (credentials.sessionToken) h['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(h).sort();
  const canonical = [
    'POST',
    '/',
    '',
    names.map((n) => `${n}:${h[n].trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = [day, region, service, 'aws4_request'].reduce((k, part) => hmac(k, part), `AWS4${credentials.secretAccessKey}`);
  h.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${hmac(key, toSign).toString('hex')}`;
  return h;
}

/** Endpoint of `service`: the SDK's AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL, else the partition's. */
function endpointOf(service, region, partition, env) {
  const own = env[service === 'secretsmanager' ? 'AWS_ENDPOINT_URL_SECRETS_MANAGER' : 'AWS_ENDPOINT_URL_STS'] || env.AWS_ENDPOINT_URL;
  if (own) return `${own.replace(/\/+$/, '')}/`;
  const suffix = DNS_SUFFIX[partition];
  if (!suffix)
    throw new ValuesError(
      `partition ${partition} has no endpoint known to this script; set AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_STS`,
    );
  return `https://${service}.${region}.${suffix}/`;
}

function post(url, headers, body, timeoutMs) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer from ${u.host} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(body);
  });
}

class AwsError extends Error {
  constructor(operation, code, message, status) {
    super(`${operation}: ${code}${message ? `: ${message}` : ''}`);
    this.code = code;
    this.status = status;
  }
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Secrets Manager (JSON 1.1) and STS (query) calls, signed with the caller's environment credentials. */
class Aws {
  constructor({
    region,
    partition,
    env = process.env,
    timeoutMs = 10000,
    attempts = 4,
    now = () => new Date(),
    sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
  }) {
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
    if (!credentials.accessKeyId || !credentials.secretAccessKey)
      throw new ValuesError(
        'no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are unset; run after aws-actions/configure-aws-credentials',
      );
    Object.assign(this, { region, credentials, timeoutMs, attempts, now, sleep });
    this.sm = endpointOf('secretsmanager', region, partition, env);
    this.sts = endpointOf('sts', region, partition, env);
  }

  async send(operation, service, url, headers, body, { retry = true } = {}) {
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await post(
          url,
          signRequest({ url, headers, body, region: this.region, service, credentials: this.credentials, now: this.now() }),
          body,
          this.timeoutMs,
        );
      } catch (e) {
        if (retry && attempt < this.attempts) {
          await this.sleep(200 * 2 ** attempt);
          continue;
        }
        throw new AwsError(operation, e.code || 'NetworkError', e.message, 0);
      }
      if (res.status >= 200 && res.status < 300) return res;
      const err = parseError(operation, res);
      if (retry && attempt < this.attempts && (res.status >= 500 || res.status === 429 || RETRYABLE.has(err.code))) {
        await this.sleep(200 * 2 ** attempt);
        continue;
      }
      throw err;
    }
  }

  /** One Secrets Manager action; the answer as an object. */
  async call(action, payload, opts) {
    const res = await this.send(
      action,
      'secretsmanager',
      this.sm,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${action}` },
      JSON.stringify(payload),
      opts,
    );
    return res.text ? JSON.parse(res.text) : {};
  }

  async callerIdentity() {
    const res = await this.send(
      'GetCallerIdentity',
      'sts',
      this.sts,
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      'Action=GetCallerIdentity&Version=2011-06-15',
    );
    const field = (n) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(res.text)?.[1];
    return { account: field('Account'), arn: field('Arn') };
  }
}

function parseError(operation, res) {
  let code = String(res.headers['x-amzn-errortype'] ?? '');
  let message = '';
  try {
    const j = JSON.parse(res.text);
    code ||= String(j.__type ?? j.code ?? '');
    message = String(j.message ?? j.Message ?? '');
  } catch {
    code ||= /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1] ?? '';
    message = /<Message>([^<]*)<\/Message>/.exec(res.text)?.[1] ?? '';
  }
  code = code.split(':')[0].split('#').pop() || `HTTP ${res.status}`;
  return new AwsError(operation, code, message, res.status);
}

// ------------------------------------------------------------------------------ the manifest

function fail(what, problem, fix) {
  throw new ValuesError(`${what}: ${problem}; ${fix}`);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkSource(where, src) {
  if (!isObject(src)) fail(where, 'is not an object', 'regenerate the manifest with npm run synth');
  const keys = Object.keys(src);
  if (keys.length !== 1)
    fail(
      where,
      `has ${keys.join(', ') || 'no source'}, not exactly one of deployTime, generate, literal`,
      'regenerate the manifest with npm run synth',
    );
  if ('deployTime' in src) {
    if (typeof src.deployTime !== 'string' || !INPUT_NAME.test(src.deployTime))
      fail(where, `deploy-time name ${JSON.stringify(src.deployTime)} is not a name of letters, digits and _`, 'fix the catalog');
  } else if ('generate' in src) {
    const g = src.generate;
    if (
      !isObject(g) ||
      !Number.isInteger(g.length) ||
      g.length < 1 ||
      g.length > 4096 ||
      typeof g.excludePunctuation !== 'boolean' ||
      (g.excludeCharacters !== undefined && typeof g.excludeCharacters !== 'string')
    ) {
      fail(
        where,
        'has generator rules GetRandomPassword does not take (length 1..4096, excludePunctuation, excludeCharacters)',
        'fix the catalog',
      );
    }
  } else if ('literal' in src) {
    if (!['string', 'number', 'boolean'].includes(typeof src.literal))
      fail(where, 'has a literal that is not a string, number or boolean', 'fix the catalog');
  } else {
    fail(where, `has source ${keys[0]}, not deployTime, generate or literal`, 'regenerate the manifest with npm run synth');
  }
}

/**
 * Checks the manifest's shape and that it is for `environment` in `account` (the caller's), so a
 * manifest of another environment, or one edited to name other secrets, writes nothing.
 */
function checkManifest(m, environment) {
  const where = 'values manifest';
  if (!isObject(m) || m.schema !== MANIFEST_SCHEMA)
    fail(where, `schema is ${JSON.stringify(m?.schema)}, not ${MANIFEST_SCHEMA}`, 'synthesize with the same commit as this script');
  if (!Object.hasOwn(NAME_PREFIX, environment))
    fail(
      where,
      `environment ${JSON.stringify(environment)} is not one of ${Object.keys(NAME_PREFIX).join(', ')}`,
      'pass --environment dev, staging or production',
    );
  if (m.environment !== environment)
    fail(
      where,
      `is for environment ${m.environment}, not ${environment}`,
      'use the manifest of this environment (cdktf.out/stacks/<env>/values.json)',
    );
  if (m.namePrefix !== NAME_PREFIX[environment])
    fail(
      where,
      `name prefix is ${JSON.stringify(m.namePrefix)}, not ${NAME_PREFIX[environment]}`,
      'keep NAME_PREFIX in tools/ci/values.cjs and catalogs/project.ts equal',
    );
  if (typeof m.accountId !== 'string' || !/^\d{12}$/.test(m.accountId))
    fail(where, 'has no 12-digit accountId', 'regenerate the manifest with npm run synth');
  if (typeof m.region !== 'string' || !REGION.test(m.region))
    fail(where, `region ${JSON.stringify(m.region)} is not an AWS Region name`, 'regenerate the manifest with npm run synth');
  if (!Array.isArray(m.secrets)) fail(where, 'has no secrets list', 'regenerate the manifest with npm run synth');
  const seen = new Set();
  for (const s of m.secrets) {
    const at = `secret ${isObject(s) && typeof s.name === 'string' ? s.name : JSON.stringify(s?.id)}`;
    if (!isObject(s) || typeof s.name !== 'string' || !SECRET_NAME.test(s.name))
      fail(at, 'has no valid name', 'regenerate the manifest with npm run synth');
    if (!s.name.startsWith(`${m.namePrefix}/`))
      fail(at, `is outside this environment's prefix ${m.namePrefix}/`, 'only secrets of this environment are written');
    if (seen.has(s.name)) fail(at, 'is listed twice', 'regenerate the manifest with npm run synth');
    seen.add(s.name);
    if (!Number.isInteger(s.version) || s.version < 1 || s.version > 1e9)
      fail(at, `version ${JSON.stringify(s.version)} is not a whole number from 1`, 'set value.version in the catalog to 1 or more');
    if (typeof s.rotateAfterWrite !== 'boolean') fail(at, 'has no rotateAfterWrite', 'regenerate the manifest with npm run synth');
    const w = s.write;
    if (!isObject(w) || !['text', 'json', 'binary'].includes(w.type))
      fail(at, 'has no write of type text, json or binary', 'regenerate the manifest with npm run synth');
    if (w.type === 'text') checkSource(`${at} (value)`, w.source);
    if (w.type === 'json') {
      if (!isObject(w.keys) || Object.keys(w.keys).length === 0) fail(at, 'is a JSON value with no keys', 'fix the catalog');
      for (const [k, src] of Object.entries(w.keys)) checkSource(`${at} key ${k}`, src);
    }
    if (w.type === 'binary') {
      if (typeof w.file !== 'string' || path.isAbsolute(w.file) || w.file.split(/[\\/]/).includes('..') || w.file === '')
        fail(at, `file ${JSON.stringify(w.file)} is not a path inside the repository`, 'fix value.path in the catalog');
      if (typeof w.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(w.sha256))
        fail(at, 'has no SHA-256 of its file', 'regenerate the manifest with npm run synth');
    }
  }
  return m;
}

/** The ARN a secret of this manifest must have: own account, the manifest's Region, exact name plus AWS's 6-character suffix. */
function expectedArn(m, name) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^arn:${esc(m.partition || 'aws')}:secretsmanager:${esc(m.region)}:${m.accountId}:secret:${esc(name)}-[A-Za-z0-9]{6}$`);
}

// ------------------------------------------------------------------------------ decisions

const tagOf = (d, key) => (d.Tags ?? []).find((t) => t.Key === key)?.Value;
const versionsWith = (d, stage) =>
  Object.entries(d.VersionIdsToStages ?? {})
    .filter(([, stages]) => stages.includes(stage))
    .map(([id]) => id);

/**
 * What to do for one secret, from its DescribeSecret answer (or null when it does not exist).
 * `mode` is `plan` (before apply: a missing secret or tag is expected) or `write`.
 */
function decide(m, s, d, mode) {
  const at = `secret ${s.name}`;
  if (!d) {
    if (mode === 'plan') return { action: 'write', note: 'created by this apply' };
    fail(at, 'does not exist', 'run the apply of this commit first (the values job runs after it)');
  }
  if (d.Name !== s.name || !expectedArn(m, s.name).test(String(d.ARN))) {
    fail(
      at,
      `resolves to ${d.ARN}, not a secret named ${s.name} of account ${m.accountId} in ${m.region}`,
      "check the environment's role and Region; nothing was written",
    );
  }
  if (d.DeletedDate)
    fail(at, 'is scheduled for deletion', 'restore it (docs/operating.md, "Remove a secret") or remove it from the catalog');
  const written = tagOf(d, TAG_WRITTEN);
  const writtenVersion = written === undefined ? 0 : Number(written);
  if (!Number.isInteger(writtenVersion) || writtenVersion < 0)
    fail(
      at,
      `tag ${TAG_WRITTEN} is ${JSON.stringify(written)}, not a version`,
      `remove the tag (aws secretsmanager untag-resource), then run the values job again`,
    );
  if (writtenVersion > s.version)
    fail(
      at,
      `value version ${s.version} is below the version already written (${writtenVersion})`,
      `raise value.version to ${writtenVersion + 1} to write a new value`,
    );
  if (writtenVersion === s.version) return { action: 'none', note: `version ${s.version} written` };
  if (mode === 'write') {
    const tagged = tagOf(d, TAG_VERSION);
    if (tagged !== String(s.version))
      fail(
        at,
        `tag ${TAG_VERSION} is ${JSON.stringify(tagged)} but this commit's catalog says ${s.version}`,
        'the apply of this commit has not run or failed: re-run the deploy',
      );
    if (s.rotateAfterWrite && !d.RotationEnabled)
      fail(
        at,
        'has no rotation configured, but its first password is set by rotation',
        'the apply of this commit has not run or failed: re-run the deploy',
      );
  }
  const token = writeToken(s.name, s.version);
  const present = Object.hasOwn(d.VersionIdsToStages ?? {}, token);
  return {
    action: 'write',
    token,
    present,
    note: writtenVersion ? `version ${writtenVersion} -> ${s.version}` : `first value (version ${s.version})`,
  };
}

/** Names of DEPLOY_TIME_VALUES a secret's write needs. */
function inputNames(s) {
  const srcs = s.write.type === 'text' ? [s.write.source] : s.write.type === 'json' ? Object.values(s.write.keys) : [];
  return srcs.filter((x) => 'deployTime' in x).map((x) => x.deployTime);
}

/** Reads DEPLOY_TIME_VALUES (and removes it from the environment, so no child process inherits it). */
function readInput(env) {
  const raw = env.DEPLOY_TIME_VALUES;
  delete env.DEPLOY_TIME_VALUES;
  if (raw === undefined || raw.trim() === '') return {};
  let v;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ValuesError(
      'DEPLOY_TIME_VALUES: is not JSON; store a JSON object of name -> value in the GitHub environment secret (names: npm run values -- <env>)',
    );
  }
  if (!isObject(v))
    throw new ValuesError('DEPLOY_TIME_VALUES: is not a JSON object; store {"<name>": "<value>", ...} (names: npm run values -- <env>)');
  return v;
}

// ------------------------------------------------------------------------------ the run

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  const opts = { mode };
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i];
    if (!['--manifest', '--environment', '--role-arn', '--repo-root'].includes(k) || rest[i + 1] === undefined)
      throw new ValuesError(
        `usage: values.cjs plan|write --manifest <file> --environment <env> [--role-arn <arn>] [--repo-root <dir>] (got ${k})`,
      );
    opts[k.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = rest[i + 1];
  }
  if (!['plan', 'write'].includes(mode) || !opts.manifest || !opts.environment)
    throw new ValuesError('usage: values.cjs plan|write --manifest <file> --environment <env> [--role-arn <arn>] [--repo-root <dir>]');
  return opts;
}

/** The caller must be in the manifest's account and, when --role-arn is given, be that role. */
function checkCaller(m, identity, roleArn) {
  if (identity.account !== m.accountId)
    fail(
      'caller',
      `is in account ${identity.account}, the manifest in ${m.accountId}`,
      "assume the values role of this environment's account",
    );
  if (!roleArn) return;
  const role = /^arn:[\w-]+:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
  if (!role) fail('caller', `--role-arn ${roleArn} is not a role ARN`, 'set VALUES_ROLE_ARN to the values role of this environment');
  if (role[1] !== m.accountId)
    fail(
      'caller',
      `--role-arn names account ${role[1]}, the manifest ${m.accountId}`,
      "set VALUES_ROLE_ARN of this GitHub environment to its own account's values role",
    );
  if (!new RegExp(`^arn:[\\w-]+:sts::${m.accountId}:assumed-role/${role[2].replace(/[.+]/g, '\\$&')}/`).test(identity.arn ?? '')) {
    fail('caller', `is ${identity.arn}, not role ${role[2]}`, 'run this step with the credentials of the values role only');
  }
}

async function describeAll(aws, m) {
  const out = new Map();
  for (const s of m.secrets) {
    try {
      out.set(s.name, await aws.call('DescribeSecret', { SecretId: s.name }));
    } catch (e) {
      if (e.code !== 'ResourceNotFoundException') throw e;
      out.set(s.name, null);
    }
  }
  return out;
}

/** The bytes of a binary value: the repository file, checked against the SHA-256 synth recorded. */
function readBinary(s, repoRoot) {
  const file = path.resolve(repoRoot, s.write.file);
  let data;
  try {
    data = fs.readFileSync(file);
  } catch {
    fail(`secret ${s.name}`, `file ${s.write.file} cannot be read`, 'run the values job on a checkout of the deployed commit');
  }
  if (sha256(data) !== s.write.sha256)
    fail(
      `secret ${s.name}`,
      `file ${s.write.file} differs from the one synthesized (SHA-256)`,
      'run the values job on a checkout of the deployed commit',
    );
  if (data.length > MAX_VALUE_BYTES)
    fail(
      `secret ${s.name}`,
      `file ${s.write.file} is ${data.length} bytes, over Secrets Manager's ${MAX_VALUE_BYTES}`,
      'store a smaller file',
    );
  return data;
}

/** The secret's new value, built in memory: {SecretString} or {SecretBinary} (base64). */
async function buildValue(aws, s, input, repoRoot) {
  const resolve = async (src) => {
    if ('literal' in src) return src.literal;
    if ('deployTime' in src) return input[src.deployTime];
    const g = src.generate;
    const r = await aws.call('GetRandomPassword', {
      PasswordLength: g.length,
      ExcludePunctuation: g.excludePunctuation,
      ...(g.excludeCharacters ? { ExcludeCharacters: g.excludeCharacters } : {}),
      IncludeSpace: false,
      RequireEachIncludedType: true,
    });
    return r.RandomPassword;
  };
  if (s.write.type === 'binary') return { SecretBinary: readBinary(s, repoRoot).toString('base64') };
  let text;
  if (s.write.type === 'text') {
    text = await resolve(s.write.source);
  } else {
    const obj = {};
    for (const [k, src] of Object.entries(s.write.keys)) obj[k] = await resolve(src);
    text = JSON.stringify(obj);
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_VALUE_BYTES)
    fail(`secret ${s.name}`, `the value is over Secrets Manager's ${MAX_VALUE_BYTES} bytes`, 'store a smaller value');
  return { SecretString: text };
}

/**
 * Writes one secret: the value (unless a retry finds its version already there), the first
 * rotation where asked (unless one ran or runs), then the written tag. Every step is safe to repeat.
 */
async function writeOne(aws, s, decision, input, repoRoot, log) {
  if (!decision.present) {
    const value = await buildValue(aws, s, input, repoRoot);
    try {
      await aws.call('PutSecretValue', { SecretId: s.name, ClientRequestToken: decision.token, ...value });
    } catch (e) {
      // The same token already made a version: an earlier attempt wrote it (a generated value
      // differs on every try, so Secrets Manager refuses the repeat). Keep what is there.
      if (e.code !== 'ResourceExistsException') throw e;
    }
  }
  if (s.rotateAfterWrite) {
    const d = await aws.call('DescribeSecret', { SecretId: s.name });
    const current = versionsWith(d, 'AWSCURRENT');
    const pending = versionsWith(d, 'AWSPENDING').filter((v) => !current.includes(v));
    if (pending.length > 0) log(`secret ${s.name}: a rotation is in progress; not starting another`);
    else if (current.includes(decision.token)) {
      await aws.call(
        'RotateSecret',
        { SecretId: s.name, ClientRequestToken: uuidV5(TOKEN_NAMESPACE, `rotate\n${s.name}\n${s.version}`) },
        { retry: false },
      );
      log(`secret ${s.name}: first rotation started (the rotation function sets a password nobody has seen)`);
    } else log(`secret ${s.name}: rotated since version ${s.version} was written; not rotating again`);
  }
  await aws.call('TagResource', { SecretId: s.name, Tags: [{ Key: TAG_WRITTEN, Value: String(s.version) }] });
}

/** Runs `plan` or `write`; returns the exit code. `io` holds the outside world (tests replace it). */
async function run(argv, io = {}) {
  const env = io.env ?? process.env;
  const out = io.out ?? ((l) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l) => process.stderr.write(`${l}\n`));
  let input = {};
  try {
    const opts = parseArgs(argv);
    input = opts.mode === 'write' ? readInput(env) : {};
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(opts.manifest, 'utf8'));
    } catch {
      throw new ValuesError(
        `values manifest: ${opts.manifest} cannot be read as JSON; pass cdktf.out/stacks/<env>/values.json from the synth artifact`,
      );
    }
    const m = checkManifest(manifest, opts.environment);
    const aws = io.aws ?? new Aws({ region: m.region, partition: m.partition || 'aws', env });
    checkCaller(m, await aws.callerIdentity(), opts.roleArn);
    const described = await describeAll(aws, m);

    // Every target and every input first: one wrong thing, and nothing is written.
    const problems = [];
    const todo = [];
    for (const s of m.secrets) {
      try {
        const d = decide(m, s, described.get(s.name), opts.mode);
        if (d.action === 'none') out(`values: ${s.name}: up to date (${d.note})`);
        else todo.push({ s, d });
      } catch (e) {
        if (!(e instanceof ValuesError)) throw e;
        problems.push(e.message);
      }
    }
    if (opts.mode === 'plan') {
      for (const { s, d } of todo) out(`values: ${s.name}: will be written after apply (${d.note})`);
      report(env, problems.length === 0 && todo.length > 0, m, todo, problems);
      for (const p of problems) err(`values: ${p}`);
      return problems.length > 0 ? 1 : 0;
    }
    const repoRoot = opts.repoRoot ?? process.cwd();
    const used = new Set();
    for (const { s, d } of todo) {
      for (const n of inputNames(s)) {
        used.add(n);
        if (d.present) continue;
        const v = input[n];
        if (typeof v !== 'string' || v === '')
          problems.push(
            `secret ${s.name}: DEPLOY_TIME_VALUES has no ${typeof v === 'undefined' ? '' : 'text '}value "${n}"; add it to the GitHub environment secret DEPLOY_TIME_VALUES of ${m.environment} (names: npm run values -- ${m.environment})`,
          );
      }
      if (s.write.type === 'binary' && !d.present) {
        try {
          readBinary(s, repoRoot);
        } catch (e) {
          if (!(e instanceof ValuesError)) throw e;
          problems.push(e.message);
        }
      }
    }
    if (problems.length > 0) {
      for (const p of problems) err(`values: ${p}`);
      err(`values: ${problems.length} problem(s); nothing was written`);
      return 1;
    }
    // Defense in depth: GitHub masks the secret as a whole, not each value inside its JSON.
    if (env.GITHUB_ACTIONS === 'true') {
      for (const n of used) for (const line of String(input[n] ?? '').split(/\r?\n/)) if (line.trim()) out(`::add-mask::${line}`);
    }
    let failed = 0;
    for (const { s, d } of todo) {
      try {
        await writeOne(aws, s, d, input, repoRoot, out);
        out(`values: ${s.name}: wrote version ${s.version} (${d.note})`);
      } catch (e) {
        failed++;
        err(`values: secret ${s.name}: ${e.message}; fix the cause and re-run the values job (every step is safe to repeat)`);
      }
    }
    const unused = Object.keys(input).filter((n) => !used.has(n) && !m.secrets.some((s) => inputNames(s).includes(n)));
    if (unused.length > 0)
      out(
        `values: DEPLOY_TIME_VALUES holds names no secret of ${m.environment} uses: ${unused.join(', ')} (typo? see npm run values -- ${m.environment})`,
      );
    out(`values: ${todo.length - failed} written, ${m.secrets.length - todo.length} up to date, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof ValuesError || e instanceof AwsError) {
      err(`values: ${e.message}`);
      return 1;
    }
    err(`values: unexpected error: ${e && e.message}`);
    return 1;
  } finally {
    for (const k of Object.keys(input)) input[k] = undefined;
  }
}

/** In GitHub Actions: `pending` for the values job's condition, and a list for the reviewers. */
function report(env, pending, m, todo, problems) {
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, `pending=${pending}\n`);
  if (!env.GITHUB_STEP_SUMMARY) return;
  const lines = [`## Values the values job writes after apply (${m.environment})`, ''];
  if (todo.length === 0 && problems.length === 0) lines.push('Nothing: every value is at its catalog version.');
  for (const { s, d } of todo) {
    const from = inputNames(s);
    lines.push(
      `- \`${s.name}\`: ${d.note}${from.length ? `; from DEPLOY_TIME_VALUES: ${from.map((n) => `\`${n}\``).join(', ')}` : ''}${s.rotateAfterWrite ? '; then its first rotation' : ''}`,
    );
  }
  for (const p of problems) lines.push(`- problem: ${p}`);
  fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `${lines.join('\n')}\n`);
}

module.exports = {
  TAG_VERSION,
  TAG_WRITTEN,
  MANIFEST_SCHEMA,
  NAME_PREFIX,
  uuidV5,
  writeToken,
  signRequest,
  endpointOf,
  checkManifest,
  decide,
  run,
  Aws,
  ValuesError,
};

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
