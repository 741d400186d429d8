/**
 * Bundles each rotation handler with esbuild: one minified CommonJS file per handler with the
 * AWS SDK and the database driver inside (the SDK the runtime ships changes under us; ours is
 * pinned by package-lock.json and tested). Output is deterministic: no timestamps, no absolute
 * paths, no source maps, so the same source gives the same bytes and the same `source_code_hash`.
 *
 * Synth calls this for every environment, so a bundle is reused while its inputs are unchanged:
 * the cache key hashes every file under lambdas/, package-lock.json and the build options.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
// esbuild's API is loaded only when a bundle is out of date (~6 ms of every synth otherwise);
// its version, part of the cache key, comes from its package.json.
const esbuildVersion: string = require('esbuild/package.json').version;
import type { HandlerName } from './rotation/contract';

const LAMBDAS = __dirname.endsWith(`${path.sep}lambdas`) ? __dirname : findLambdasDir(__dirname);
const ROOT = path.dirname(LAMBDAS);
export const BUNDLE_DIR = path.join(ROOT, '.build', 'lambdas');

function findLambdasDir(start: string): string {
  // When this file runs from a bundle (tools/run-ts.mjs), find the source tree upwards.
  for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'lambdas', 'rotation', 'contract.ts'))) return path.join(dir, 'lambdas');
  }
  throw new Error(`cannot find the lambdas/ source directory above ${start}`);
}

export interface Bundle {
  handler: HandlerName;
  /** Absolute path of the bundle (index.js, as the Lambda handler `index.handler` expects). */
  file: string;
  /** SHA-256 of the bundle, hex; read and hashed on first use (synth never needs it). */
  readonly sha256: string;
  bytes: number;
  /** Whether this call ran esbuild (false: reused an up-to-date bundle). */
  built: boolean;
}

export function buildOptions(handler: HandlerName, outfile: string): BuildOptions {
  return {
    entryPoints: [path.join(LAMBDAS, 'handlers', `${handler}.ts`)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    // The oldest Node the bundle must load on: the runtime is newer; this also lets bench run it here.
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    // pg optionally requires pg-native; it is never installed, keep the require lazy and external.
    external: ['pg-native'],
    absWorkingDir: ROOT,
    logLevel: 'silent',
  };
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

let sourcesDigest: Buffer | undefined;
/** Every file under lambdas/ and the lock file, hashed once per process (all handlers share them). */
function sharedInputs(): Buffer {
  if (!sourcesDigest) {
    const h = createHash('sha256');
    for (const f of sourceFiles(LAMBDAS)) h.update(path.relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
    const lock = path.join(ROOT, 'package-lock.json');
    if (existsSync(lock)) h.update(readFileSync(lock));
    sourcesDigest = h.digest();
  }
  return sourcesDigest;
}

function inputsKey(handler: HandlerName): string {
  const h = createHash('sha256');
  h.update(
    `esbuild ${esbuildVersion}\n${JSON.stringify({ ...buildOptions(handler, 'index.js'), entryPoints: [handler], absWorkingDir: '.' })}\n`,
  );
  h.update(sharedInputs());
  return h.digest('hex');
}

const memo = new Map<string, Bundle>();

/** Builds (or reuses) the bundle of one handler; within one process, checks its inputs once. */
export function buildHandler(handler: HandlerName, outRoot = BUNDLE_DIR): Bundle {
  const id = `${outRoot}\0${handler}`;
  const known = memo.get(id);
  // Not `{ ...known }`: spreading would call the getter and hash the bundle.
  if (known)
    return {
      handler: known.handler,
      file: known.file,
      get sha256() {
        return known.sha256;
      },
      bytes: known.bytes,
      built: false,
    };
  const bundle = buildHandlerUncached(handler, outRoot);
  memo.set(id, bundle);
  return bundle;
}

function buildHandlerUncached(handler: HandlerName, outRoot: string): Bundle {
  const dir = path.join(outRoot, handler);
  const file = path.join(dir, 'index.js');
  const keyFile = path.join(dir, 'inputs.sha256');
  const key = inputsKey(handler);
  let built = false;
  if (!(existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key)) {
    mkdirSync(dir, { recursive: true });
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const r = buildSync(buildOptions(handler, file));
    if (r.errors.length > 0) throw new Error(`esbuild failed for handler ${handler}: ${r.errors.map((e) => e.text).join('; ')}`);
    writeFileSync(keyFile, key);
    built = true;
  }
  let sha256: string | undefined;
  return {
    handler,
    file,
    get sha256() {
      sha256 ??= createHash('sha256').update(readFileSync(file)).digest('hex');
      return sha256;
    },
    bytes: statSync(file).size,
    built,
  };
}
