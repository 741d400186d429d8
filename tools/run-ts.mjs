#!/usr/bin/env node
// Runs a TypeScript entry point without ts-node: esbuild transpiles it (and the project files it
// imports) into one CommonJS file, leaving node_modules external, then Node runs it. ts-node
// type-checks on every start and costs seconds; type checking is `npm run typecheck`.
// The transpiled file is reused while none of its inputs (nor package-lock.json) has changed,
// which saves esbuild's ~300 ms on every `npm run synth`.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// `--bundle-deps` (tools/synth.mjs): bundle node_modules too, except esbuild (native binary).
// One file parses faster than hundreds of resolved modules: ~55 ms of a ~360 ms synth.
const argv = process.argv.slice(2);
const bundleDeps = argv[0] === '--bundle-deps';
if (bundleDeps) argv.shift();
const [entry, ...rest] = argv;
if (!entry) {
  console.error('usage: node tools/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outdir = path.join(root, '.build', 'run');
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, `${path.basename(entry).replace(/\.ts$/, '') + (bundleDeps ? '.bundled' : '')}.cjs`);
const stampFile = `${outfile}.inputs.json`;

/** Input files with their size and mtime: the cache key. */
const stamp = (files) =>
  files.map((f) => {
    const s = statSync(path.resolve(root, f), { throwIfNoEntry: false });
    return [f, s ? `${s.size}:${s.mtimeMs}` : 'missing'];
  });

function upToDate() {
  if (!existsSync(outfile) || !existsSync(stampFile)) return false;
  try {
    const saved = JSON.parse(readFileSync(stampFile, 'utf8'));
    return (
      saved.entry === path.resolve(entry) &&
      saved.bundleDeps === bundleDeps &&
      JSON.stringify(stamp(saved.inputs)) === JSON.stringify(saved.stamp)
    );
  } catch {
    return false;
  }
}

if (!upToDate()) {
  // Loaded only when a rebuild is due: importing esbuild is itself measurable on every run.
  const { build } = await import('esbuild');
  let result;
  try {
    result = await build({
      entryPoints: [path.resolve(entry)],
      outfile,
      bundle: true,
      ...(bundleDeps ? { external: ['esbuild'] } : { packages: 'external' }),
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // A separate map for the big bundle: an inline one would be parsed on every run.
      sourcemap: bundleDeps ? 'linked' : 'inline',
      logLevel: 'warning',
      absWorkingDir: root,
      metafile: true,
    });
  } catch {
    // esbuild has printed each error with its file, line and code frame; a Node stack adds nothing.
    console.error(
      `${path.relative(process.cwd(), path.resolve(entry))}: does not compile (see above); nothing was run. npm run typecheck shows every type error.`,
    );
    process.exit(1);
  }
  // Bundled dependencies change only with package-lock.json, which is always stamped.
  // This script is an input too: its build options and plugins shape the output.
  const inputs = [
    ...new Set([
      ...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')),
      'package-lock.json',
      'tools/run-ts.mjs',
    ]),
  ];
  writeFileSync(stampFile, JSON.stringify({ entry: path.resolve(entry), bundleDeps, inputs, stamp: stamp(inputs) }));
}
process.argv = [process.argv[0], outfile, ...rest];
// Stack traces name the TypeScript files and lines, not the generated bundle (public Node API).
process.setSourceMapsEnabled(true);
try {
  createRequire(import.meta.url)(outfile);
} catch (e) {
  // An error while the modules load (a catalog naming something undefined, a throw at top level)
  // never reaches the app's own error handling: one line with the source location, unless
  // SECRETS_PLATFORM_DEBUG asks for the whole stack.
  if (process.env.SECRETS_PLATFORM_DEBUG || !(e instanceof Error)) throw e;
  const frame = (e.stack ?? '')
    .split('\n')
    .map((l) => /\(?((?:\/|[A-Za-z]:)[^():]+):(\d+):(\d+)\)?$/.exec(l.trim()))
    .find((m) => m && !m[1].includes('node_modules') && !m[1].startsWith(outdir));
  const where = frame ? ` at ${path.relative(process.cwd(), frame[1])}:${frame[2]}:${frame[3]}` : '';
  console.error(
    `${path.relative(process.cwd(), path.resolve(entry))}: ${e.name}: ${e.message}${where}; nothing was written (SECRETS_PLATFORM_DEBUG=1 prints the stack)`,
  );
  process.exit(1);
}
